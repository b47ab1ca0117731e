"""``manage.py match_file IN.json -o OUT.json [--dump-scores SCORES.csv] [-k K]``

Matches a programme file in the bench format (``../shared/bench/README.md``) with the
pure engine.  Touches no database, so it runs before migrations and in benchmarks.
"""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from matching.engine import DEFAULT_K
from matching.fileformat import match_file


class Command(BaseCommand):
    help = "Match a programme file (bench JSON format); write pairs, unmatched and stats as JSON."
    requires_system_checks: list[str] = []  # no database, no app checks needed

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="programme file (JSON)")
        parser.add_argument("-o", "--output", help="result file (JSON); standard output if omitted")
        parser.add_argument(
            "--dump-scores",
            metavar="CSV",
            help="write mentee,mentor,score for every feasible pair",
        )
        parser.add_argument(
            "-k",
            type=int,
            default=DEFAULT_K,
            help=f"candidate mentors kept per mentee (default {DEFAULT_K})",
        )

    def handle(self, *args, **options) -> None:
        if options["k"] < 1:
            raise CommandError("-k must be at least 1")
        try:
            output = match_file(
                options["input"],
                options["output"],
                k=options["k"],
                dump_scores=options["dump_scores"],
            )
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"cannot match {options['input']}: {exc}") from exc
        stats = output["stats"]
        if options["output"] is None:
            self.stdout.write(json.dumps(output, indent=1))
            return
        self.stdout.write(
            f"matched {stats['matched']} of {stats['mentees']} mentees in {stats['seconds']} s "
            f"({stats['feasible_pairs']} feasible pairs, {stats['candidates_kept']} kept)"
            f" -> {options['output']}"
        )

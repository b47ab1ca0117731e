"""manage.py sync_roster [PATH] [--dry-run] [--allow-mass-leave]: see docs/roster-sync.md."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from directory.models import SyncRun
from directory.sync import roster_sync


class Command(BaseCommand):
    help = "Bring people's department, title, manager and seniority in line with the HR export; deactivate leavers."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", help="The HR export (CSV or .xlsx); default: ROSTER_SYNC_PATH.")
        parser.add_argument("--dry-run", action="store_true", help="Print what would change and change nothing.")
        parser.add_argument(
            "--allow-mass-leave", action="store_true",
            help="Apply the file even if it deactivates more than ROSTER_SYNC_MAX_LEAVER_SHARE of the people.",
        )  # fmt: skip

    def handle(self, *args, path: str | None, dry_run: bool, allow_mass_leave: bool, **options) -> None:
        path = path or settings.ROSTER_SYNC_PATH
        if not path:
            raise CommandError("Give the file to read, or set ROSTER_SYNC_PATH.")
        result = roster_sync(path=path, dry_run=dry_run, allow_mass_leave=allow_mass_leave)
        for line in result.lines:
            self.stdout.write(line)
        if result.outcome == SyncRun.Outcome.REFUSED:
            raise CommandError(result.in_words())
        self.stdout.write(self.style.SUCCESS(result.in_words()))

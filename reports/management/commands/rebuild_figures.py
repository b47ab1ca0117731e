"""Recompute every stored figure of HR's reports from the history (reports.rollups):
for repair, after a change of TIME_ZONE, or after a bulk load that skipped the triggers."""

from django.core.management.base import BaseCommand

from reports import rollups


class Command(BaseCommand):
    help = "Recompute every stored figure of HR's reports from the history (pairs' days)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="only put right the rows that differ (the nightly check): how many"
        )

    def handle(self, *args, check: bool = False, **options):
        if not rollups.is_supported():
            self.stderr.write("The stored figures need PostgreSQL; nothing to do on this database.")
            return
        if check:
            self.stdout.write(f"{rollups.reconcile()} keys corrected.")
        else:
            self.stdout.write(f"{rollups.rebuild()} rows stored.")

"""manage.py purge_workforce_history [--dry-run]: see docs/workforce-history.md."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from directory.workforce import events_purge, history_starts_on


class Command(BaseCommand):
    help = "Delete the workforce history older than WORKFORCE_HISTORY_YEARS, as the daily job does."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Say how many events would go; delete nothing.")

    def handle(self, *args, dry_run: bool, **options) -> None:
        starts = history_starts_on()
        with transaction.atomic():
            deleted = events_purge()
            if dry_run:
                transaction.set_rollback(True)
        period = f"before {starts:%Y-%m-%d} (WORKFORCE_HISTORY_YEARS={settings.WORKFORCE_HISTORY_YEARS})"
        if dry_run:
            self.stdout.write(f"Dry run, nothing deleted: {deleted:,} workforce events are dated {period}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{deleted:,} workforce events dated {period} deleted."))

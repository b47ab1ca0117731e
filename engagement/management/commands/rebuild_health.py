"""Repair: a stored health row for every pair, each judged anew from its rows.

Safe at any time (a change committed while it runs leaves its row stale for the
next reader, never overwritten). Bulk loads (bench/seed_load.py, the demo) end with it."""

import time

from django.core.management.base import BaseCommand

from engagement import stored


class Command(BaseCommand):
    help = "Judge every pair's health anew and store it (engagement.PairHealth)."

    def handle(self, *args, **options):
        started = time.perf_counter()
        written = stored.rebuild()
        took = time.perf_counter() - started
        self.stdout.write(f"Judged and stored the health of {written:,} pairs in {took:.1f} s.")

"""Export up to 1,000,000 meeting rows as CSV and Excel, and report time and peak
memory: the exports stream, so memory should stay flat as rows grow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench .venv/bin/python bench/bench_exports.py

Builds (once; kept for the next run) a programme of 25,000 pairs with 40
meetings each, spread over 1,000 days, with SQL (generate_series), then exports
the meeting log for date ranges holding about 1,000, 10,000, 100,000 and
1,000,000 meetings, and the per-match progress sheet for all 25,000 pairs.
Peak memory is the process's resident set size, sampled every 10 ms by a
thread, above what it was before each export.
"""

import os
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from matching.models import Match  # noqa: E402
from people.models import User  # noqa: E402
from programmes.models import Participant, Programme  # noqa: E402
from reports import exports  # noqa: E402
from reports.figures import ReportFilter  # noqa: E402

PAIRS = 25_000
MEETINGS_PER_PAIR = 40
DAYS = 1_000
NAME = "Export benchmark"
START = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class PeakMemory:
    """Samples the resident set size while the block runs."""

    def __enter__(self):
        self.before = self.peak = rss_mb()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while self.running:
            self.peak = max(self.peak, rss_mb())
            time.sleep(0.01)

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.peak = max(self.peak, rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.before


def build() -> Programme:
    programme = Programme.objects.filter(name=NAME).first()
    if programme and programme.meetings.count() == PAIRS * MEETINGS_PER_PAIR:
        return programme
    print(f"Building {PAIRS:,} pairs and {PAIRS * MEETINGS_PER_PAIR:,} meetings (once)...", flush=True)
    if programme:
        programme.delete()
    programme = Programme.objects.create(name=NAME, kind="traditional", purpose="Benchmark", status="running")
    users = User.objects.bulk_create(
        [User(email=f"bench-{i}@bench.example", full_name=f"Bench Person {i}") for i in range(2 * PAIRS)],
        batch_size=5000,
    )
    mentors = Participant.objects.bulk_create(
        [Participant(programme=programme, user=u, role="mentor", status="approved", capacity=1) for u in users[:PAIRS]],
        batch_size=5000,
    )
    mentees = Participant.objects.bulk_create(
        [Participant(programme=programme, user=u, role="mentee", status="approved") for u in users[PAIRS:]],
        batch_size=5000,
    )
    Match.objects.bulk_create(
        [
            Match(programme=programme, mentor=m, mentee=e, created_at=START)
            for m, e in zip(mentors, mentees, strict=True)
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sessions_log_meeting (match_id, programme_id, mentor_id, mentee_id, starts_at, minutes, format,
                location, agenda, status, cancel_reason, uid, sequence, created_at, updated_at)
            SELECT m.id, m.programme_id, m.mentor_id, m.mentee_id,
                   %s + ((n * %s + m.id) %% %s) * interval '1 day', 60, 'video', '', 'Private agenda text', 'held',
                   '', gen_random_uuid(), 0, now(), now()
            FROM matching_match m CROSS JOIN generate_series(1, %s) AS n
            WHERE m.programme_id = %s
            """,
            [START, DAYS // MEETINGS_PER_PAIR, DAYS, MEETINGS_PER_PAIR, programme.pk],
        )
    return programme


def export(label: str, sheets, file_format: str) -> None:
    counter = [0]
    with PeakMemory() as memory:
        started = time.perf_counter()
        if file_format == "csv":
            size = sum(len(line.encode()) for line in exports.csv_lines(sheets, counter))
        else:
            with exports.xlsx_file(sheets, counter) as output:
                size = output.seek(0, 2)
        seconds = time.perf_counter() - started
    print(f"| {label} | {file_format} | {counter[0]:,} | {seconds:.1f} s | {counter[0] / seconds:,.0f} | "
          f"{size / 2**20:.1f} MB | +{memory.growth:.0f} MB |", flush=True)  # fmt: skip


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    programme = build()
    staff = User.objects.filter(email="bench-staff@bench.example").first() or User.objects.create_user(
        "bench-staff@bench.example", full_name="Bench Staff", is_staff=True
    )
    print("| export | format | rows | time | rows/s | file | peak memory growth |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for days in (1, 10, 100, DAYS):
        report_filter = ReportFilter(programme_ids=(programme.pk,), date_from=START.date(),
                                     date_to=START.date() + timedelta(days=days - 1))  # fmt: skip
        for file_format in ("csv", "xlsx"):
            rows = exports.meeting_rows(staff, report_filter)
            export("meetings", [exports.Sheet("Meetings", exports.MEETING_HEADER, rows)], file_format)
    everything = ReportFilter(programme_ids=(programme.pk,))
    for file_format in ("csv", "xlsx"):
        rows = exports.match_rows(staff, everything)
        export("matches", [exports.Sheet("Matches", exports.MATCH_HEADER, rows)], file_format)


if __name__ == "__main__":
    main()

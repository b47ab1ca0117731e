"""Export 10,000 to 1,000,000 meeting rows (and 25,000 matches) as CSV and Excel
through the real download (the view, through Django's test client, reading the
streamed response), and report time, CPU time and peak memory: the exports
stream, so memory should stay flat and rows/s constant as rows grow.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_exports_bench .venv/bin/python bench/bench_exports.py

Builds (once; kept for the next run; migrate the database first) a programme of
25,000 pairs with 40 meetings each, spread over 1,000 days, with SQL
(generate_series), then exports the meeting log for date ranges holding about
1,000, 10,000, 100,000 and 1,000,000 meetings, and the per-match progress sheet
for all 25,000 pairs. Each export runs in a fresh process, so its peak resident
set size (getrusage's ru_maxrss) is that export's alone; "before" is the same
process's resident size once Django is loaded and has answered a first, empty
download (the app alone, with NumPy, SciPy and WeasyPrint, holds about 210 MB). Wall
time is distorted by whatever else the machine runs; CPU time is this process's
(the database's work is not in it).
"""

import json
import os
import resource
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from matching.models import Match  # noqa: E402
from people.models import User  # noqa: E402
from programmes.models import Participant, Programme  # noqa: E402
from reports.models import ExportAudit  # noqa: E402

PAIRS = 25_000
MEETINGS_PER_PAIR = 40
DAYS = 1_000
NAME = "Export benchmark"
START = timezone.now().replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=DAYS)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


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


def download(kind: str, file_format: str, days: int) -> None:
    """One export through the view, in this (fresh) process: prints its figures as JSON."""
    programme = Programme.objects.get(name=NAME)
    staff = User.objects.filter(email="bench-staff@bench.example").first() or User.objects.create_user(
        "bench-staff@bench.example", full_name="Bench Staff", is_staff=True
    )
    query = {"programme": programme.pk}
    if days:
        query |= {
            "date_from": START.date().isoformat(),
            "date_to": (START.date() + timedelta(days=days - 1)).isoformat(),
        }
    client = Client()
    client.force_login(staff)
    # A first download of an empty day loads what any first request loads (URLs, views,
    # templates): measured after it, the figures are the export's own.
    warm_up = {"programme": programme.pk, "date_from": "2000-01-01", "date_to": "2000-01-01"}
    assert client.get(reverse("reports:export", args=[kind, file_format]), warm_up).status_code == 200
    before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(reverse("reports:export", args=[kind, file_format]), query)
    assert response.status_code == 200, response.status_code
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    rows = ExportAudit.objects.filter(user=staff).latest("pk").rows
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"rows": rows, "seconds": seconds, "cpu": cpu, "size": size, "before": before, "peak": peak}))


def measure(kind: str, file_format: str, days: int = 0) -> None:
    command = [sys.executable, __file__, kind, file_format, str(days)]  # this script, in a fresh process
    child = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
    result = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"| {kind} | {file_format} | {result['rows']:,} | {result['seconds']:.1f} s | {result['cpu']:.1f} s | "
          f"{result['rows'] / result['seconds']:,.0f} | {result['rows'] / result['cpu']:,.0f} | "
          f"{result['size'] / 2**20:.1f} MB | {result['before']:.0f} MB | {result['peak']:.0f} MB |",
          flush=True)  # fmt: skip


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    if len(sys.argv) == 4:
        download(sys.argv[1], sys.argv[2], int(sys.argv[3]))
        return
    build()
    print("| export | format | rows | time | CPU time | rows/s | rows/CPU s | file | RSS before | peak RSS |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    # EXPORT_BENCH_DAYS="10,1000" measures those ranges only (and not the per-match sheet).
    chosen = os.environ.get("EXPORT_BENCH_DAYS")
    for days in [int(day) for day in chosen.split(",")] if chosen else (1, 10, 100, DAYS):
        for file_format in ("csv", "xlsx"):
            measure("meetings", file_format, days)
    for file_format in ("csv", "xlsx") if not chosen else ():
        measure("matches", file_format)


if __name__ == "__main__":
    main()

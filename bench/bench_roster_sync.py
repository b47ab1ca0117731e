"""Time the roster sync on a 2,000-person HR export against the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench .venv/bin/python bench/bench_roster_sync.py

Creates SIZE throwaway people with profiles (every tenth manages the next nine)
and a programme where 20 of them are paired, writes exports to a temporary
folder and times: a dry run of the first file, the first sync (everyone newly
managed, every profile changed), the same file again (nothing changes), every
title changed, and 1% of the people gone from the file (deactivated, their
matches ended, the coordinator told). Mail is delivered by the worker after
commit, so it is not part of the sync. Everything created is deleted at the end.

It refuses to run on a database where the sync manages people already: a bench
file lists only its own people, so everyone else would count as having left.
"""

import os
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from directory.models import RosterEntry, SyncRun  # noqa: E402
from directory.sync import roster_sync  # noqa: E402
from matching.models import Match  # noqa: E402
from people.models import Department, Profile, SeniorityLevel, User  # noqa: E402
from programmes.models import Participant  # noqa: E402
from programmes.services import programme_create  # noqa: E402

SIZE = int(os.environ.get("ROSTER_SIZE", "2000"))
PAIRS = 20
RUN = uuid.uuid4().hex[:8]
DOMAIN = f"bench-{RUN}.example"
HEADER = "employee id,email,full name,department,job title,manager email,seniority,status\n"


def export(folder: Path, name: str, *, title_suffix: str = "", leaving: int = 0) -> Path:
    """SIZE people in 25 departments; every tenth manages the next nine; the first
    `leaving` of the paired mentors are missing."""
    lines = [HEADER]
    gone = {f"person{pair * 2 + 1}@{DOMAIN}" for pair in range(leaving)}
    for i in range(SIZE):
        email = f"person{i}@{DOMAIN}"
        if email in gone:
            continue
        manager = "" if i % 10 == 0 else f"person{i - i % 10}@{DOMAIN}"
        level = "Lead" if i % 10 == 0 else "Associate"
        lines.append(
            f"B{RUN}-{i},{email},Person {i},Bench {RUN} dept {i % 25},Title {i % 40}{title_suffix},"
            f"{manager},{level},active\n"
        )
    path = folder / name
    path.write_text("".join(lines))
    return path


@contextmanager
def timed(label: str):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
    print(f"{label:<52} {elapsed:7.2f} s  {len(queries):4d} queries", flush=True)


def main() -> None:
    if RosterEntry.objects.exists():
        sys.exit("The sync already manages people in this database; run the bench on an empty one.")
    database = connection.settings_dict
    print(f"Roster sync bench: {SIZE:,} rows on {connection.vendor} ({database['NAME']})\n")
    for rank, name in ((1, "Associate"), (4, "Lead")):
        SeniorityLevel.objects.get_or_create(name=name, defaults={"rank": 90 + rank})
    coordinator = User.objects.create_user(
        email=f"coordinator@{DOMAIN}", full_name="Bench Coordinator", is_coordinator=True
    )
    users = [User(email=f"person{i}@{DOMAIN}", full_name=f"Person {i}") for i in range(SIZE)]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users)
    Profile.objects.bulk_create(Profile(user=user) for user in users)
    programme = programme_create(created_by=coordinator, name=f"Bench {RUN}", kind="traditional", purpose="Timing.")
    for pair in range(PAIRS):
        mentee = Participant.objects.create(programme=programme, user=users[pair * 2], role="mentee", status="approved")
        mentor = Participant.objects.create(
            programme=programme, user=users[pair * 2 + 1], role="mentor", status="approved", capacity=1
        )
        Match.objects.create(programme=programme, mentee=mentee, mentor=mentor)
    try:
        # The worker mails the coordinators after commit; handing that over is not part of the sync.
        with tempfile.TemporaryDirectory() as folder, mock.patch("common.services.outbox_hand_over"):
            first = export(Path(folder), "first.csv")
            print(f"CSV: {first.stat().st_size / 1024:.0f} KB\n")
            with timed("1. dry run, first file"):
                result = roster_sync(path=first, dry_run=True)
            assert result.created == SIZE and result.updated == SIZE, result.in_words()
            with timed("2. first sync (everyone new, every profile changed)"):
                result = roster_sync(path=first)
            assert result.created == SIZE and result.updated == SIZE, result.in_words()
            with timed("3. same file again (nothing changes)"):
                result = roster_sync(path=first)
            assert result.unchanged == SIZE, result.in_words()
            with timed("4. every title changed"):
                result = roster_sync(path=export(Path(folder), "titles.csv", title_suffix=" (new)"))
            assert result.updated == SIZE, result.in_words()
            leaving = SIZE // 100
            with timed(f"5. {leaving} people left ({min(leaving, PAIRS)} matches end)"):
                result = roster_sync(path=export(Path(folder), "left.csv", title_suffix=" (new)", leaving=leaving))
            assert result.left == leaving and result.matches_ended == min(leaving, PAIRS), result.in_words()
    finally:
        started = time.perf_counter()
        programme.delete()
        SyncRun.objects.filter(path__contains=tempfile.gettempdir()).delete()
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()  # profiles and roster entries go with them
        Department.objects.filter(name__startswith=f"Bench {RUN} ").delete()
        print(f"\nCleaned up in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()

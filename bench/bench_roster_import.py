"""Time the roster import on a 5,000-person file against the configured database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_bench .venv/bin/python bench/bench_roster_import.py

Creates a throwaway coordinator and programme, generates a CSV whose managers
are people of the same file, and times: the preview (parse and check) and the
apply of the new roster, the same file uploaded again (everything unchanged),
and a version where everyone's title changed (bulk updates). Invitation mails are
sent by the Celery worker after commit, not by the import, so the task is not
queued here. Everything created is deleted at the end.
"""

import io
import os
import sys
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

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from people.models import Department, User  # noqa: E402
from programmes.models import Participant  # noqa: E402
from programmes.roster import roster_apply, roster_parse  # noqa: E402
from programmes.services import programme_create  # noqa: E402

SIZE = int(os.environ.get("ROSTER_SIZE", "5000"))
RUN = uuid.uuid4().hex[:8]
DOMAIN = f"bench-{RUN}.example"
HEADER = "name,email,department,title,seniority,manager email,role\n"


def roster_csv(title_suffix: str = "") -> bytes:
    """SIZE people in 25 departments; every tenth person manages the next nine."""
    lines = [HEADER]
    for i in range(SIZE):
        manager = "" if i % 10 == 0 else f"person{i - i % 10}@{DOMAIN}"
        role = "mentor" if i % 10 == 0 else "mentee"
        lines.append(
            f"Person {i},person{i}@{DOMAIN},Bench {RUN} dept {i % 25},Title {i % 40}{title_suffix},,{manager},{role}\n"
        )
    return "".join(lines).encode()


@contextmanager
def timed(label: str, results: list):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
    results.append((label, elapsed, len(queries)))
    print(f"{label:<44} {elapsed:7.2f} s  {len(queries):4d} queries", flush=True)


def main() -> None:
    database = connection.settings_dict
    print(f"Roster import bench: {SIZE:,} rows on {connection.vendor} ({database['NAME']})\n")
    coordinator = User.objects.create_user(
        email=f"coordinator@{DOMAIN}", full_name="Bench Coordinator", is_coordinator=True
    )
    programme = programme_create(
        created_by=coordinator, name=f"Bench {RUN}", kind="reverse", purpose="A throwaway programme for timing."
    )
    results: list = []
    client = Client()
    client.force_login(coordinator)
    try:
        # The worker mails the invitations after commit; handing them over is not part of the import.
        with mock.patch("common.services.outbox_hand_over"):
            data = roster_csv()
            print(f"CSV: {len(data) / 1024:.0f} KB\n")
            with timed("1. preview, new roster", results):
                first = roster_parse(
                    programme=programme, uploaded_file=io.BytesIO(data), filename="r.csv", by=coordinator
                )
            assert first.summary["errors"] == 0, first.summary
            with timed("   preview page rendered (all rows)", results):
                page = client.get(reverse("programmes:roster_preview", args=[programme.pk, first.pk]))
            assert page.status_code == 200
            with timed("2. apply, new roster", results):
                summary = roster_apply(roster_import=first, by=coordinator)
            assert summary["created"] == SIZE and summary["invited"] == SIZE, summary

            with timed("3. preview, same file again", results):
                again = roster_parse(
                    programme=programme, uploaded_file=io.BytesIO(data), filename="r.csv", by=coordinator
                )
            assert again.summary["unchanged"] == SIZE, again.summary
            with timed("4. apply, same file again (nothing changes)", results):
                roster_apply(roster_import=again, by=coordinator)

            changed = roster_csv(title_suffix=" (new)")
            with timed("5. preview, every title changed", results):
                third = roster_parse(
                    programme=programme, uploaded_file=io.BytesIO(changed), filename="r.csv", by=coordinator
                )
            assert third.summary["updated"] == SIZE, third.summary
            with timed("6. apply, every title changed", results):
                roster_apply(roster_import=third, by=coordinator)

        assert Participant.objects.filter(programme=programme).count() == SIZE
        assert (
            User.objects.filter(email__endswith=f"@{DOMAIN}", profile__manager__isnull=False).count()
            == SIZE - SIZE // 10
        )
    finally:
        reset_queries()
        started = time.perf_counter()
        programme.delete()  # its participants, invitations and roster imports go with it
        User.objects.filter(email__endswith=f"@{DOMAIN}").delete()  # people, profiles, the coordinator
        Department.objects.filter(name__startswith=f"Bench {RUN} ").delete()
        print(f"\nCleaned up in {time.perf_counter() - started:.1f} s.")


if __name__ == "__main__":
    main()

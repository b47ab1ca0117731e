"""Open each page of the load test in-process (twice: cold, then warm) and print
its SQL query count, wall time, and the CPU time this process spent on the
warm request (rendering and Python work, without PostgreSQL's share): where to
look when the load test is slow. CPU time hardly changes when other programs
load the machine; wall time does.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_load \\
        .venv/bin/python bench/loadtest/profile_pages.py [var/loadtest/accounts.json]
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from people.models import User  # noqa: E402


def pages(manifest: dict) -> list[tuple[str, str, str]]:
    participant, coordinator, hr = manifest["participants"][0], manifest["coordinators"][0], manifest["hr"][0]
    programme = coordinator["programmes"][0]
    pair_programme, pair = (coordinator["queued"] or coordinator["pairs"])[0]
    goal = participant["goals"][0] if participant["goals"] else None
    found = [
        (participant["email"], "participant: home", "/"),
        (participant["email"], "participant: pair workspace", f"/pairs/{participant['match']}/"),
        (participant["email"], "participant: notification settings", "/notifications/"),
        (participant["email"], "participant: programme list", "/programmes/"),
        (participant["email"], "participant: programme page", f"/programmes/{participant['programme']}/"),
        (coordinator["email"], "coordinator: programme page", f"/programmes/{programme}/"),
        (coordinator["email"], "coordinator: participants", f"/programmes/{programme}/participants/"),
        (coordinator["email"], "coordinator: matching console", f"/matching/{programme}/"),
        (coordinator["email"], "coordinator: matches", f"/matching/{programme}/matches/"),
        (coordinator["email"], "coordinator: health dashboard", f"/health/{programme}/"),
        (coordinator["email"], "coordinator: pair follow-up", f"/health/{pair_programme}/pairs/{pair}/"),
        (hr["email"], "hr: reports dashboard", "/reports/"),
        (hr["email"], "hr: reports dashboard, filtered", f"/reports/?by=department&programme={programme}"),
        (hr["email"], "hr: export download", f"/reports/exports/figures.csv?programme={programme}"),
    ]
    if goal:
        found.insert(2, (participant["email"], "participant: goal", f"/pairs/{participant['match']}/goals/{goal}/"))
    return found


def main(path: str = "var/loadtest/accounts.json") -> None:
    manifest = json.loads(Path(path).read_text())
    clients: dict[str, Client] = {}
    print("| page | status | queries | wall ms, cold / warm | app CPU ms (warm) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for email, name, url in pages(manifest):
        if email not in clients:
            clients[email] = Client(HTTP_HOST="127.0.0.1")
            clients[email].force_login(User.objects.get(email=email))
        timings = []
        for _ in range(2):
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                response = clients[email].get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                timings.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
        (cold, _), (warm, warm_cpu) = timings
        print(f"| {name} | {response.status_code} | {len(queries)} | {cold:.0f} / {warm:.0f} | {warm_cpu:.0f} |",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main(*sys.argv[1:])

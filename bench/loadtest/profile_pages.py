"""Open every page of every role in-process (once cold, then warm several times)
and print its SQL query count, wall time and the CPU time this process spent
(rendering and Python, without PostgreSQL's share): where to look when the load
test is slow. CPU time hardly changes when other programs load the machine;
wall time does, so the warm figures are the best (fastest) of --repeat runs, as
timeit reports, beside their median.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mentoring_load \\
        .venv/bin/python bench/loadtest/profile_pages.py [var/loadtest/accounts.json] [--json out.json]

    # the same pages in two organisations (e.g. 10,000 and 50,000 people), each
    # manifest naming the database it was seeded in, and a verdict per page:
    .venv/bin/python bench/loadtest/profile_pages.py --compare var/loadtest/accounts-10k.json \\
        var/loadtest/accounts-50k.json

The budgets of issue #19 (docs/load-test.md): under 100 ms warm at the larger
size, at most 1.3 times the smaller size's time, and the same number of queries.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
BUDGET_MS = 100
GROWTH = 1.3


def pages(manifest: dict) -> list[tuple[str, str, str]]:
    """(email, page name, url) for every page a participant, coordinator and HR
    viewer reaches from their home in one click, plus the lists' filters and pages."""
    from matching.models import Match
    from programmes.models import Participant

    participant, hr = manifest["participants"][0], manifest["hr"][0]
    # The coordinator of the largest programme: the worst case of every list.
    coordinator = manifest["coordinators"][0]
    programme = coordinator["programmes"][0]
    pair_programme, pair = (coordinator["queued"] or coordinator["pairs"])[0]
    match = participant["match"]
    open_programme = (manifest["open_programmes"] or [participant["programme"]])[0]
    enrolled, department = (
        Participant.objects.filter(programme_id=programme)
        .order_by("pk")
        .values_list("pk", "user__profile__department")[0]
    )
    listed = f"/programmes/{programme}/participants/"
    p, c, h = participant["email"], coordinator["email"], hr["email"]
    found = [
        (p, "participant: home", "/"),
        (p, "participant: pair workspace", f"/pairs/{match}/"),
        (p, "participant: notification settings", "/notifications/"),
        (p, "participant: programme list", "/programmes/"),
        (p, "participant: programme page", f"/programmes/{participant['programme']}/"),
        (p, "participant: open programme page", f"/programmes/{open_programme}/"),
        (p, "participant: messages", "/messages/"),
        (p, "participant: pair's messages", f"/messages/pairs/{match}/pair/"),
        (p, "participant: own profile", f"/people/{Match.objects.get(pk=match).mentee.user_id}/"),
        (p, "participant: edit profile", "/people/profile/"),
        (p, "participant: staff networks", "/networks/"),
        (p, "participant: find someone to learn from", "/help/"),
        (p, "participant: check-in", f"/surveys/pulse/{match}/"),
        (p, "participant: calendar feed", "/pairs/calendar/"),
        (p, "participant: your data", "/my-data/"),
        (c, "coordinator: home", "/"),
        (c, "coordinator: health overview", "/health/"),
        (c, "coordinator: programme list", "/programmes/"),
        (c, "coordinator: programme page", f"/programmes/{programme}/"),
        (c, "coordinator: participants", listed),
        (c, "coordinator: participants, page 7", f"{listed}?page=7"),
        (c, "coordinator: participants, filtered", f"{listed}?role=mentor&status=approved&page=3"),
        (c, "coordinator: participants, by department", f"{listed}?department={department}"),
        (c, "coordinator: participants, search", f"{listed}?q=Grace"),
        (c, "coordinator: participant", f"{listed}{enrolled}/"),
        (c, "coordinator: coordinators", f"/programmes/{programme}/coordinators/"),
        (c, "coordinator: guides", f"/programmes/{programme}/guides/"),
        (c, "coordinator: matching console", f"/matching/{programme}/"),
        (c, "coordinator: matches", f"/matching/{programme}/matches/"),
        (c, "coordinator: matches, page 10", f"/matching/{programme}/matches/?page=10"),
        (c, "coordinator: matches, active", f"/matching/{programme}/matches/?status=active&page=2"),
        (c, "coordinator: health dashboard", f"/health/{programme}/"),
        (c, "coordinator: health dashboard, stalled", f"/health/{programme}/?health=stalled"),
        (c, "coordinator: health dashboard, page 3", f"/health/{programme}/?health=on_track&page=3"),
        (c, "coordinator: pair follow-up", f"/health/{pair_programme}/pairs/{pair}/"),
        (c, "coordinator: check-in results", f"/surveys/programme/{programme}/check-ins/"),
        (c, "coordinator: messages", "/messages/"),
        (c, "coordinator: notification settings", "/notifications/"),
        (h, "hr: home", "/"),
        (h, "hr: reports dashboard", "/reports/"),
        (h, "hr: reports dashboard, filtered", f"/reports/?by=department&programme={programme}"),
        (h, "hr: export download", f"/reports/exports/figures.csv?programme={programme}"),
    ]  # fmt: skip
    if participant["goals"]:
        goal = participant["goals"][0]
        found.insert(2, (p, "participant: goal", f"/pairs/{match}/goals/{goal}/"))
    return found


def measure(manifest_path: Path, repeat: int, only: str = "") -> list[dict]:
    """Each page: status, queries, cold wall ms, warm wall ms (best and median of
    `repeat`) and warm CPU ms (best), in this process's database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    os.environ.setdefault("DEBUG", "1")  # a development tool; the settings default to production
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from people.models import User

    manifest = json.loads(manifest_path.read_text())
    clients: dict[str, Client] = {}
    results = []
    for email, name, url in pages(manifest):
        if only not in name:
            continue
        if email not in clients:
            clients[email] = Client(HTTP_HOST="127.0.0.1")
            clients[email].force_login(User.objects.get(email=email))
        walls, cpus, counts = [], [], []
        for _ in range(repeat + 1):
            with CaptureQueriesContext(connection) as queries:
                started, cpu = time.perf_counter(), time.process_time()
                response = clients[email].get(url)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
                walls.append((time.perf_counter() - started) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
            counts.append(len(queries))
        slowest = max(queries.captured_queries, key=lambda q: float(q["time"]), default={"time": 0, "sql": ""})
        results.append({
            "page": name, "url": url, "status": response.status_code, "queries": counts[-1],
            "cold_ms": walls[0], "warm_ms": min(walls[1:]), "warm_median_ms": statistics.median(walls[1:]),
            "cpu_ms": min(cpus[1:]), "slowest_query_ms": float(slowest["time"]) * 1000, "slowest_sql": slowest["sql"],
        })  # fmt: skip
    return results


def print_table(results: list[dict], json_path: Path | None = None, show_sql: bool = False) -> None:
    if json_path:
        json_path.write_text(json.dumps(results, indent=1))
    print("| page | status | queries | wall ms, cold / warm (best, median) | app CPU ms (warm) | slowest query ms |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(f"| {r['page']} | {r['status']} | {r['queries']} | {r['cold_ms']:.0f} / {r['warm_ms']:.0f}, "
              f"{r['warm_median_ms']:.0f} | {r['cpu_ms']:.0f} | {r['slowest_query_ms']:.0f} |")  # fmt: skip
    if show_sql:
        for r in results:
            print(f"\n{r['page']} ({r['slowest_query_ms']:.0f} ms):\n{r['slowest_sql']}")


def verdict(small: dict, large: dict) -> list[str]:
    """What a page misses of the budgets; empty when it meets them all."""
    missed = []
    if large["status"] != 200 or small["status"] != 200:
        missed.append(f"status {small['status']}/{large['status']}")
    if large["warm_ms"] >= BUDGET_MS:
        missed.append(f">= {BUDGET_MS} ms")
    if large["warm_ms"] > GROWTH * small["warm_ms"]:
        missed.append(f"> {GROWTH}x")
    if large["queries"] != small["queries"]:
        missed.append("queries differ")
    return missed


def print_comparison(small: list[dict], large: list[dict], names: tuple[str, str]) -> int:
    """The two runs side by side; returns how many pages miss a budget."""
    by_page = {r["page"]: r for r in small}
    print(f"| page | queries {names[0]} / {names[1]} | warm ms {names[0]} / {names[1]} | ratio | "
          f"CPU ms {names[0]} / {names[1]} | verdict |")  # fmt: skip
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    failing = 0
    for r in large:
        s = by_page.get(r["page"])
        if s is None:
            continue
        missed = verdict(s, r)
        failing += bool(missed)
        print(f"| {r['page']} | {s['queries']} / {r['queries']} | {s['warm_ms']:.0f} / {r['warm_ms']:.0f} | "
              f"{r['warm_ms'] / max(s['warm_ms'], 0.1):.2f} | {s['cpu_ms']:.0f} / {r['cpu_ms']:.0f} | "
              f"{'ok' if not missed else 'OVER: ' + ', '.join(missed)} |")  # fmt: skip
    print(f"\n{len(large) - failing} of {len(large)} pages within the budgets "
          f"(< {BUDGET_MS} ms warm, <= {GROWTH}x, same queries).")  # fmt: skip
    return failing


def database_url_for(manifest_path: Path) -> str:
    """DATABASE_URL with the database the manifest was seeded in (same server and user)."""
    name = json.loads(manifest_path.read_text()).get("database")
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mentoring_load")
    if not name:
        return base
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def compare(small_path: Path, large_path: Path, repeat: int) -> int:
    """Profile each manifest in its own process and database, then print both side by side."""
    runs = []
    for path in (small_path, large_path):
        env = {**os.environ, "DATABASE_URL": database_url_for(path)}
        print(f"== {path} in {env['DATABASE_URL'].rsplit('/', 1)[-1]}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            command = [sys.executable, __file__, str(path), "--repeat", str(repeat), "--json", out.name]
            subprocess.run(command, env=env, check=True)  # noqa: S603 (this script, with our own arguments)
            runs.append(json.loads(Path(out.name).read_text()))
        print()
    names = tuple(f"{json.loads(p.read_text()).get('people', 0) // 1000}k" for p in (small_path, large_path))
    return print_comparison(runs[0], runs[1], names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("manifest", nargs="?", type=Path, default=Path("var/loadtest/accounts.json"))
    parser.add_argument("--repeat", type=int, default=5, help="warm requests per page (the best is reported)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to this file")
    parser.add_argument("--only", default="", help="only the pages whose name contains this")
    parser.add_argument("--show-sql", action="store_true", help="print each page's slowest query")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("SMALL", "LARGE"),
                        help="two manifests (each names its database): both profiled, ratios and verdicts")  # fmt: skip
    args = parser.parse_args()
    if args.compare:
        sys.exit(1 if compare(*args.compare, args.repeat) else 0)
    print_table(measure(args.manifest, args.repeat, args.only), args.json, args.show_sql)


if __name__ == "__main__":
    main()

"""Benchmark the matching engine end to end on synthetic programmes (a script, not a test).

    .venv/bin/python bench/bench_matching.py
    .venv/bin/python bench/bench_matching.py --sizes 1000 5000 20000 --exact-sizes 1000 2000 5000 \\
        --generator ../shared/bench/gen_programme.py --workdir /tmp/programmes

For each size it generates a mixed programme with ``gen_programme.py`` (about N/2
mentors, capacities 1-3), then, each in a fresh subprocess so peaks do not mix:

* **engine**: load the file, match with the default settings, write the result JSON
  (what ``manage.py match_file`` does, without Django start-up); wall time, peak RSS,
  matched count, feasible pairs, candidates kept;
* **exact** (``--exact-sizes``): the same objective over *all* feasible pairs
  (``k=None``), for the ratio of objectives (total score less the spread cost), and
  scipy's ``maximum_bipartite_matching`` on the slot-expanded full feasible graph, for
  the maximum possible number matched.

``--shortage`` cuts every third mentor's capacity by one (fewer slots than mentees,
the case where candidate pruning can cost matches); ``-k`` and ``--mentor-k`` change
the engine's candidate settings, e.g. ``--mentor-k 0`` to watch the repair at work;
``--spread`` sets the spread preference (``Weights.spread``; ``--spread 0`` matches as
the engine did before it had one).

``--sizes 100000`` (``make bench-matching-100k``) measures the 100,000-mentee file
(50,000 mentors); it is not among the default sizes because generating and matching
it takes several minutes on a shared machine.

Budgets (docs/matching-engine.md): 20,000 mentees in under 20 s and 1 GB, 100,000 in
under 30 s and 2 GB (sizes in between: the 100,000 budget); at 2,000 mentees the
objective is at least 99.9 % of the exact optimum and the matched count is the
maximum possible.  Seconds are wall time on a quiet machine; CPU seconds are printed
beside them because a shared machine stretches wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_GENERATOR = REPO.parent / "shared" / "bench" / "gen_programme.py"
# (from mentees, seconds, MB): the budget of a size is the one of the largest
# threshold it reaches, except that sizes above 20,000 get the 100,000 budget.
BUDGETS = ((20_000, 20.0, 1024.0), (20_001, 30.0, 2048.0))
MIN_RATIO = 0.999


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def cpu_seconds() -> float:
    # CPU time shows how much of the wall time was work when the machine is shared.
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_engine(path: str, k: int, mentor_k: int, spread: float | None) -> dict:
    from matching.fileformat import match_file

    started, cpu_started = time.perf_counter(), cpu_seconds()
    output = match_file(path, path + ".result.json", k=k, mentor_k=mentor_k, spread=spread)
    seconds = time.perf_counter() - started
    cpu = cpu_seconds() - cpu_started
    stats = output["stats"]
    # Mentees with no feasible mentor at all can never be matched, and no more can be
    # matched than there are places: when the smaller bound equals the matched count,
    # the maximum is proven without the (memory-hungry) full graph.
    no_option = sum(1 for u in output["unmatched"] if "at capacity" not in u["reason"])
    return {
        "upper_bound": min(stats["mentees"] - no_option, stats["capacity"]),
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mb": round(peak_mb()),
        "matched": stats["matched"],
        "mentees": stats["mentees"],
        "mentors": stats["mentors"],
        "capacity": stats["capacity"],
        "feasible_pairs": stats["feasible_pairs"],
        "candidates_kept": stats["candidates_kept"],
        "total_score": stats["total_score"],
        "objective": stats["objective"],
        "spread_cost": stats["spread_cost"],
        "mentors_with_2_or_more": stats["mentors_with_2_or_more"],
        "mentors_with_room_and_none": stats["mentors_with_room_and_none"],
        "repair_paths": stats["repair_paths"],
        "assignment": stats["assignment"],
        "assignment_gap": stats["assignment_gap"],
        "mentor_k": mentor_k,
        # Writing the result is what match_file did after its own clock stopped.
        "phase_seconds": stats["phase_seconds"] | {"write": round(seconds - stats["seconds"], 2)},
        "phase_cpu_seconds": stats["phase_cpu_seconds"],
        "phase_peak_mb": stats["phase_peak_mb"] | {"write": round(peak_mb())},
    }


def child_exact(path: str, spread: float | None) -> dict:
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    from matching.engine import feasible_scores, match_cohort
    from matching.fileformat import load_programme

    programme = load_programme(path, spread=spread)
    started = time.perf_counter()
    exact = match_cohort(programme.cohort, programme.weights, k=None, blocked=programme.blocked)
    exact_seconds = time.perf_counter() - started
    # Maximum cardinality, independently of the engine's solver: Hopcroft-Karp on
    # the full feasible graph with each mentor expanded into `capacity` slots.
    capacity = programme.cohort.mentors.capacity.astype(np.int64)
    first_slot = np.concatenate([[0], np.cumsum(capacity)])
    rows, cols = [], []
    for chunk in feasible_scores(programme.cohort, programme.weights, blocked=programme.blocked):
        reps = capacity[chunk.mentor]
        rows.append(np.repeat(chunk.mentee, reps).astype(np.int32))
        offset = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
        cols.append((np.repeat(first_slot[chunk.mentor], reps) + offset).astype(np.int32))
    r, c = np.concatenate(rows), np.concatenate(cols)
    shape = (len(programme.cohort.mentees), int(first_slot[-1]))
    graph = csr_matrix((np.ones(len(r), np.int8), (r, c)), shape=shape)
    max_matched = int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())
    return {
        "exact_seconds": round(exact_seconds, 2),
        "exact_peak_mb": round(peak_mb()),
        "exact_matched": exact.stats["matched"],
        "exact_score": exact.stats["total_score"],
        "exact_objective": exact.stats["objective"],
        "max_matched": max_matched,
    }


def in_subprocess(
    mode: str, path: Path, k: int, mentor_k: int, spread: float | None, auction_from: int | None = None
) -> dict:
    command = [sys.executable, __file__, "--child", mode, str(path)]
    command += ["-k", str(k), "--mentor-k", str(mentor_k)]
    if spread is not None:
        command += ["--spread", str(spread)]
    if auction_from is not None:
        command += ["--auction-from", str(auction_from)]
    out = subprocess.run(  # noqa: S603 (this script, with our own arguments)
        command,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def generate(generator: Path, workdir: Path, n: int, seed: int) -> Path:
    command = [sys.executable, str(generator), "--sizes", str(n), "--mode", "mixed"]
    command += ["--seed", str(seed), "--outdir", str(workdir)]
    # The generator is the operator's own file, named on the command line.
    out = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    # "wrote PATH (x MB)"
    return Path(out.stdout.split("wrote ", 1)[1].split(" (", 1)[0])


def with_shortage(path: Path) -> Path:
    """A copy of the programme where every third mentor takes one mentee fewer."""
    data = json.loads(path.read_text())
    for mentor in data["mentors"][::3]:
        mentor["capacity"] = max(0, mentor["capacity"] - 1)
    data["meta"]["total_capacity"] = sum(m["capacity"] for m in data["mentors"])
    out = path.with_name(path.stem + "_shortage.json")
    out.write_text(json.dumps(data))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 20000])
    parser.add_argument("--exact-sizes", type=int, nargs="*", default=[1000, 2000, 5000])
    parser.add_argument("--generator", type=Path, default=DEFAULT_GENERATOR)
    # Where the generated files go (the README's own example directory).
    workdir = os.environ.get("BENCH_WORKDIR", "/tmp/programmes")  # noqa: S108
    parser.add_argument("--workdir", type=Path, default=Path(workdir))
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("-k", type=int, help="candidates per mentee (engine default if omitted)")
    parser.add_argument("--mentor-k", type=int, help="mentor top-up (engine default if omitted)")
    parser.add_argument("--spread", type=float, help="the spread preference (engine default if omitted)")
    parser.add_argument(
        "--auction-from",
        type=int,
        help="solve the assignment by the auction from this many mentees (engine default if omitted),"
        " e.g. 1 to measure the auction against the exact optimum on a small file",
    )
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument(
        "--shortage",
        action="store_true",
        help="cut every third mentor's capacity by one (fewer slots than mentees)",
    )
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    from matching.engine import DEFAULT_K, DEFAULT_MENTOR_K

    k = args.k or DEFAULT_K
    mentor_k = DEFAULT_MENTOR_K if args.mentor_k is None else args.mentor_k
    if args.child:
        mode, path = args.child
        if args.auction_from is not None and mode == "engine":
            from matching import engine

            engine.AUCTION_MIN_ROWS = args.auction_from
        row = child_engine(path, k, mentor_k, args.spread) if mode == "engine" else child_exact(path, args.spread)
        print(json.dumps(row))
        return 0

    if not args.generator.exists():
        parser.error(f"generator not found: {args.generator} (use --generator)")
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sorted(set(args.sizes) | set(args.exact_sizes)):
        path = generate(args.generator, args.workdir, n, args.seed)
        if args.shortage:
            path = with_shortage(path)
        row = {"n": n, "k": k}
        if n in args.sizes:
            row |= in_subprocess("engine", path, k, mentor_k, args.spread, args.auction_from)
        if n in args.exact_sizes:
            if "matched" not in row:
                row |= in_subprocess("engine", path, k, mentor_k, args.spread, args.auction_from)
            try:
                row |= in_subprocess("exact", path, k, mentor_k, args.spread)
            except subprocess.CalledProcessError as exc:  # e.g. out of memory
                row["exact_error"] = (exc.stderr or "").strip().splitlines()[-1:] or [str(exc)]
        rows.append(row)
        print(describe(row), flush=True)

    print()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n")
    failed = [f"n={r['n']}: {problem}" for r in rows for problem in budget_problems(r)]
    for line in failed:
        print("BUDGET MISSED", line)
    return 1 if failed else 0


def budget_problems(row: dict) -> list[str]:
    problems = []
    budget = [(seconds, mb) for n, seconds, mb in BUDGETS if row["n"] >= n][-1:]
    if budget and "seconds" in row:
        seconds, mb = budget[0]
        if row["seconds"] > seconds:
            problems.append(f"{row['seconds']} s > {seconds} s")
        if row["peak_mb"] > mb:
            problems.append(f"{row['peak_mb']} MB > {mb} MB")
    if "max_matched" in row:
        if row["matched"] != row["max_matched"]:
            problems.append(f"matched {row['matched']} != maximum {row['max_matched']}")
        if row["objective"] < MIN_RATIO * row["exact_objective"]:
            problems.append(f"objective ratio {row['objective'] / row['exact_objective']:.4%} < {MIN_RATIO:.1%}")
    return problems


def describe(row: dict) -> str:
    text = (
        f"n={row['n']}: {row['seconds']} s ({row['cpu_seconds']} s CPU), {row['peak_mb']} MB,"
        f" matched {row['matched']}/{row['mentees']},"
        f" {row['feasible_pairs']} feasible, {row['candidates_kept']} kept,"
        f" repair paths {row['repair_paths']}, phases {row['phase_seconds']},"
        f" phases CPU {row['phase_cpu_seconds']}, peak MB after each phase {row['phase_peak_mb']},"
        f" assignment {row['assignment']} (certified gap {row['assignment_gap']}),"
        f" score {row['total_score']} - spread cost {row['spread_cost']} = {row['objective']},"
        f" {row['mentors_with_2_or_more']} mentors with 2+,"
        f" {row['mentors_with_room_and_none']} with room and none"
    )
    if "max_matched" in row:
        text += (
            f"; exact {row['exact_seconds']} s / {row['exact_peak_mb']} MB, "
            f"ratio {row['objective'] / row['exact_objective']:.5f}, max matched {row['max_matched']}"
        )
    return text


def table(rows: list[dict]) -> str:
    lines = [
        "| mentees | mentors | feasible pairs | kept | seconds (CPU) | peak RSS MB | matched"
        " | max possible"
        " | objective / exact optimum | exact solve s / MB | mentors with 2+ / with room and none |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "max_matched" in r:
            best = f"{r['max_matched']:,}"
            ratio = f"{r['objective'] / r['exact_objective']:.5f}"
            exact = f"{r['exact_seconds']} / {r['exact_peak_mb']}"
        else:
            proven = " (proven)" if r["upper_bound"] == r["matched"] else ""
            best = f"≤ {r['upper_bound']:,}{proven}"
            ratio = exact = "n/a"
        lines.append(
            f"| {r['n']:,} | {r['mentors']:,} | {r['feasible_pairs']:,} | {r['candidates_kept']:,}"
            f" | {r['seconds']} ({r['cpu_seconds']}) | {r['peak_mb']} | {r['matched']:,} | {best}"
            f" | {ratio} | {exact} | {r['mentors_with_2_or_more']:,} / {r['mentors_with_room_and_none']:,} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())

"""``manage.py match_file``: the bench file format in, pairs/unmatched/stats out.

No database: the command's logic lives in ``matching.fileformat.match_file``; one
test goes through ``call_command`` to check the command wiring.
"""

import csv
import importlib.util
import json
import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from conftest import skip_or_fail
from matching.fileformat import match_file

# The synthetic-programme generator lives beside the repository (../shared/bench/);
# BENCH_GENERATOR points elsewhere. Missing, its tests skip, or fail under REQUIRE_SERVICES=1.
SIBLING_GENERATOR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_programme.py"
GENERATOR = Path(os.environ.get("BENCH_GENERATOR") or SIBLING_GENERATOR)


def tiny_programme() -> dict:
    """Two mentees per track, three mentors, a reporting line and a block."""

    def person(pid, seniority, **extra):
        return {
            "id": pid,
            "department": "Data",
            "seniority": seniority,
            "manager_id": None,
            "skills": [],
            "topics": [],
            "timezone": "UTC+0",
            "languages": ["en"],
            "gender": None,
            "ethnicity_group": None,
            "disability": None,
            "staff_network": None,
            **extra,
        }

    return {
        "meta": {"mode": "mixed"},
        "vocab": {
            "departments": ["Data", "Sales"],
            "skills": ["sql", "writing"],
            "topics": ["promotion"],
            "timezones": ["UTC+0", "UTC+1"],
            "tz_offsets": [0.0, 1.0],
            "languages": ["en", "fr"],
        },
        "weights": {
            "goal_skill": 4.0,
            "topic": 2.0,
            "language": 1.5,
            "timezone": 1.0,
            "cross_dept": 1.0,
            "cross_dept_reverse": 1.5,
            "diversity": 2.0,
        },
        "mentees": [
            person("E1", 1, goals=["sql"], track="traditional", manager_id="M1"),
            person("E2", 2, goals=["writing"], track="traditional"),
            person("E3", 5, goals=[], track="reverse", gender="woman"),
            person("E4", 6, goals=["sql"], track="reverse"),
        ],
        "mentors": [
            person("M1", 4, skills=["sql"], capacity=2, tracks=["traditional"]),
            person(
                "M2",
                3,
                skills=["writing"],
                capacity=1,
                tracks=["traditional", "reverse"],
                department="Sales",
                gender="man",
            ),
            person("M3", 2, skills=["sql"], capacity=1, tracks=["reverse"]),
        ],
        "blocks": [["E4", "M3"]],
    }


def generated_programme(n: int) -> dict:
    if not GENERATOR.is_file():
        skip_or_fail(f"the bench generator is not at {GENERATOR} (set BENCH_GENERATOR to its path)")
    spec = importlib.util.spec_from_file_location("gen_programme", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate(n, seed=11, mode="mixed")


def write(tmp_path: Path, data: dict) -> Path:
    path = tmp_path / "programme.json"
    path.write_text(json.dumps(data))
    return path


def allowed(data: dict) -> set[tuple[str, str]]:
    """Every pair the hard rules allow, computed straight from the file."""
    manager = {p["id"]: p["manager_id"] for p in data["mentees"] + data["mentors"]}

    def above(a, b):
        seen, boss = {a}, manager.get(a)
        while boss is not None and boss not in seen:
            if boss == b:
                return True
            seen.add(boss)
            boss = manager.get(boss)
        return False

    blocks = {tuple(b) for b in data["blocks"]}
    pairs = set()
    for e in data["mentees"]:
        for m in data["mentors"]:
            reverse = e["track"] == "reverse"
            gap = m["seniority"] - e["seniority"]
            senior_ok = gap < 0 if reverse else gap > 0
            if (
                e["track"] in m["tracks"]
                and senior_ok
                and e["id"] != m["id"]
                and (e["id"], m["id"]) not in blocks
                and not above(e["id"], m["id"])
                and not above(m["id"], e["id"])
            ):
                pairs.add((e["id"], m["id"]))
    return pairs


def check_output(output: dict, data: dict) -> None:
    assert set(output) >= {"pairs", "unmatched", "stats"}
    assert {"seconds", "feasible_pairs", "candidates_kept"} <= set(output["stats"])
    feasible = allowed(data)
    capacity = {m["id"]: m["capacity"] for m in data["mentors"]}
    for pair in output["pairs"]:
        assert set(pair) >= {"mentee", "mentor", "score", "reasons"}
        assert (pair["mentee"], pair["mentor"]) in feasible
        assert pair["score"] > 0
        assert all(isinstance(r, str) and r for r in pair["reasons"])
        capacity[pair["mentor"]] -= 1
    assert min(capacity.values()) >= 0
    for item in output["unmatched"]:
        assert set(item) == {"mentee", "reason"} and item["reason"]
    seen = [p["mentee"] for p in output["pairs"]] + [u["mentee"] for u in output["unmatched"]]
    assert sorted(seen) == sorted(e["id"] for e in data["mentees"])
    assert output["stats"]["feasible_pairs"] == len(feasible)


def read_scores(path: Path) -> dict[tuple[str, str], float]:
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["mentee", "mentor", "score"]
    return {(a, b): float(s) for a, b, s in rows[1:]}


def test_a_tiny_file_is_matched_within_the_hard_rules(tmp_path):
    data = tiny_programme()
    output = match_file(write(tmp_path, data), tmp_path / "out.json")
    check_output(output, data)
    assert json.loads((tmp_path / "out.json").read_text()) == output
    # E1 reports to M1 and E4 is blocked from M3, so both need M2 (capacity 1); the
    # reverse pair scores more (cross-department counts 1.5 there), so E1 waits.
    pairs = {p["mentee"]: p["mentor"] for p in output["pairs"]}
    assert pairs == {"E2": "M1", "E3": "M3", "E4": "M2"}
    reason = "the only suitable mentor is at capacity"
    assert output["unmatched"] == [{"mentee": "E1", "reason": reason}]


def test_a_generated_file_is_matched_within_the_rules_and_every_feasible_pair_is_dumped(tmp_path):
    data = generated_programme(80)
    scores_csv = tmp_path / "scores.csv"
    output = match_file(write(tmp_path, data), tmp_path / "out.json", k=5, dump_scores=scores_csv)
    check_output(output, data)
    scores = read_scores(scores_csv)
    assert set(scores) == allowed(data)
    assert output["stats"]["scores_written"] == len(scores)
    for pair in output["pairs"]:
        assert pair["score"] == pytest.approx(scores[(pair["mentee"], pair["mentor"])], abs=1e-3)


def test_the_command_runs_without_a_database(tmp_path):
    data = tiny_programme()
    out, scores_csv, stdout = tmp_path / "out.json", tmp_path / "scores.csv", StringIO()
    arguments = [str(write(tmp_path, data)), "-o", str(out), "--dump-scores", str(scores_csv)]
    arguments += ["-k", "3"]
    call_command("match_file", *arguments, stdout=stdout)
    output = json.loads(out.read_text())
    check_output(output, data)
    assert set(read_scores(scores_csv)) == allowed(data)
    assert stdout.getvalue().startswith(f"matched {len(output['pairs'])} of 4 mentees")

"""The synthetic programme file format (``../shared/bench/README.md``) in and out of
the engine, with no database: ``match_file`` is what ``manage.py match_file`` runs."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .engine import (
    DEFAULT_K,
    DEFAULT_MENTOR_K,
    Cohort,
    MatchResult,
    Weights,
    _peak_mb,
    feasible_scores,
    match_cohort,
)

__all__ = [
    "ProgrammeFile",
    "load_programme",
    "match_file",
    "programme_from_dict",
    "write_result",
    "write_scores_csv",
]


@dataclass
class ProgrammeFile:
    """A programme file turned into engine inputs."""

    cohort: Cohort
    weights: Weights
    blocked: list[tuple[Any, Any]]
    meta: dict[str, Any] = field(default_factory=dict)


def programme_from_dict(data: Mapping[str, Any], *, spread: float | None = None) -> ProgrammeFile:
    """Engine inputs from a parsed programme file.

    The file's weight names are the engine's (``goal_skill``, ``topic``, ``language``,
    ``timezone``, ``cross_dept``, ``cross_dept_reverse``, ``diversity``); weights the
    file does not give keep the engine defaults, and ``meeting_format`` has no data in
    the file so it adds nothing.  ``spread``, when given, replaces the spread
    preference (the bench measures the engine with and without it).
    """
    cohort = Cohort.from_records(data["mentees"], data["mentors"], vocab=data.get("vocab"))
    weights = Weights.from_mapping(data.get("weights") or {})
    return ProgrammeFile(
        cohort=cohort,
        weights=weights if spread is None else replace(weights, spread=spread),
        blocked=[(a, b) for a, b in data.get("blocks") or ()],
        meta=dict(data.get("meta") or {}),
    )


def load_programme(path: str | Path, *, spread: float | None = None) -> ProgrammeFile:
    with open(path, encoding="utf-8") as f:
        return programme_from_dict(json.load(f), spread=spread)


def write_scores_csv(programme: ProgrammeFile, path: str | Path) -> int:
    """Write ``mentee,mentor,score`` for every feasible pair, block by block (memory
    stays flat).  Returns the number of pairs written."""
    mentee_ids = programme.cohort.mentees.ids
    mentor_ids = programme.cohort.mentors.ids
    written = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("mentee,mentor,score\n")
        chunks = feasible_scores(programme.cohort, programme.weights, blocked=programme.blocked)
        for chunk in chunks:
            lines = [
                f"{mentee_ids[i]},{mentor_ids[j]},{s:.4f}\n"
                for i, j, s in zip(
                    chunk.mentee.tolist(),
                    chunk.mentor.tolist(),
                    chunk.score.tolist(),
                    strict=True,
                )
            ]
            out.writelines(lines)
            written += len(lines)
    return written


def match_file(
    in_path: str | Path,
    out_path: str | Path | None = None,
    *,
    k: int | None = DEFAULT_K,
    mentor_k: int = DEFAULT_MENTOR_K,
    dump_scores: str | Path | None = None,
    spread: float | None = None,
) -> dict[str, Any]:
    """Match a programme file; write the result JSON to ``out_path`` when given and
    return it.  ``stats.seconds`` covers loading the file and matching."""
    started, cpu_started = time.perf_counter(), time.process_time()
    programme = load_programme(in_path, spread=spread)
    loaded, cpu_loaded = time.perf_counter(), time.process_time()
    load_peak = _peak_mb()
    result: MatchResult = match_cohort(
        programme.cohort,
        programme.weights,
        k=k,
        mentor_k=mentor_k,
        blocked=programme.blocked,
    )
    output = result.as_dict()
    stats = output["stats"]
    # Loading the file is a phase too (the engine times its own).
    stats["phase_seconds"] = {"load": round(loaded - started, 3), **stats["phase_seconds"]}
    stats["phase_cpu_seconds"] = {"load": round(cpu_loaded - cpu_started, 3), **stats["phase_cpu_seconds"]}
    stats["phase_peak_mb"] = {"load": load_peak, **stats["phase_peak_mb"]}
    stats["engine_seconds"] = stats["seconds"]
    stats["seconds"] = round(time.perf_counter() - started, 3)
    if dump_scores is not None:
        stats["scores_written"] = write_scores_csv(programme, dump_scores)
    if out_path is not None:
        write_result(output, out_path)  # the bench times it: its seconds less "seconds"
    return output


def write_result(output: Mapping[str, Any], path: str | Path) -> None:
    """The result JSON, one pair or unmatched mentee a line: readable, and written by
    the C encoder (an indented dump runs the pure-Python one, 6 s at 100,000)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        for key in ("pairs", "unmatched"):
            rows = output[key]
            f.write(f" {json.dumps(key)}: [")
            f.write(",".join("\n  " + json.dumps(row, ensure_ascii=False) for row in rows))
            f.write("\n ],\n" if rows else "],\n")
        rest = {key: value for key, value in output.items() if key not in ("pairs", "unmatched")}
        f.write(
            ",\n".join(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" for key, value in rest.items())
        )
        f.write("\n}\n")

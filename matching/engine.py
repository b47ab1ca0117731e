"""Pure matching engine: NumPy/SciPy in, plain data out.

Nothing here imports Django.  The Django side builds a :class:`Cohort` (usually with
:meth:`Cohort.from_records` from plain dicts), picks :class:`Weights`, and calls
:func:`match_cohort`.  ``docs/matching-engine.md`` explains the design, the hard rules,
the scoring and what the candidate pruning guarantees.

Vocabulary used below: *mentee* rows ``i`` and *mentor* columns ``j``; a *pair* is
*feasible* when no hard rule forbids it; *candidates* are the feasible pairs kept for
the assignment (the top ``k`` per mentee plus repair edges).
"""

from __future__ import annotations

import itertools
import math
import re
import resource
import time
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching, min_weight_full_bipartite_matching

__all__ = [
    "AIMS",
    "DEFAULT_DEMOGRAPHIC_FIELDS",
    "DEFAULT_K",
    "DEFAULT_MENTOR_K",
    "TRACKS",
    "AttributeAim",
    "Cohort",
    "MatchResult",
    "Pair",
    "People",
    "RejectedLock",
    "ScoreChunk",
    "Unmatched",
    "Weights",
    "Wording",
    "feasible_scores",
    "match_cohort",
    "stable_match",
]

PersonId = Hashable
PairIds = Iterable[tuple[PersonId, PersonId]]

TRACKS: tuple[str, str] = ("traditional", "reverse")
TRADITIONAL, REVERSE = 0, 1
DEFAULT_DEMOGRAPHIC_FIELDS: tuple[str, ...] = (
    "gender",
    "ethnicity_group",
    "disability",
    "staff_network",
)
# What a programme may want of a chosen attribute: pairs who differ on it (reverse
# mentoring across difference) or who are alike (an affinity programme).
AIMS: tuple[str, str] = ("differ", "alike")
# A meeting-format preference of "either" fits any stated preference.
FLEXIBLE_FORMAT = "either"
# Chosen from the measurements in docs/matching-engine.md: quality stops improving
# well before this, and time and memory grow linearly with it.
DEFAULT_K = 40
# Candidate mentees kept for a mentor that few mentees rank highly (see candidates()).
DEFAULT_MENTOR_K = 10
# Rows x columns of one scored block; bounds the working memory of every pass
# (a float32 block of 2M entries is 8 MB, plus a few masks of the same shape).
BLOCK_ENTRIES = 2_000_000
# From this many mentees with candidates the assignment is solved by an auction
# instead of LAPJVsp, whose time grows much faster than the cohort (see
# docs/matching-engine.md): on the same 50,000 candidates 36.7 s CPU against 8.7 s.
AUCTION_MIN_ROWS = 10_000
# The auction's bidding increment: the result is within (mentees + spare slots) x
# AUCTION_EPS of the optimum over the candidates, and certified by the final prices.
AUCTION_EPS = 0.01
# How far a row with a single candidate outbids (any value above the score range).
_AUCTION_LONE_BID = 1e6

LANGUAGE_NAMES = {
    "ar": "Arabic",
    "bn": "Bengali",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "sw": "Swahili",
    "ta": "Tamil",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class AttributeAim:
    """One consented attribute a programme chose: ``weight`` points for a pair whose
    answers differ (aim ``"differ"``) or are the same (``"alike"``), on any track.
    A pair where either person gave no answer (blank, "prefer not to say", no
    consent) gets nothing for it: no answer is never a difference nor a sameness."""

    field: str
    aim: str = "differ"
    weight: float = 1.0

    def __post_init__(self) -> None:
        if self.aim not in AIMS:
            raise ValueError(f"unknown aim {self.aim!r} for attribute {self.field!r}")
        if self.weight < 0:
            raise ValueError(f"negative weight for attribute {self.field!r}")


@dataclass(frozen=True)
class Weights:
    """How much each criterion adds to a feasible pair's score.

    Every term is a number in [0, 1] times its weight, so a weight reads as "points for
    a perfect fit on this criterion".  The names match the ``weights`` of the bench
    file format (see :meth:`from_mapping`).
    """

    goal_skill: float = 4.0
    """Share of the mentee's goals that the mentor lists as skills."""
    topic: float = 2.0
    """Share of the mentee's topics that the mentor also lists."""
    language: float = 1.5
    """At least one shared language."""
    timezone: float = 1.0
    """1 for the same UTC offset, 0.5 within ``timezone_near_hours``, else 0."""
    meeting_format: float = 0.5
    """Both state the same meeting format, or one of them is flexible ("either")."""
    cross_dept: float = 1.0
    """Different department, traditional track."""
    cross_dept_reverse: float = 1.5
    """Different department, reverse track."""
    diversity: float = 2.0
    """The bench format's term, used only when ``attributes`` is empty: reverse track
    only, the share of the cohort's demographic fields that differ (an attribute not
    disclosed by either person is no difference)."""
    attributes: tuple[AttributeAim, ...] = ()
    """The attributes a programme chose, each with its aim and weight (any track);
    when given, they replace ``diversity``. Their fields must be among the cohort's
    ``demographic_fields``."""
    spread: float = 1.0
    """Not a pair's term but the assignment's: each further mentee of a mentor costs
    this much more than the one before (the second ``spread``, the third
    ``2 * spread``, counting the mentees the mentor already has), so mentees spread
    over the mentors with room instead of piling on the best-scoring ones.  0 = no
    preference.  Never costs a match: more matched pairs still come first."""
    base: float = 0.01
    """Added to every feasible pair so scores are strictly positive.  A constant per
    pair does not change which matching is best among those of maximum size."""
    timezone_near_hours: float = 3.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        """Weights from a ``{name: number}`` mapping such as a bench file's ``weights``.

        Names not given keep their defaults; unknown names raise ``ValueError`` so a
        typo in a programme's configuration is not silently ignored.
        """
        known = set(cls.__dataclass_fields__) - {"attributes"}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown weight names: {', '.join(sorted(unknown))}")
        return cls(**{k: float(v) for k, v in values.items()})


# --------------------------------------------------------------------------- cohort


@dataclass(frozen=True, eq=False)
class People:
    """One side of a cohort (mentees or mentors) as parallel NumPy arrays.

    Set-valued fields are boolean membership matrices over the cohort's vocabularies
    (``Cohort.skills`` etc.); ``-1`` marks an unknown category code.
    """

    ids: tuple[PersonId, ...]
    department: np.ndarray  # int32 (n,), index into Cohort.departments, -1 unknown
    seniority: np.ndarray  # float64 (n,)
    manager: tuple[PersonId | None, ...]  # direct manager id, may be outside the cohort
    skills: np.ndarray  # bool (n, len(skills))
    goals: np.ndarray  # bool (n, len(skills)); skills a mentee wants to develop
    topics: np.ndarray  # bool (n, len(topics))
    languages: np.ndarray  # bool (n, len(languages))
    tz_offset: np.ndarray  # float64 (n,) hours from UTC, NaN unknown
    meeting_format: np.ndarray  # int16 (n,), index into Cohort.meeting_formats, -1 none
    demographics: np.ndarray  # int16 (n, len(demographic_fields)), -1 not disclosed
    track: np.ndarray  # int8 (n,) mentees: 0 traditional, 1 reverse
    capacity: np.ndarray  # int32 (n,) mentors: how many mentees at most
    load: np.ndarray  # int32 (n,) mentors: mentees they already have (for Weights.spread)
    accepts: np.ndarray  # bool (n, 2) mentors: accepted tracks (TRACKS order)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, eq=False)
class Cohort:
    """Everything the engine needs about one matching run's people.

    Build it with :meth:`from_records`.  ``managers`` holds extra reporting lines for
    people outside the cohort (an org chart), so chains through them are followed.
    """

    mentees: People
    mentors: People
    skills: tuple[str, ...]
    topics: tuple[str, ...]
    languages: tuple[str, ...]
    departments: tuple[str, ...]
    meeting_formats: tuple[str, ...]
    demographic_fields: tuple[str, ...]
    managers: Mapping[PersonId, PersonId] = field(default_factory=dict)

    @classmethod
    def from_records(
        cls,
        mentees: Sequence[Mapping[str, Any]],
        mentors: Sequence[Mapping[str, Any]],
        *,
        vocab: Mapping[str, Sequence[Any]] | None = None,
        demographic_fields: Sequence[str] = DEFAULT_DEMOGRAPHIC_FIELDS,
        managers: Mapping[PersonId, PersonId] | None = None,
    ) -> Cohort:
        """Build a cohort from plain dicts (the bench file's records work as they are).

        Person keys: ``id`` (required, unique per side), ``seniority`` (required,
        number), ``department``, ``manager_id``, ``skills``, ``topics``, ``goals``,
        ``languages``, ``timezone`` (``"UTC+5.5"``, an IANA name, or a vocab name)
        or ``tz_offset`` (hours), ``meeting_format``, and the consented demographic
        attributes, either at top level or in a ``demographics`` dict (``None`` = not
        disclosed).  Mentees: ``track`` (default ``"traditional"``).  Mentors:
        ``capacity`` (default 1: how many more mentees they take), ``tracks``
        (default ``["traditional"]``) and ``load`` (default 0: mentees they already
        have, outside this cohort; only the spread preference counts it).

        ``vocab`` may fix the order of ``skills``, ``topics``, ``languages``,
        ``departments`` and map ``timezones`` to ``tz_offsets``; terms missing from it
        are appended in order of appearance.
        """
        vocab = vocab or {}
        vocabs = {
            name: _Vocab(vocab.get(name, ()))
            for name in ("skills", "topics", "languages", "departments", "meeting_formats")
        }
        tz_names = dict(zip(vocab.get("timezones", ()), vocab.get("tz_offsets", ()), strict=True))
        fields = tuple(demographic_fields)
        demo_vocabs = [_Vocab(()) for _ in fields]
        side_mentees = _people(mentees, True, vocabs, tz_names, fields, demo_vocabs)
        side_mentors = _people(mentors, False, vocabs, tz_names, fields, demo_vocabs)
        widths = {name: len(v.terms) for name, v in vocabs.items()}
        return cls(
            mentees=_pad(side_mentees, widths),
            mentors=_pad(side_mentors, widths),
            skills=tuple(vocabs["skills"].terms),
            topics=tuple(vocabs["topics"].terms),
            languages=tuple(vocabs["languages"].terms),
            departments=tuple(vocabs["departments"].terms),
            meeting_formats=tuple(vocabs["meeting_formats"].terms),
            demographic_fields=fields,
            managers=dict(managers or {}),
        )


class _Vocab:
    """Term -> index, growing as new terms appear."""

    def __init__(self, terms: Iterable[Any]) -> None:
        self.terms: list[Any] = []
        self.index: dict[Any, int] = {}
        for t in terms:
            self.add(t)

    def add(self, term: Any) -> int:
        idx = self.index.get(term)
        if idx is None:
            idx = self.index[term] = len(self.terms)
            self.terms.append(term)
        return idx


_UTC_RE = re.compile(r"^(?:UTC|GMT)\s*([+-]\d+(?:[.:]\d+)?)?$", re.IGNORECASE)
_TZ_CACHE: dict[str, float] = {}


def _tz_hours(value: Any, tz_names: Mapping[Any, Any]) -> float:
    if value is None or value == "":
        return math.nan
    if isinstance(value, (int, float)):
        return float(value)
    if value in tz_names:
        return float(tz_names[value])
    text = str(value).strip()
    if text in _TZ_CACHE:
        return _TZ_CACHE[text]
    hours = math.nan
    m = _UTC_RE.match(text)
    if m:
        raw = m.group(1) or "0"
        if ":" in raw:
            h, mins = raw.split(":")
            hours = float(h) + math.copysign(float(mins) / 60, float(h + "1"))
        else:
            hours = float(raw)
    else:
        try:
            from zoneinfo import ZoneInfo

            offset = datetime.now(UTC).astimezone(ZoneInfo(text)).utcoffset()
            hours = offset.total_seconds() / 3600 if offset is not None else math.nan
        except (ValueError, KeyError, OSError):
            hours = math.nan
    _TZ_CACHE[text] = hours
    return hours


def _people(
    records: Sequence[Mapping[str, Any]],
    is_mentee: bool,
    vocabs: dict[str, _Vocab],
    tz_names: Mapping[Any, Any],
    fields: tuple[str, ...],
    demo_vocabs: list[_Vocab],
) -> dict[str, Any]:
    """Parse one side into index lists; matrices are filled by :func:`_pad`."""
    n = len(records)
    ids: list[PersonId] = []
    seen: set[PersonId] = set()
    out: dict[str, Any] = {
        "department": np.full(n, -1, np.int32),
        "seniority": np.zeros(n, np.float64),
        "tz_offset": np.full(n, np.nan),
        "meeting_format": np.full(n, -1, np.int16),
        "demographics": np.full((n, len(fields)), -1, np.int16),
        "track": np.zeros(n, np.int8),
        "capacity": np.zeros(n, np.int32),
        "load": np.zeros(n, np.int32),
        "accepts": np.zeros((n, 2), bool),
        "manager": [],
    }
    sets: dict[str, list[list[int]]] = {k: [] for k in ("skills", "goals", "topics", "languages")}
    for row, rec in enumerate(records):
        pid = rec["id"]
        if pid in seen:
            raise ValueError(f"duplicate {'mentee' if is_mentee else 'mentor'} id {pid!r}")
        seen.add(pid)
        ids.append(pid)
        sen = rec.get("seniority")
        if sen is None or (isinstance(sen, float) and math.isnan(sen)):
            raise ValueError(f"person {pid!r} has no seniority")
        out["seniority"][row] = float(sen)
        if rec.get("department") is not None:
            out["department"][row] = vocabs["departments"].add(rec["department"])
        out["manager"].append(rec.get("manager_id"))
        if "tz_offset" in rec and rec["tz_offset"] is not None:
            out["tz_offset"][row] = float(rec["tz_offset"])
        else:
            out["tz_offset"][row] = _tz_hours(rec.get("timezone"), tz_names)
        if rec.get("meeting_format"):
            out["meeting_format"][row] = vocabs["meeting_formats"].add(rec["meeting_format"])
        demo = rec.get("demographics")
        source = demo if isinstance(demo, Mapping) else rec
        for f, name in enumerate(fields):
            value = source.get(name)
            if value is not None:
                out["demographics"][row, f] = demo_vocabs[f].add(value)
        sets["skills"].append([vocabs["skills"].add(t) for t in rec.get("skills") or ()])
        sets["goals"].append([vocabs["skills"].add(t) for t in rec.get("goals") or ()])
        sets["topics"].append([vocabs["topics"].add(t) for t in rec.get("topics") or ()])
        sets["languages"].append([vocabs["languages"].add(t) for t in rec.get("languages") or ()])
        if is_mentee:
            track = rec.get("track") or TRACKS[TRADITIONAL]
            if track not in TRACKS:
                raise ValueError(f"mentee {pid!r} has unknown track {track!r}")
            out["track"][row] = TRACKS.index(track)
        else:
            out["capacity"][row] = int(rec.get("capacity", 1))
            out["load"][row] = int(rec.get("load") or 0)
            for t in rec.get("tracks") or (TRACKS[TRADITIONAL],):
                if t not in TRACKS:
                    raise ValueError(f"mentor {pid!r} accepts unknown track {t!r}")
                out["accepts"][row, TRACKS.index(t)] = True
    out["ids"] = tuple(ids)
    out["sets"] = sets
    return out


def _membership(lists: list[list[int]], width: int) -> np.ndarray:
    mat = np.zeros((len(lists), width), bool)
    rows = np.repeat(np.arange(len(lists)), [len(x) for x in lists])
    cols = np.fromiter((c for x in lists for c in x), np.intp, count=len(rows))
    mat[rows, cols] = True
    return mat


def _pad(side: dict[str, Any], widths: Mapping[str, int]) -> People:
    sets = side.pop("sets")
    return People(
        ids=side["ids"],
        department=side["department"],
        seniority=side["seniority"],
        manager=tuple(side["manager"]),
        skills=_membership(sets["skills"], widths["skills"]),
        goals=_membership(sets["goals"], widths["skills"]),
        topics=_membership(sets["topics"], widths["topics"]),
        languages=_membership(sets["languages"], widths["languages"]),
        tz_offset=side["tz_offset"],
        meeting_format=side["meeting_format"],
        demographics=side["demographics"],
        track=side["track"],
        capacity=side["capacity"],
        load=side["load"],
        accepts=side["accepts"],
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Pair:
    """A proposed pair. ``score`` is the pair's part of what the assignment
    maximised; ``fit`` is the same score without the attribute terms, the only
    per-pair figure that may be shown (with ``score`` and the other terms beside it,
    the difference would tell how many consented attributes differ). ``differ_on``:
    on how many weighted "differ" attributes both people answered and differ;
    ``alike_on``: on how many "alike" ones both answered the same; ``differs``:
    ``differ_on > 0``. Count them over many pairs, never show them for one.

    ``reasons`` are the pair's strengths (what speaks for it: both people may read
    them) and ``concerns`` what speaks against it (a criterion that scored nothing,
    for the coordinator); neither ever mentions demographics."""

    mentee_id: PersonId
    mentor_id: PersonId
    score: float
    reasons: list[str]
    locked: bool = False
    fit: float = 0.0
    differs: bool = False
    concerns: list[str] = field(default_factory=list)
    differ_on: int = 0
    alike_on: int = 0


@dataclass(frozen=True)
class Unmatched:
    mentee_id: PersonId
    reason: str


@dataclass(frozen=True)
class RejectedLock:
    mentee_id: PersonId
    mentor_id: PersonId
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"mentee": self.mentee_id, "mentor": self.mentor_id, "reason": self.reason}


@dataclass
class MatchResult:
    """What :func:`match_cohort` returns: pairs, unmatched mentees with a reason each,
    locks that could not be kept, and run statistics (counts and seconds)."""

    pairs: list[Pair]
    unmatched: list[Unmatched]
    stats: dict[str, Any]
    rejected_locks: list[RejectedLock] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The bench output format (``pairs``, ``unmatched``, ``stats``)."""
        out: dict[str, Any] = {
            "pairs": [
                {
                    "mentee": p.mentee_id,
                    "mentor": p.mentor_id,
                    "score": p.score,
                    "reasons": p.reasons,
                    "concerns": p.concerns,
                    **({"locked": True} if p.locked else {}),
                }
                for p in self.pairs
            ],
            "unmatched": [{"mentee": u.mentee_id, "reason": u.reason} for u in self.unmatched],
            "stats": self.stats,
        }
        if self.rejected_locks:
            out["rejected_locks"] = [r.as_dict() for r in self.rejected_locks]
        return out


@dataclass(frozen=True, eq=False)
class ScoreChunk:
    """A block of feasible pairs from :func:`feasible_scores` (parallel arrays)."""

    mentee: np.ndarray  # int indices into cohort.mentees
    mentor: np.ndarray  # int indices into cohort.mentors
    score: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.score)


# --------------------------------------------------------------------------- model

# Why a pair is excluded by a sparse rule; a pair with several takes the lowest.
_SELF, _CHAIN, _BLOCKED, _PREVIOUS = 0, 1, 2, 3
_EXCLUSION_WORDS = {
    _SELF: "the same person",
    _CHAIN: "in the reporting line",
    _BLOCKED: "blocked",
    _PREVIOUS: "previously matched",
}
# A categorical criterion becomes GEMM columns (one per distinct mentor value) when
# it has at most this many distinct mentor values; otherwise it is a per-block lookup.
_MAX_ONE_HOT = 256
# Largest nudge used to break ties when choosing candidates; far below any score
# difference a programme's weights can express, far above float32 resolution.
_TIE_BREAK = np.float32(1e-4)


class _Model:
    """Features and hard-rule structures prepared once per run.

    Scores are one float32 matrix product ``A[i] @ B[j]`` (every criterion is linear
    in a one-hot or membership encoding), so a block of pairs costs one BLAS call.
    Seniority and track rules are order relations: per track, mentors are sorted by
    an "effective seniority" so that the mentors allowed for a mentee form a suffix of
    that order.  Reporting lines, blocks, previous pairs and self-pairs are sparse
    and stored as per-mentee exclusion lists.
    """

    def __init__(
        self,
        cohort: Cohort,
        weights: Weights,
        *,
        blocked: PairIds = (),
        previous: PairIds = (),
        allow_previous: bool = False,
    ) -> None:
        me, mo = cohort.mentees, cohort.mentors
        self.cohort, self.weights = cohort, weights
        self.n, self.m = len(me), len(mo)
        self.mentee_index = {pid: i for i, pid in enumerate(me.ids)}
        self.mentor_index = {pid: j for j, pid in enumerate(mo.ids)}
        # Reverse-track rules are traditional rules on negated seniority.
        sign = np.where(me.track == REVERSE, -1.0, 1.0)
        self.key = me.seniority * sign
        self.track = me.track.astype(np.intp)
        self.cols: list[np.ndarray] = []
        self.eff_sorted: list[np.ndarray] = []
        self.rank = np.full((2, self.m), -1, np.intp)
        for t, s in ((TRADITIONAL, 1.0), (REVERSE, -1.0)):
            accepting = np.flatnonzero(mo.accepts[:, t])
            eff = mo.seniority[accepting] * s
            order = np.argsort(eff, kind="stable")
            self.cols.append(accepting[order])
            self.eff_sorted.append(eff[order])
            self.rank[t, accepting[order]] = np.arange(len(accepting))
        self.order = np.lexsort((self.key, self.track))
        self.A, self.B, self.lookups, self.fit_columns = _features(cohort, weights)
        self.B_by_track = [np.ascontiguousarray(self.B[c]) for c in self.cols]
        self._exclusions(cohort, blocked, previous, allow_previous)

    # ----------------------------------------------------------- hard rules
    def _exclusions(
        self,
        cohort: Cohort,
        blocked: PairIds,
        previous: PairIds,
        allow_previous: bool,
    ) -> None:
        parts_i, parts_j, parts_k = [], [], []

        def add(i: np.ndarray, j: np.ndarray, kind: int) -> None:
            parts_i.append(np.asarray(i, np.intp))
            parts_j.append(np.asarray(j, np.intp))
            parts_k.append(np.full(len(parts_i[-1]), kind, np.int8))

        ci, cj, self_i, self_j = _reporting_line_pairs(cohort)
        add(self_i, self_j, _SELF)
        add(ci, cj, _CHAIN)
        add(*self._pairs_to_index(blocked), _BLOCKED)
        if not allow_previous:
            add(*self._pairs_to_index(previous), _PREVIOUS)
        fi, fj, fk = np.concatenate(parts_i), np.concatenate(parts_j), np.concatenate(parts_k)
        # Sort by (mentee, mentor, kind) and keep the first kind of each pair.
        order = np.lexsort((fk, fj, fi))
        fi, fj, fk = fi[order], fj[order], fk[order]
        first = np.ones(len(fi), bool)
        first[1:] = (fi[1:] != fi[:-1]) | (fj[1:] != fj[:-1])
        self.ex_j, self.ex_kind = fj[first], fk[first]
        ex_i = fi[first]
        self.ex_ptr = np.zeros(self.n + 1, np.intp)
        np.cumsum(np.bincount(ex_i, minlength=self.n), out=self.ex_ptr[1:])
        # Exclusions that remove an otherwise allowed (track + seniority) pair.
        t = self.track[ex_i]
        r = self.rank[t, self.ex_j]
        eff = np.where(r >= 0, self._eff_of(t, self.ex_j), -np.inf)
        self.ex_live = (r >= 0) & (eff > self.key[ex_i])
        allowed = np.zeros(self.n, np.intp)
        for tt in (TRADITIONAL, REVERSE):
            rows = self.track == tt
            below = np.searchsorted(self.eff_sorted[tt], self.key[rows], side="right")
            allowed[rows] = len(self.cols[tt]) - below
        self.allowed_by_order = allowed
        self.feasible_count = allowed - np.bincount(ex_i[self.ex_live], minlength=self.n)

    def _eff_of(self, t: np.ndarray, j: np.ndarray) -> np.ndarray:
        sen = self.cohort.mentors.seniority[j]
        return np.where(t == REVERSE, -sen, sen)

    def _pairs_to_index(self, pairs: PairIds) -> tuple[np.ndarray, np.ndarray]:
        ii, jj = [], []
        for a, b in pairs:
            i, j = self.mentee_index.get(a), self.mentor_index.get(b)
            if i is not None and j is not None:
                ii.append(i)
                jj.append(j)
        return np.array(ii, np.intp), np.array(jj, np.intp)

    def exclusions_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(position in ``rows``, mentor index, kind) of every exclusion of ``rows``."""
        starts, ends = self.ex_ptr[rows], self.ex_ptr[rows + 1]
        lens = ends - starts
        total = int(lens.sum())
        if total == 0:
            empty = np.zeros(0, np.intp)
            return empty, empty, np.zeros(0, np.int8)
        local = np.repeat(np.arange(len(rows)), lens)
        offsets = np.arange(total) - np.repeat(np.cumsum(lens) - lens, lens)
        idx = starts[local] + offsets
        return local, self.ex_j[idx], self.ex_kind[idx]

    # ----------------------------------------------------------- scoring
    def blocks(
        self,
        rows: np.ndarray | None = None,
        mentors: np.ndarray | None = None,
        block_entries: int = BLOCK_ENTRIES,
    ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Yield ``(mentee_idx, mentor_idx, scores)`` covering every allowed pair of
        ``rows`` (default: all mentees) with the ``mentors`` selected by a boolean mask
        (default: all).  ``scores`` is float32 with ``-inf`` where a hard rule forbids
        the pair; pairs outside the yielded columns are forbidden by track or seniority.
        """
        by_rule = None if rows is None else np.lexsort((self.key[rows], self.track[rows]))
        rows = self.order if rows is None else rows[by_rule]
        for t in (TRADITIONAL, REVERSE):
            rows_t = rows[self.track[rows] == t]
            keys_t = self.key[rows_t]
            eff_t, cols_t, b_t = self.eff_sorted[t], self.cols[t], self.B_by_track[t]
            if mentors is not None:
                keep = mentors[cols_t]
                eff_t, cols_t, b_t = eff_t[keep], cols_t[keep], b_t[keep]
            local_col = np.full(self.m, -1, np.intp)
            local_col[cols_t] = np.arange(len(cols_t))
            pos = 0
            while pos < len(rows_t):
                kmin = keys_t[pos]
                start = int(np.searchsorted(eff_t, kmin, side="right"))
                ncols = len(cols_t) - start
                if ncols == 0:
                    break  # later rows are at least as senior: nobody allowed
                nrows = max(1, block_entries // ncols)
                end = min(pos + nrows, len(rows_t))
                same_key_end = int(np.searchsorted(keys_t, kmin, side="right"))
                # Prefer blocks of one seniority level (no mask needed) unless that
                # would make the block much smaller.
                if same_key_end < end and same_key_end - pos >= nrows // 4:
                    end = same_key_end
                blk = rows_t[pos:end]
                pos = end
                scores = self.A[blk] @ b_t[start:].T
                for table, code_i, code_j in self.lookups:
                    scores += table[code_i[blk][:, None], code_j[cols_t[start:]][None, :]]
                if keys_t[pos - 1] > kmin:
                    too_senior = eff_t[start:][None, :] <= self.key[blk][:, None]
                    scores[too_senior] = -np.inf
                local, mentor, _ = self.exclusions_of(blk)
                lc = local_col[mentor] - start
                hit = lc >= 0
                scores[local[hit], lc[hit]] = -np.inf
                yield blk, cols_t[start:], scores

    def candidates(self, k: int, mentor_k: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate pairs ``(i, j, score)``: the ``k`` best feasible mentors of every
        mentee (all of them when fewer), topped up so that every mentor with capacity
        has at least its ``mentor_k`` best feasible mentees (all when fewer).

        The top-up matters for cardinality: a mentor nobody ranks highly would
        otherwise get no candidate edge and stay idle while mentees go unmatched.
        """
        out_i, out_j, out_s = [], [], []
        for blk, cols, scores in self.blocks():
            ncols = scores.shape[1]
            if ncols > k:
                # Among (nearly) equal scores prefer the mentor closest in seniority
                # (columns run from the closest allowed level outwards): the most
                # senior mentors stay free for the senior mentees only they can take.
                # The nudge also breaks ties, which makes the selection faster.
                ranked = scores + _TIE_BREAK * np.linspace(1, 0, ncols, dtype=np.float32)
                part = _top_k_columns(ranked, k)
                vals = np.take_along_axis(scores, part, axis=1)
            else:
                part = np.broadcast_to(np.arange(ncols), scores.shape)
                vals = scores
            ok = vals > -np.inf
            out_i.append(np.broadcast_to(blk[:, None], vals.shape)[ok])
            out_j.append(cols[part[ok]])
            out_s.append(vals[ok].astype(np.float64))
        indegree = np.bincount(np.concatenate(out_j), minlength=self.m) if out_j else 0
        lonely = (indegree < mentor_k) & (self.cohort.mentors.capacity > 0)
        if mentor_k and lonely.any():
            # Second pass over the lonely mentors' columns only, best rows kept.
            top_s = np.full((mentor_k, self.m), -np.inf, np.float32)
            top_i = np.zeros((mentor_k, self.m), np.intp)
            for blk, cols, scores in self.blocks(mentors=lonely):
                nrows = scores.shape[0]
                if nrows > mentor_k:
                    part = np.argpartition(scores, nrows - mentor_k, axis=0)[nrows - mentor_k :]
                    vals = np.take_along_axis(scores, part, axis=0)
                else:
                    part = np.broadcast_to(np.arange(nrows)[:, None], scores.shape)
                    vals = scores
                merged_s = np.vstack([top_s[:, cols], vals])
                merged_i = np.vstack([top_i[:, cols], blk[part]])
                best = np.argpartition(merged_s, len(merged_s) - mentor_k, axis=0)[-mentor_k:]
                top_s[:, cols] = np.take_along_axis(merged_s, best, axis=0)
                top_i[:, cols] = np.take_along_axis(merged_i, best, axis=0)
            ok = top_s > -np.inf
            out_i.append(top_i[ok])
            out_j.append(np.broadcast_to(np.arange(self.m), top_s.shape)[ok])
            out_s.append(top_s[ok].astype(np.float64))
        if not out_i:
            empty = np.zeros(0, np.intp)
            return empty, empty, np.zeros(0)
        ci, cj, cs = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s)
        _, first = np.unique(ci * self.m + cj, return_index=True)
        return ci[first], cj[first], cs[first]

    def pair_scores(self, i: np.ndarray, j: np.ndarray, *, fit_only: bool = False) -> np.ndarray:
        """Scores of given pairs (assumed feasible), same arithmetic as :meth:`blocks`.
        ``fit_only`` leaves out the attribute terms (the last feature columns), so the
        result does not depend on anyone's demographics, to the last bit."""
        cols = self.fit_columns if fit_only else self.A.shape[1]
        out = np.empty(len(i))
        for lo in range(0, len(i), 65536):  # bounded temporaries
            ii, jj = i[lo : lo + 65536], j[lo : lo + 65536]
            s = np.einsum("ij,ij->i", self.A[ii, :cols], self.B[jj, :cols], dtype=np.float32)
            for table, code_i, code_j in self.lookups:
                s += table[code_i[ii], code_j[jj]]
            out[lo : lo + 65536] = s
        return out


def _top_k_columns(values: np.ndarray, k: int) -> np.ndarray:
    """Columns of the ``k`` largest values of each row (``k`` < columns), in no order.

    Same choice as a full ``argpartition`` but several times faster on wide rows: a
    strided sample of the columns estimates a threshold that about ``2 k`` entries
    of a row reach; only those are sorted.  A row where fewer than ``k`` reach it
    (the sample was unlucky) is partitioned in full.  Among equal values the
    leftmost columns win.
    """
    nrows, ncols = values.shape
    if ncols < 32 * k:  # narrow rows: sorting the survivors would cost more
        return np.argpartition(values, ncols - k, axis=1)[:, ncols - k :]
    step = min(16, ncols // (8 * k))
    sample = values[:, ::step]
    q = min(sample.shape[1], 2 * k // step + 2)
    threshold = np.partition(sample, sample.shape[1] - q, axis=1)[:, sample.shape[1] - q]
    r, c = np.nonzero(values >= threshold[:, None])
    short = np.flatnonzero(np.bincount(r, minlength=nrows) < k)
    if len(short):
        keep = ~np.isin(r, short)
        r, c = r[keep], c[keep]
        full = np.argpartition(values[short], ncols - k, axis=1)[:, ncols - k :]
        r = np.concatenate([r, np.repeat(short, k)])
        c = np.concatenate([c, full.reshape(-1)])
    order = np.lexsort((c, -values[r, c], r))
    r, c = r[order], c[order]
    position = np.arange(len(r)) - np.searchsorted(r, np.arange(nrows))[r]
    return c[position < k].reshape(nrows, k)


def _reporting_line_pairs(
    cohort: Cohort,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mentee, mentor) index pairs in one reporting line, and same-person pairs.

    Every person id (cohort members, their managers and the extra org chart) is a
    node with at most one parent; a pair is in one line when either person is an
    ancestor of the other at any depth.
    """
    me, mo = cohort.mentees, cohort.mentors
    node: dict[PersonId, int] = {}
    parent_of: dict[PersonId, PersonId] = {}
    for side in (me, mo):
        for pid, boss in zip(side.ids, side.manager, strict=True):
            node.setdefault(pid, len(node))
            if boss is not None:
                if parent_of.get(pid, boss) != boss:
                    raise ValueError(f"person {pid!r} has two different managers")
                parent_of[pid] = boss
    for pid, boss in cohort.managers.items():
        if boss is not None:
            parent_of.setdefault(pid, boss)
    for pid, boss in list(parent_of.items()):
        node.setdefault(pid, len(node))
        node.setdefault(boss, len(node))
    parent = np.full(len(node), -1, np.intp)
    for pid, boss in parent_of.items():
        if boss != pid:
            parent[node[pid]] = node[boss]
    mentee_of = np.full(len(node), -1, np.intp)
    mentor_of = np.full(len(node), -1, np.intp)
    mentee_of[[node[p] for p in me.ids]] = np.arange(len(me))
    mentor_of[[node[p] for p in mo.ids]] = np.arange(len(mo))
    desc, anc = _ancestor_pairs(parent)
    pairs_i, pairs_j = [], []
    for down, up in ((desc, anc), (anc, desc)):  # boss is the mentor, then the mentee
        i, j = mentee_of[down], mentor_of[up]
        ok = (i >= 0) & (j >= 0)
        pairs_i.append(i[ok])
        pairs_j.append(j[ok])
    both = np.flatnonzero((mentee_of >= 0) & (mentor_of >= 0))
    return (np.concatenate(pairs_i), np.concatenate(pairs_j), mentee_of[both], mentor_of[both])


def _ancestor_pairs(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All (node, ancestor) pairs of a parent forest that may contain cycles."""
    has_parent = parent >= 0
    safe_parent = np.where(has_parent, parent, 0)
    # Nodes whose chain ends at a root; they are walked together, one level a step.
    rooted = ~has_parent
    while True:
        grown = rooted | (has_parent & rooted[safe_parent])
        if np.array_equal(grown, rooted):
            break
        rooted = grown
    out_d, out_a = [], []
    src = np.flatnonzero(rooted & has_parent)
    cur = parent[src]
    while len(src):
        out_d.append(src)
        out_a.append(cur)
        cur = parent[cur]
        keep = cur >= 0
        src, cur = src[keep], cur[keep]
    # Chains that run into a cycle (a data error): walk each with a seen-set so the
    # walk ends; their ancestors are themselves never rooted, so this stays small.
    for v in np.flatnonzero(~rooted):
        seen: list[int] = []
        seen_set = {int(v)}
        a = int(parent[v])
        while a >= 0 and a not in seen_set:
            seen.append(a)
            seen_set.add(a)
            a = int(parent[a])
        out_d.append(np.full(len(seen), v, np.intp))
        out_a.append(np.array(seen, np.intp))
    if not out_d:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    return np.concatenate(out_d), np.concatenate(out_a)


def _features(
    cohort: Cohort, w: Weights
) -> tuple[np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray, np.ndarray]], int]:
    """Mentee features ``A`` and mentor features ``B`` with ``score = A @ B.T``, plus
    lookup tables ``(table, mentee_code, mentor_code)`` for wide categorical terms,
    and the number of leading columns that make the fit: the attribute terms'
    columns come last, so ``A[:, :n] @ B[:, :n].T`` is the score without it."""
    me, mo = cohort.mentees, cohort.mentors
    cols_a: list[np.ndarray] = [np.full((len(me), 1), w.base)]
    cols_b: list[np.ndarray] = [np.ones((len(mo), 1))]
    lookups: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def shares(weight: float, want: np.ndarray, have: np.ndarray) -> None:
        # weight * |want & have| / |want|, over the vocabulary both sides use
        used = want.any(axis=0) & have.any(axis=0)
        if weight and used.any():
            count = np.maximum(want.sum(axis=1, keepdims=True), 1)
            cols_a.append(weight * want[:, used] / count)
            cols_b.append(have[:, used])

    def categorical(keys_i: np.ndarray, keys_j: np.ndarray, table_fn: Any) -> None:
        ui, inv_i = np.unique(keys_i, axis=0, return_inverse=True)
        uj, inv_j = np.unique(keys_j, axis=0, return_inverse=True)
        table = np.asarray(table_fn(ui, uj), np.float64)
        if not table.any():
            return
        inv_i, inv_j = inv_i.reshape(-1), inv_j.reshape(-1)
        if len(uj) <= _MAX_ONE_HOT:
            cols_a.append(table[inv_i])
            cols_b.append(np.eye(len(uj))[inv_j])
        else:
            lookups.append((table.astype(np.float32), inv_i, inv_j))

    shares(w.goal_skill, me.goals, mo.skills)
    shares(w.topic, me.topics, mo.topics)
    if w.language:
        categorical(
            me.languages,
            mo.languages,
            lambda a, b: w.language * (a.astype(np.int32) @ b.T.astype(np.int32) > 0),
        )
    if w.timezone:

        def tz_table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            d = np.abs(a[:, None] - b[None, :])
            with np.errstate(invalid="ignore"):
                near = np.where(d <= w.timezone_near_hours, 0.5, 0.0)
                return w.timezone * np.where(d < 1e-9, 1.0, near)

        categorical(me.tz_offset, mo.tz_offset, tz_table)
    if w.meeting_format and cohort.meeting_formats:
        formats = cohort.meeting_formats
        flex = formats.index(FLEXIBLE_FORMAT) if FLEXIBLE_FORMAT in formats else -2

        def fmt_table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            a, b = a[:, None], b[None, :]
            fits = (a == b) | (a == flex) | (b == flex)
            return w.meeting_format * (fits & (a >= 0) & (b >= 0))

        categorical(me.meeting_format, mo.meeting_format, fmt_table)
    if w.cross_dept or w.cross_dept_reverse:

        def dept_table(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            weight = np.where(a[:, 1] == REVERSE, w.cross_dept_reverse, w.cross_dept)
            differ = (a[:, :1] != b[None, :]) & (a[:, :1] >= 0) & (b[None, :] >= 0)
            return weight[:, None] * differ

        categorical(np.stack([me.department, me.track], axis=1), mo.department, dept_table)
    fit_columns = sum(part.shape[1] for part in cols_a)
    reverse = (me.track == REVERSE).astype(np.float64)
    for f, aim, weight, reverse_only in _attribute_terms(cohort, w):
        # differ = known_i * known_j - [same answer]; alike = [same answer]: both
        # linear in (known, one-hot answer) encodings on both sides, and an unknown
        # answer (-1) is the zero row, so it adds nothing either way.
        vi, vj = me.demographics[:, f], mo.demographics[:, f]
        width = int(max(vi.max(initial=-1), vj.max(initial=-1))) + 1
        if width == 0:
            continue
        scale = (weight * (reverse if reverse_only else np.ones(len(me))))[:, None]
        eye = np.vstack([np.eye(width), np.zeros((1, width))])  # row -1: no answer
        if aim == "differ":
            cols_a.append(scale * np.hstack([(vi >= 0)[:, None], -eye[vi]]))
            cols_b.append(np.hstack([(vj >= 0)[:, None], eye[vj]]))
        else:
            cols_a.append(scale * eye[vi])
            cols_b.append(eye[vj])
    A = np.hstack(cols_a).astype(np.float32)
    B = np.hstack(cols_b).astype(np.float32)
    return np.ascontiguousarray(A), np.ascontiguousarray(B), lookups, fit_columns


def _attribute_terms(cohort: Cohort, w: Weights) -> list[tuple[int, str, float, bool]]:
    """The attribute terms as (field index, aim, weight, reverse track only): the
    programme's chosen attributes, or else the bench format's ``diversity`` spread
    over the cohort's fields as "differ", on the reverse track only."""
    fields = cohort.demographic_fields
    if w.attributes:
        index = {name: f for f, name in enumerate(fields)}
        missing = [a.field for a in w.attributes if a.field not in index]
        if missing:
            raise ValueError(f"attributes not among the cohort's fields: {', '.join(missing)}")
        return [(index[a.field], a.aim, a.weight, False) for a in w.attributes if a.weight]
    if w.diversity and fields:
        return [(f, "differ", w.diversity / len(fields), True) for f in range(len(fields))]
    return []


# --------------------------------------------------------------------------- assignment


def _solve(
    n: int,
    ci: np.ndarray,
    cj: np.ndarray,
    cs: np.ndarray,
    capacity: np.ndarray,
    *,
    spread: float = 0.0,
    load: np.ndarray | None = None,
    certificate: dict[str, Any] | None = None,
) -> np.ndarray:
    """Assignment on the edges ``(ci, cj, cs)``: the most mentees matched, then the
    highest total score less the spread cost, within mentor ``capacity``.
    Returns the mentor of each mentee, ``-1`` when unmatched.

    From ``AUCTION_MIN_ROWS`` mentees, when every one of them can be matched at
    once, an auction solves it (:func:`_auction`) and ``certificate["gap"]`` gets
    how far below the optimum the result may be at most; otherwise the exact solve
    below runs.

    Each mentor becomes ``capacity`` slots, every row gets a private "unmatched"
    column, and scipy's LAPJVsp finds the minimum-cost full matching.  Real edges
    cost ``BIG - score`` and unmatched columns ``2 * BIG`` with ``BIG`` above any
    possible total, so one more matched pair always beats any score difference.

    The spread preference is a convex cost per mentor: slot ``s`` of a mentor who
    already has ``load`` mentees costs ``spread * (load + s)`` more.  Any of a
    mentor's candidates may take any of its slots, so a minimum-cost matching fills
    the cheaper slots first, and a mentor given ``L`` mentees costs exactly the sum
    of its first ``L`` slots: the solve stays exact for score minus spread cost.
    """
    result = np.full(n, -1, np.intp)
    keep = capacity[cj] > 0
    ci, cj, cs = ci[keep], cj[keep], cs[keep]
    if len(ci) == 0:
        return result
    rows, row_of = np.unique(ci, return_inverse=True)
    mentors, col_of = np.unique(cj, return_inverse=True)
    # A mentor never needs more slots than it has candidate mentees.
    slots = np.minimum(capacity[mentors], np.bincount(col_of))
    first_slot = np.concatenate([[0], np.cumsum(slots)])
    n_slots = int(first_slot[-1])
    reps = slots[col_of]
    edge_rows = np.repeat(row_of, reps)
    offset = np.arange(int(reps.sum())) - np.repeat(np.cumsum(reps) - reps, reps)
    edge_cols = np.repeat(first_slot[col_of], reps) + offset
    nr = len(rows)
    slot_mentor = np.repeat(mentors, slots)
    held = np.zeros(len(mentors), np.intp) if load is None else load[mentors].astype(np.intp)
    # The slot's position among its mentor's slots, plus the mentees held already.
    position = np.arange(n_slots) - np.repeat(first_slot[:-1], slots) + np.repeat(held, slots)
    if nr >= AUCTION_MIN_ROWS and n_slots >= nr and _every_row_matches(edge_rows, edge_cols, nr, n_slots):
        order = np.argsort(row_of, kind="stable")
        row_ptr = np.zeros(nr + 1, np.intp)
        np.cumsum(np.bincount(row_of, minlength=nr), out=row_ptr[1:])
        slot, gap = _auction(row_ptr, col_of[order], cs[order], first_slot, spread * position, AUCTION_EPS)
        result[rows] = slot_mentor[slot]
        if certificate is not None:
            certificate.update(method="auction", gap=gap)
        return result
    held_max = int(held.max(initial=0))
    worst_extra = spread * (held_max + int(slots.max(initial=1)))
    big = 2.0 * (float(cs.max(initial=0.0)) + worst_extra + 1.0) * (max(nr, n_slots) + 1)
    costs = big - np.repeat(cs, reps)
    if spread:
        costs = costs + spread * position[edge_cols]
    # LAPJVsp spends most of its time on rows that end on their "unmatched" column,
    # so put the side with fewer expected leftovers on the rows: mentees when slots
    # are plentiful, slots when mentees outnumber them.
    if n_slots >= nr:
        graph = _with_dummies(costs, edge_rows, edge_cols, nr, n_slots, big)
        r, c = min_weight_full_bipartite_matching(graph)
        real = c < n_slots
        result[rows[r[real]]] = slot_mentor[c[real]]
    else:
        graph = _with_dummies(costs, edge_cols, edge_rows, n_slots, nr, big)
        r, c = min_weight_full_bipartite_matching(graph)
        real = c < nr
        result[rows[c[real]]] = slot_mentor[r[real]]
    return result


def _auction(
    row_ptr: np.ndarray,
    edge_mentor: np.ndarray,
    edge_score: np.ndarray,
    first_slot: np.ndarray,
    slot_cost: np.ndarray,
    eps: float,
) -> tuple[np.ndarray, float]:
    """Forward auction (Bertsekas, Jacobi bidding) for the assignment of every row to
    its own mentor slot, maximising score less slot cost; each row's edges are
    ``edge_mentor[row_ptr[r]:row_ptr[r + 1]]``. Returns each row's slot and an upper
    how far below the optimum it may be at most: an upper bound on the optimum from
    the final prices, less what was achieved (by eps-complementary slackness, at most
    ``(rows + spare slots) * eps``).

    Needs a matching of every row (the caller checks). Spare slots are taken by
    implicit "nobody" rows that value every slot at 0, which makes the problem
    square, so prices may rise without a bound on the unused slots.  A mentor's
    slots differ only in cost, so every row sees the same best slot of a mentor:
    bids run over mentor edges, not slot edges, which halves the work.
    """
    n = len(row_ptr) - 1
    n_slots = len(slot_cost)
    nobody = n_slots - n
    mentor_of_slot = np.repeat(np.arange(len(first_slot) - 1), np.diff(first_slot))
    degree = np.diff(row_ptr)
    price = np.zeros(n_slots)
    owner = np.full(n_slots, -1, np.intp)  # row, or n for a "nobody" row
    slot_of = np.full(n, -1, np.intp)
    # Per mentor: its cheapest slot (cost + price) and the next cheapest.
    best_slot, best_cost, next_cost = _cheapest_slots(first_slot, slot_cost, price)
    free = np.arange(n)
    free_nobody = nobody
    while len(free) or free_nobody:
        targets, bids, bidders = [], [], []
        if len(free):
            lens = degree[free]
            seg = np.zeros(len(free), np.intp)
            np.cumsum(lens[:-1], out=seg[1:])
            edge = np.arange(int(lens.sum())) + np.repeat(row_ptr[free] - seg, lens)
            mentor = edge_mentor[edge]
            value = edge_score[edge] - best_cost[mentor]
            best = np.maximum.reduceat(value, seg)
            at_best = np.flatnonzero(value == np.repeat(best, lens))
            first = at_best[np.searchsorted(at_best, seg)]  # first best edge of each row
            top_mentor = mentor[first]
            # The next best: another mentor, or the same mentor's next slot.
            value[first] = edge_score[edge[first]] - next_cost[top_mentor]
            second = np.maximum.reduceat(value, seg)
            second = np.maximum(second, best - _AUCTION_LONE_BID)  # a row with one option
            slot = best_slot[top_mentor]
            targets.append(slot)
            bids.append(price[slot] + best - second + eps)
            bidders.append(free)
        else:
            # "Nobody" rows bid only when no real row is free (any subset of the free
            # may bid in a round), so the scan over all prices stays rare. They take
            # the f cheapest slots, each bid up to just above the next cheapest.
            f = min(free_nobody, n_slots - 1)
            part = np.argpartition(price, f)
            targets.append(part[:f])
            bids.append(np.full(f, price[part[f]] + eps))
            bidders.append(np.full(f, n, np.intp))
        target, bid, bidder = np.concatenate(targets), np.concatenate(bids), np.concatenate(bidders)
        order = np.lexsort((-bid, target))  # highest bid per slot wins; ties: a row first
        target_sorted = target[order]
        win = order[np.r_[True, target_sorted[1:] != target_sorted[:-1]]]
        won, winner = target[win], bidder[win]
        previous = owner[won]
        owner[won] = winner
        price[won] = bid[win]
        real = winner < n
        slot_of[winner[real]] = won[real]
        outbid = previous[(previous >= 0) & (previous < n)]
        slot_of[outbid] = -1
        free_nobody += int((previous == n).sum()) - int((~real).sum())
        # Still free: the bidders who lost, and the rows outbid.
        free = np.sort(np.concatenate([free[slot_of[free] < 0], outbid]))
        touched = np.unique(mentor_of_slot[won])
        _update_cheapest(first_slot, slot_cost, price, touched, best_slot, best_cost, next_cost)
    # Dual bound: every row takes its best value at the final prices, "nobody" rows
    # the cheapest slot, plus the sum of prices.
    value = edge_score - best_cost[edge_mentor]
    row_best = np.maximum.reduceat(value, row_ptr[:-1]) if n else np.zeros(0)
    bound = float(row_best.sum() + price.sum() - nobody * (price.min() if nobody else 0.0))
    # What the assignment achieved (edges are sorted by row, then mentor).
    row_of_edge = np.repeat(np.arange(n), degree)
    keys = row_of_edge * len(best_cost) + edge_mentor
    chosen = np.searchsorted(keys, np.arange(n) * len(best_cost) + mentor_of_slot[slot_of])
    achieved = float(edge_score[chosen].sum() - slot_cost[slot_of].sum())
    return slot_of, bound - achieved


def _cheapest_slots(
    first_slot: np.ndarray, slot_cost: np.ndarray, price: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = len(first_slot) - 1
    best_slot = np.zeros(m, np.intp)
    best_cost = np.zeros(m)
    next_cost = np.zeros(m)
    _update_cheapest(first_slot, slot_cost, price, np.arange(m), best_slot, best_cost, next_cost)
    return best_slot, best_cost, next_cost


def _update_cheapest(
    first_slot: np.ndarray,
    slot_cost: np.ndarray,
    price: np.ndarray,
    mentors: np.ndarray,
    best_slot: np.ndarray,
    best_cost: np.ndarray,
    next_cost: np.ndarray,
) -> None:
    """Refresh, for ``mentors``, the cheapest slot (cost plus price) and the next
    cheapest one's (``inf`` for a mentor with one slot)."""
    if not len(mentors):
        return
    lens = first_slot[mentors + 1] - first_slot[mentors]
    seg = np.zeros(len(mentors), np.intp)
    np.cumsum(lens[:-1], out=seg[1:])
    slots = np.arange(int(lens.sum())) + np.repeat(first_slot[mentors] - seg, lens)
    c = slot_cost[slots] + price[slots]
    low = np.minimum.reduceat(c, seg)
    at_low = np.flatnonzero(c == np.repeat(low, lens))
    first = at_low[np.searchsorted(at_low, seg)]
    best_slot[mentors] = slots[first]
    best_cost[mentors] = low
    c[first] = np.inf
    next_cost[mentors] = np.minimum.reduceat(c, seg)


def _every_row_matches(er: np.ndarray, ec: np.ndarray, n_rows: int, n_cols: int) -> bool:
    """Whether every row can be matched at once (Hopcroft-Karp on the slot graph)."""
    graph = csr_matrix((np.ones(len(er), np.int8), (er, ec)), shape=(n_rows, n_cols))
    return bool((maximum_bipartite_matching(graph, perm_type="column") >= 0).all())


def _with_dummies(
    costs: np.ndarray, er: np.ndarray, ec: np.ndarray, n_rows: int, n_cols: int, big: float
) -> csr_matrix:
    """Biadjacency matrix with a private "unmatched" column (cost ``2 * big``) per row,
    so a full matching always exists."""
    return csr_matrix(
        (
            np.concatenate([costs, np.full(n_rows, 2.0 * big)]),
            (
                np.concatenate([er, np.arange(n_rows)]),
                np.concatenate([ec, n_cols + np.arange(n_rows)]),
            ),
        ),
        shape=(n_rows, n_cols + n_rows),
    )


def _augment_to_max_cardinality(
    model: _Model,
    mentor_of: np.ndarray,
    capacity: np.ndarray,
    active: np.ndarray,
) -> int:
    """Grow ``mentor_of`` (in place) to a maximum-cardinality matching over *all*
    feasible pairs of the ``active`` mentees; returns the number of augmenting paths.

    Hopcroft-Karp style: each phase grows alternating layers from every unmatched
    mentee (mentee -> any feasible mentor -> the mentees that mentor holds -> ...)
    until it reaches mentors with spare capacity, then applies disjoint paths.  Rows
    are scored on demand and only against mentors not reached yet, so the full pair
    graph is never stored.  A phase that reaches every mentor without finding spare
    capacity proves the matching is maximum.
    """
    rng = np.random.default_rng(0)  # tie-breaking only; results stay deterministic
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=model.m)
    augmented = 0
    while True:
        roots = np.flatnonzero(active & (mentor_of < 0) & (model.feasible_count > 0))
        if len(roots) == 0:
            return augmented
        reached_by = np.full(model.m, -1, np.intp)  # the mentee a mentor was reached from
        seen = np.zeros(model.n, bool)
        seen[roots] = True
        frontier, free = roots, np.zeros(0, np.intp)
        while len(frontier):
            unreached = reached_by < 0
            layer = []
            for blk, cols, scores in model.blocks(frontier, mentors=unreached):
                ok = scores > -np.inf
                hit = np.flatnonzero(ok.any(axis=0))
                hit = hit[reached_by[cols[hit]] < 0]
                if len(hit) == 0:
                    continue
                # A random feasible row per mentor, so that different free mentors
                # tend to lead back to different unmatched mentees.
                priority = rng.random((len(blk), len(hit)), dtype=np.float32)
                priority[~ok[:, hit]] = -1.0
                reached_by[cols[hit]] = blk[priority.argmax(axis=0)]
                layer.append(cols[hit])
            if not layer:
                break
            reached = np.concatenate(layer)
            free = reached[load[reached] < capacity[reached]]
            if len(free) or (reached_by >= 0).all():
                break
            frontier = np.flatnonzero(active & ~seen & np.isin(mentor_of, reached))
            seen[frontier] = True
        if len(free) == 0:
            return augmented
        used = np.zeros(model.n, bool)
        for j in free:
            path: list[tuple[int, int]] = []
            mentor = int(j)
            while mentor >= 0:
                i = int(reached_by[mentor])
                if used[i]:
                    path = []
                    break
                path.append((i, mentor))
                mentor = int(mentor_of[i])
            for i, mentor in path:
                used[i] = True
                mentor_of[i] = mentor
            if path:
                load[int(j)] += 1
                augmented += 1


# --------------------------------------------------------------------------- public API


def match_cohort(
    cohort: Cohort,
    weights: Weights | None = None,
    *,
    k: int | None = DEFAULT_K,
    mentor_k: int = DEFAULT_MENTOR_K,
    blocked: PairIds = (),
    forbidden: PairIds = (),
    previous: PairIds = (),
    allow_previous: bool = False,
    locked: PairIds = (),
    wording: Wording | None = None,
) -> MatchResult:
    """Propose mentors for the cohort's mentees.

    Objective, in order: keep every feasible ``locked`` pair; match as many mentees
    as possible (exactly the maximum over all feasible pairs); then the highest total
    score less the spread cost (``Weights.spread``), exactly optimal over the
    candidate pairs (each mentee's ``k`` best mentors, each mentor's ``mentor_k``
    best mentees when few mentees rank it, and the pairs the cardinality repair
    adds).  ``k=None`` uses every feasible pair, which is exact but needs memory for
    all of them.  ``wording`` names the criteria in the explanations (default: the
    engine's own words, as in the bench files).

    ``blocked`` and ``forbidden`` pairs are never proposed (the coordinator's
    must-not-pair list and the console's forbids); ``previous`` pairs are not
    proposed unless ``allow_previous``.  Pairs are ``(mentee_id, mentor_id)``; ids not
    in the cohort are ignored.
    """
    if k is not None and k < 1:
        raise ValueError("k must be at least 1 (or None for every feasible pair)")
    started = time.perf_counter()
    weights = weights or Weights()
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    peak_mb: dict[str, int] = {}
    cpu_since = [time.process_time()]

    def lap(name: str, since: float) -> float:
        # Wall and CPU seconds and the peak memory so far, per phase: on a shared
        # machine only CPU seconds compare between runs.
        now, cpu = time.perf_counter(), time.process_time()
        timings[name] = round(now - since, 3)
        cpu_timings[name] = round(cpu - cpu_since[0], 3)
        cpu_since[0] = cpu
        peak_mb[name] = _peak_mb()
        return now

    model = _Model(
        cohort,
        weights,
        blocked=[*blocked, *forbidden],
        previous=previous,
        allow_previous=allow_previous,
    )
    capacity = cohort.mentors.capacity.astype(np.intp).copy()
    locked_to = np.full(model.n, -1, np.intp)
    rejected: list[RejectedLock] = []
    for mentee_id, mentor_id in locked:
        reason = _lock_problem(model, mentee_id, mentor_id, locked_to, capacity)
        if reason:
            rejected.append(RejectedLock(mentee_id, mentor_id, reason))
            continue
        i, j = model.mentee_index[mentee_id], model.mentor_index[mentor_id]
        locked_to[i] = j
        capacity[j] -= 1
    free_rows = locked_to < 0
    # Locked pairs come first, so for the spread they are mentees the mentor already has.
    load = cohort.mentors.load.astype(np.intp) + np.bincount(locked_to[~free_rows], minlength=model.m)
    spread = {"spread": weights.spread, "load": load}
    t = lap("prepare", started)

    ci, cj, cs = model.candidates(model.m if k is None else k, mentor_k)
    keep = free_rows[ci]
    ci, cj, cs = ci[keep], cj[keep], cs[keep]
    t = lap("candidates", t)

    # The auction (large cohorts) says how far from the optimum it may be; exact: 0.
    certificate: dict[str, Any] = {"method": "exact", "gap": 0.0}
    mentor_of = _solve(model.n, ci, cj, cs, capacity, **spread, certificate=certificate)
    t = lap("assign", t)

    repaired = mentor_of.copy()
    paths = _augment_to_max_cardinality(model, repaired, capacity, free_rows)
    if paths:
        # Add the repaired matching's edges and solve again: the candidate graph now
        # holds a maximum matching, so the exact solve keeps that size and only
        # improves the score.
        rows = np.flatnonzero(repaired >= 0)
        keys = np.concatenate([ci * model.m + cj, rows * model.m + repaired[rows]])
        ci = np.concatenate([ci, rows])
        cj = np.concatenate([cj, repaired[rows]])
        cs = np.concatenate([cs, model.pair_scores(rows, repaired[rows])])
        _, first = np.unique(keys, return_index=True)
        ci, cj, cs = ci[first], cj[first], cs[first]
        mentor_of = _solve(model.n, ci, cj, cs, capacity, **spread, certificate=certificate)
    t = lap("repair", t)

    mentor_of[~free_rows] = locked_to[~free_rows]
    matched = np.flatnonzero(mentor_of >= 0)
    # Candidate keys are sorted and unique, so pair scores are found by bisection;
    # a locked pair that was never a candidate is scored directly.
    edge_keys = ci * model.m + cj
    want = matched * model.m + mentor_of[matched]
    at = np.minimum(np.searchsorted(edge_keys, want), max(len(edge_keys) - 1, 0))
    found = edge_keys[at] == want if len(edge_keys) else np.zeros(len(want), bool)
    scores = np.where(found, cs[at] if len(cs) else 0.0, 0.0)
    missing = ~found
    scores[missing] = model.pair_scores(matched[missing], mentor_of[matched[missing]])
    fits = model.pair_scores(matched, mentor_of[matched], fit_only=True)
    differ_on, alike_on = _attribute_counts(cohort, weights, matched, mentor_of[matched])
    explainer = _Explainer(cohort, weights, wording or Wording())
    pairs: list[Pair] = []
    rows = zip(matched.tolist(), scores.tolist(), fits.tolist(), differ_on.tolist(), alike_on.tolist(), strict=True)
    for i, score, fit, differ, alike in rows:
        j = int(mentor_of[i])
        strengths, concerns = explainer.explain(i, j)
        ids = (cohort.mentees.ids[i], cohort.mentors.ids[j])
        pairs.append(Pair(*ids, round(score, 4), strengths, bool(locked_to[i] >= 0), fit=round(fit, 4),
                          differs=differ > 0, concerns=concerns, differ_on=differ, alike_on=alike))  # fmt: skip
    # What the spread preference cost: a mentor who had h mentees and is given g more
    # costs spread * (h + (h + 1) + ... + (h + g - 1)) = spread * (g*h + g(g-1)/2).
    given = np.bincount(mentor_of[matched], minlength=model.m).astype(np.float64)
    held = cohort.mentors.load.astype(np.float64)
    spread_cost = weights.spread * float((given * held + given * (given - 1) / 2).sum())
    now_held = held + given
    left_out = np.flatnonzero(mentor_of < 0).tolist()
    unmatched = [Unmatched(cohort.mentees.ids[i], _unmatched_reason(model, i)) for i in left_out]
    lap("explain", t)
    stats = {
        "seconds": round(time.perf_counter() - started, 3),
        "mentees": model.n,
        "mentors": model.m,
        "capacity": int(cohort.mentors.capacity.sum()),
        "feasible_pairs": int(model.feasible_count.sum()),
        "candidates_kept": len(ci),
        "k": k,
        "mentor_k": mentor_k,
        "matched": len(pairs),
        "unmatched": len(unmatched),
        "locked": int((~free_rows).sum()),
        "total_score": round(sum(p.score for p in pairs), 4),
        "spread_cost": round(spread_cost, 4),
        "objective": round(sum(p.score for p in pairs) - spread_cost, 4),
        # How even the load is: mentors with two or more mentees, and mentors with
        # room in this run who have none at all.
        "most_mentees_per_mentor": int(now_held.max(initial=0)),
        "mentors_with_2_or_more": int((now_held >= 2).sum()),
        "mentors_with_room_and_none": int(((now_held == 0) & (cohort.mentors.capacity > 0)).sum()),
        "repair_paths": paths,
        # The optimum over the candidates is at most objective + assignment_gap.
        "assignment": certificate["method"],
        "assignment_gap": round(certificate["gap"], 4),
        "phase_seconds": timings,
        "phase_cpu_seconds": cpu_timings,
        "phase_peak_mb": peak_mb,
    }
    return MatchResult(pairs, unmatched, stats, rejected)


def _peak_mb() -> int:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def feasible_scores(
    cohort: Cohort,
    weights: Weights | None = None,
    *,
    blocked: PairIds = (),
    forbidden: PairIds = (),
    previous: PairIds = (),
    allow_previous: bool = False,
    block_entries: int = BLOCK_ENTRIES,
) -> Iterator[ScoreChunk]:
    """Every feasible pair with its score, in blocks of bounded size (for audits and
    exports).  Memory stays flat whatever the cohort size; the scores are the ones
    :func:`match_cohort` uses."""
    model = _Model(
        cohort,
        weights or Weights(),
        blocked=[*blocked, *forbidden],
        previous=previous,
        allow_previous=allow_previous,
    )
    for blk, cols, scores in model.blocks(block_entries=block_entries):
        r, c = np.nonzero(scores > -np.inf)
        yield ScoreChunk(blk[r], cols[c], scores[r, c].astype(np.float64))


def stable_match(
    mentee_prefs: Mapping[PersonId, Sequence[PersonId]],
    mentor_prefs: Mapping[PersonId, Sequence[PersonId]],
    capacities: Mapping[PersonId, int],
) -> dict[PersonId, PersonId]:
    """Participant-choice mode: mentee-proposing deferred acceptance with capacities
    (hospitals/residents).  Returns ``{mentee: mentor}``.

    A pair is acceptable only when each side ranks the other; the result has no
    blocking pair and is the best stable outcome for every mentee.  Runs in
    O(total preference length): each mentee proposes down its list once, and each
    mentor finds its worst held mentee with a pointer that only moves up its list.
    Mentors missing from ``capacities`` take one mentee.
    """
    rank: dict[PersonId, dict[PersonId, int]] = {}
    for mentor, prefs in mentor_prefs.items():
        ranks: dict[PersonId, int] = {}
        for mentee in prefs:
            ranks.setdefault(mentee, len(ranks))
        rank[mentor] = ranks
    ordered = {mentor: list(r) for mentor, r in rank.items()}  # rank -> mentee
    worst = {mentor: len(r) - 1 for mentor, r in rank.items()}
    held: dict[PersonId, set[PersonId]] = {mentor: set() for mentor in rank}
    next_choice = dict.fromkeys(mentee_prefs, 0)
    match: dict[PersonId, PersonId] = {}
    free = list(mentee_prefs)
    while free:
        mentee = free.pop()
        prefs = mentee_prefs[mentee]
        while next_choice[mentee] < len(prefs):
            mentor = prefs[next_choice[mentee]]
            next_choice[mentee] += 1
            my_rank = rank.get(mentor, {}).get(mentee)
            if my_rank is None:
                continue  # the mentor did not rank this mentee
            cap = capacities.get(mentor, 1)
            if cap <= 0:
                continue
            if len(held[mentor]) < cap:
                held[mentor].add(mentee)
                match[mentee] = mentor
                break
            while ordered[mentor][worst[mentor]] not in held[mentor]:
                worst[mentor] -= 1
            if my_rank < worst[mentor]:
                evicted = ordered[mentor][worst[mentor]]
                held[mentor].discard(evicted)
                del match[evicted]
                free.append(evicted)
                worst[mentor] -= 1
                held[mentor].add(mentee)
                match[mentee] = mentor
                break
    return match


# --------------------------------------------------------------------------- explaining


def _lock_problem(
    model: _Model,
    mentee_id: PersonId,
    mentor_id: PersonId,
    locked_to: np.ndarray,
    capacity: np.ndarray,
) -> str | None:
    i, j = model.mentee_index.get(mentee_id), model.mentor_index.get(mentor_id)
    if i is None or j is None:
        return "not in this cohort"
    if locked_to[i] >= 0:
        return "the mentee already has a locked mentor"
    rule = _broken_rule(model, i, j)
    if rule:
        return rule
    if capacity[j] <= 0:
        return "the mentor has no capacity left"
    return None


def _broken_rule(model: _Model, i: int, j: int) -> str | None:
    """The hard rule that forbids pair ``(i, j)``, in words, or ``None``."""
    t = int(model.track[i])
    if not model.cohort.mentors.accepts[j, t]:
        return f"the mentor does not accept the {TRACKS[t]} track"
    if model.rank[t, j] < 0 or model._eff_of(np.array(t), np.array(j)) <= model.key[i]:
        return f"the mentor is not {_direction(t)} senior than the mentee"
    lo, hi = model.ex_ptr[i], model.ex_ptr[i + 1]
    kinds = model.ex_kind[lo:hi][model.ex_j[lo:hi] == j]
    if len(kinds):
        return {
            _SELF: "mentor and mentee are the same person",
            _CHAIN: "mentor and mentee are in one reporting line",
            _BLOCKED: "the pair is blocked",
            _PREVIOUS: "the pair was matched before",
        }[int(kinds[0])]
    return None


def _direction(track: int) -> str:
    return "less" if track == REVERSE else "more"


def _unmatched_reason(model: _Model, i: int) -> str:
    t = int(model.track[i])
    more = _direction(t)
    feasible = int(model.feasible_count[i])
    if feasible == 1:
        return "the only suitable mentor is at capacity"
    if feasible > 1:
        return f"all {feasible} suitable mentors are at capacity"
    if model.m == 0:
        return "there are no mentors in this run"
    if len(model.cols[t]) == 0:
        return f"no mentor accepts the {TRACKS[t]} track"
    allowed = int(model.allowed_by_order[i])
    if allowed == 0:
        return f"no mentor accepting the {TRACKS[t]} track is {more} senior"
    lo, hi = model.ex_ptr[i], model.ex_ptr[i + 1]
    kinds = model.ex_kind[lo:hi][model.ex_live[lo:hi]]
    counts = np.bincount(kinds, minlength=len(_EXCLUSION_WORDS))
    if counts[_CHAIN] == allowed:
        return f"no mentor is {more} senior outside the reporting line"
    parts = [f"{counts[kind]} {words}" for kind, words in _EXCLUSION_WORDS.items() if counts[kind]]
    mentors = "mentor is" if allowed == 1 else f"{allowed} mentors are"
    return f"every {more} senior {mentors} excluded: {', '.join(parts)}"


def _attribute_counts(cohort: Cohort, w: Weights, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For pairs ``(i[k], j[k])``: on how many of the weighted "differ" attributes both
    people answered and differ, and on how many "alike" ones both answered the same
    (with the bench format's ``diversity``: differing fields, reverse track only)."""
    differ, alike = np.zeros(len(i), np.intp), np.zeros(len(i), np.intp)
    for f, aim, _, reverse_only in _attribute_terms(cohort, w):
        x, y = cohort.mentees.demographics[i, f], cohort.mentors.demographics[j, f]
        both = (x >= 0) & (y >= 0)
        if reverse_only:
            both &= cohort.mentees.track[i] == REVERSE
        if aim == "differ":
            differ += both & (x != y)
        else:
            alike += both & (x == y)
    return differ, alike


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(str(code).lower(), str(code))


class Wording:
    """The words that name a pair's goals and topics in its explanation.

    The defaults are the engine's own (and the bench files'): a mentee's ``goals``
    are covered by a mentor's ``skills``, and ``topics`` are shared.  A platform
    whose forms call these something else subclasses it, so the people reading the
    explanations recognise their own answers."""

    def goals_covered(self, covered: list[str], total: int) -> str:
        return f"covers {len(covered)} of {_plural(total, 'goal')}: {', '.join(covered)}"

    def goals_missed(self, total: int) -> str:
        return f"covers none of {_plural(total, 'goal')}"

    def topics_shared(self, shared: list[str], total: int) -> str:
        return f"shares {len(shared)} of {_plural(total, 'topic')}: {', '.join(shared)}"


class _Explainer:
    """Plain-words explanation of one pair's score: one phrase per weighted
    criterion but the attributes, a *strength* when the criterion scored for the pair
    and a *concern* when it scored nothing (or, for time zones, nothing close).

    Demographics are never mentioned, not even as a count of differing attributes:
    the pair and the coordinator read these, and each person knows their own
    answers, so "differs in 3" would tell them the other's.  Set fields are turned
    into Python lists once, as per-pair NumPy calls would cost more than the
    assignment for large cohorts.
    """

    def __init__(self, cohort: Cohort, weights: Weights, wording: Wording) -> None:
        self.c, self.w, self.words = cohort, weights, wording
        me, mo = cohort.mentees, cohort.mentors
        self.goals, self.topics_i, self.langs_i = (
            _row_lists(me.goals),
            _row_lists(me.topics),
            _row_lists(me.languages),
        )
        self.skills = _row_sets(mo.skills)
        self.topics_j = _row_sets(mo.topics)
        self.langs_j = _row_sets(mo.languages)

    def explain(self, i: int, j: int) -> tuple[list[str], list[str]]:
        """(strengths, concerns) of the pair of mentee ``i`` and mentor ``j``."""
        c, w = self.c, self.w
        me, mo = c.mentees, c.mentors
        good: list[str] = []
        bad: list[str] = []
        goals = self.goals[i]
        if w.goal_skill and goals:
            covered = [c.skills[g] for g in goals if g in self.skills[j]]
            if covered:
                good.append(self.words.goals_covered(covered, len(goals)))
            else:
                bad.append(self.words.goals_missed(len(goals)))
        topics = self.topics_i[i]
        shared = [c.topics[x] for x in topics if x in self.topics_j[j]]
        if w.topic and shared:
            good.append(self.words.topics_shared(shared, len(topics)))
        if w.language and self.langs_i[i] and self.langs_j[j]:
            common = [x for x in self.langs_i[i] if x in self.langs_j[j]]
            names = [_language_name(c.languages[x]) for x in common]
            if len(names) == 1:
                good.append(f"shares a language: {names[0]}")
            elif names:
                good.append(f"shares languages: {', '.join(names)}")
            else:
                bad.append("no shared language")
        a, b = float(me.tz_offset[i]), float(mo.tz_offset[j])
        if w.timezone and not (math.isnan(a) or math.isnan(b)):
            gap = abs(a - b)
            if gap < 1e-9:
                good.append("same timezone")
            else:
                # Within timezone_near_hours the pair earns half the points; beyond, none.
                (good if gap <= w.timezone_near_hours else bad).append(
                    f"works {gap:g} hour{'' if gap == 1 else 's'} apart"
                )
        fa, fb = int(me.meeting_format[i]), int(mo.meeting_format[j])
        if w.meeting_format and fa >= 0 and fb >= 0:
            na, nb = c.meeting_formats[fa], c.meeting_formats[fb]
            if na == nb == FLEXIBLE_FORMAT:
                good.append("both are flexible about meeting format")
            elif na == nb:
                good.append(f"both prefer {na.replace('_', ' ')} meetings")
            elif FLEXIBLE_FORMAT in (na, nb):
                other = nb if na == FLEXIBLE_FORMAT else na
                good.append(f"meeting format fits ({other.replace('_', ' ')})")
            else:
                bad.append("prefer different meeting formats")
        reverse = me.track[i] == REVERSE
        dept_weight = w.cross_dept_reverse if reverse else w.cross_dept
        da, db = int(me.department[i]), int(mo.department[j])
        if dept_weight and da >= 0 and db >= 0:
            # Name both departments: the pair reads this, and "different (Sales)" is ambiguous.
            if da == db:
                bad.append(f"same department ({c.departments[db]})")
            else:
                good.append(f"different departments ({c.departments[da]} and {c.departments[db]})")
        return good, bad


def _row_lists(mat: np.ndarray) -> list[list[int]]:
    rows, cols = np.nonzero(mat)
    bounds = np.searchsorted(rows, np.arange(len(mat) + 1)).tolist()
    flat = cols.tolist()
    return [flat[a:b] for a, b in itertools.pairwise(bounds)]


def _row_sets(mat: np.ndarray) -> list[set[int]]:
    return [set(x) for x in _row_lists(mat)]

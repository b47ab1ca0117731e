"""The catalogue of measures a programme's objectives are set against.

Pure data, no database: each Measure says what is measured, in which unit and
range (a target outside it is refused), where its figures come from, and who
it counts. The selectors that compute them are in outcomes/measures.py
(instruments: goals, self-assessments, pulses, surveys) and
outcomes/comparison.py (the workforce: participants against a matched group of
non-participants). Each returns a MeasureValue."""

from dataclasses import dataclass, field
from decimal import Decimal

INSTRUMENT, COMPARISON = "instrument", "comparison"

GOAL_ACHIEVED = "goal_achieved"
SKILL_GROWTH = "skill_growth"
RELATIONSHIP_QUALITY = "relationship_quality"
RELATIONSHIP_QUALITY_SHARE = "relationship_quality_share"
COMPLETION = "completion"
NPS = "nps"
RETENTION_12M = "retention_12m"
PROMOTION_OR_MOVE = "promotion_or_move"
CUSTOM_QUESTION = "custom_question"


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    definition: str  # in plain words, shown beside every figure of it
    unit: str  # "%", "points", "/5" or "" (NPS)
    low: Decimal  # the range a value (and so a target) can take
    high: Decimal
    source: str  # INSTRUMENT or COMPARISON
    counts: str  # "people" or "pairs": what the k >= 5 rule counts
    default_target: Decimal

    def format(self, value: float | None) -> str:
        """A value as a reader sees it: "72%", "+0.8 points", "4.1/5", "NPS 35"."""
        if value is None:
            return "–"
        if self.key == NPS:
            return f"{value:+.0f}"
        if self.unit == "%":
            return f"{value:.0f}%"
        if self.unit == "points":
            return f"{value:+.1f} points"
        return f"{value:.1f}{self.unit}"


MEASURES: dict[str, Measure] = {
    measure.key: measure
    for measure in (
        Measure(
            GOAL_ACHIEVED, "Mentees who achieve a goal",
            "The share of mentees in a pair with at least one goal marked achieved.",
            "%", Decimal(0), Decimal(100), INSTRUMENT, "people", Decimal(70),
        ),
        Measure(
            SKILL_GROWTH, "Growth in self-rated skills",
            "The average change, end against start, of how people rate themselves (1-5) on the skills and topics "
            "of their goals and the programme's statements; each person's items answered at both times.",
            "points", Decimal(-4), Decimal(4), INSTRUMENT, "people", Decimal("0.5"),
        ),
        Measure(
            RELATIONSHIP_QUALITY, "Relationship quality",
            "The average of the check-ins' relationship items (1-5), each person's latest check-in on their pair.",
            "/5", Decimal(1), Decimal(5), INSTRUMENT, "people", Decimal(4),
        ),
        Measure(
            RELATIONSHIP_QUALITY_SHARE, "Pairs going well",
            "The share of people whose latest check-in averages 4 or more out of 5 on the relationship items.",
            "%", Decimal(0), Decimal(100), INSTRUMENT, "people", Decimal(75),
        ),
        Measure(
            COMPLETION, "Pairs who complete",
            "The share of pairs that reached the programme's planned end (ended as completed, or still active "
            "at the end) among pairs made in it.",
            "%", Decimal(0), Decimal(100), INSTRUMENT, "pairs", Decimal(80),
        ),
        Measure(
            NPS, "Would recommend (NPS)",
            "Net promoter score of the closing survey's 0-10 question: the share answering 9-10 minus the share "
            "answering 0-6, from -100 to 100.",
            "", Decimal(-100), Decimal(100), INSTRUMENT, "people", Decimal(30),
        ),
        Measure(
            RETENTION_12M, "Still with us after 12 months",
            "The share of participants still employed 12 months after they started, beside a matched group of "
            "non-participants (same department, seniority band and tenure band at that date).",
            "%", Decimal(0), Decimal(100), COMPARISON, "people", Decimal(90),
        ),
        Measure(
            PROMOTION_OR_MOVE, "Promoted or moved within 12 months",
            "The share of participants promoted (a higher seniority level) or moved to another department within "
            "12 months of starting, beside a matched group of non-participants.",
            "%", Decimal(0), Decimal(100), COMPARISON, "people", Decimal(20),
        ),
        Measure(
            CUSTOM_QUESTION, "Your own question",
            "The average answer (1-5) to a question of the programme's own, asked in the closing survey.",
            "/5", Decimal(1), Decimal(5), INSTRUMENT, "people", Decimal(4),
        ),
    )
}  # fmt: skip

CHOICES = [(measure.key, measure.label) for measure in MEASURES.values()]
MAX_OBJECTIVES = 5


@dataclass(frozen=True)
class MeasureValue:
    """One measure's figure for a set of programmes.

    `value` is None when nothing was measured yet or when `hidden` (it rests on
    fewer than 5 people or pairs: k >= 5, as every report). `n` is how many it
    rests on (never shown when hidden). `interval` is the 95% interval of the
    value where one is computed. A comparison measure carries the matched
    group's figure in `comparison` (hidden too when that group is under 5)."""

    value: float | None
    n: int
    hidden: bool = False
    interval: tuple[float, float] | None = None
    comparison: "MeasureValue | None" = None
    detail: dict = field(default_factory=dict)

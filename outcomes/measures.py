"""The figures of a programme's objectives: one selector per measure of the
catalogue (outcomes/catalogue.py), each a fixed number of queries whatever the
size of the programme, each returning a MeasureValue that already obeys k >= 5.

`SELECTORS` maps a measure's key to its selector, called with the programmes
whose figures are wanted (one programme, a cohort's line, or every programme
HR may see) and, for a custom question, the objective. `objective_results`
puts a programme's objectives, their figures, targets, trend and confidence
together for the programme page, the coordinator's dashboard, HR's reports,
the impact report and the next cohort's "what the last cohort taught us"."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from programmes.models import Programme

from .catalogue import Measure, MeasureValue
from .models import Objective

# key -> selector(programmes, *, objective, today) -> MeasureValue
Selector = Callable[..., MeasureValue]
SELECTORS: dict[str, Selector] = {}


@dataclass(frozen=True)
class TrendPoint:
    """The measure's value over the pairs or answers up to a date (a month's end), or per cohort."""

    label: str
    on: date
    value: MeasureValue


@dataclass(frozen=True)
class ObjectiveResult:
    """An objective with its figure: `status` is "met", "not_met" or "unknown"
    (nothing measured yet, or hidden); `confidence` is "low", "medium" or
    "high" (from the number it rests on and, where there is one, the width of
    the interval), with the reason in words."""

    objective: Objective
    measure: Measure
    current: MeasureValue
    status: str
    trend: list[TrendPoint]
    confidence: str
    confidence_reason: str


def measure_value(
    key: str, programmes: Sequence[Programme], *, objective: Objective | None = None, today: date | None = None
) -> MeasureValue:
    return SELECTORS[key](programmes, objective=objective, today=today)


def _status(measure: Measure, target, current: MeasureValue) -> str:
    if current.value is None:
        return "unknown"
    return "met" if current.value >= float(target) else "not_met"


def _confidence(current: MeasureValue) -> tuple[str, str]:
    """How far a reader may trust the figure: from the number it rests on and the interval's width."""
    if current.value is None:
        return "low", "not measured yet" if not current.hidden else "fewer than 5 people or pairs"
    half_width = (current.interval[1] - current.interval[0]) / 2 if current.interval else None
    rests_on = f"rests on {current.n}"
    if current.n >= 30 and (half_width is None or half_width <= 10):
        return "high", rests_on
    if current.n >= 10:
        return "medium", rests_on
    return "low", rests_on


def objective_results(programme: Programme, *, today: date | None = None) -> list[ObjectiveResult]:
    """The programme's objectives with their figures. A measure whose selector is
    not installed reads as not measured ("unknown"). The trend is left to the
    selectors that compute one (`detail["trend"]`: a list of TrendPoint)."""
    results = []
    for objective in programme.objectives.all():
        measure = objective.definition
        if objective.measure in SELECTORS:
            current = measure_value(objective.measure, [programme], objective=objective, today=today)
        else:
            current = MeasureValue(value=None, n=0)
        confidence, reason = _confidence(current)
        results.append(
            ObjectiveResult(
                objective=objective, measure=measure, current=current,
                status=_status(measure, objective.target, current),
                trend=list(current.detail.get("trend", [])), confidence=confidence, confidence_reason=reason,
            )
        )  # fmt: skip
    return results

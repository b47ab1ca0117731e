"""The verbs that change a programme's objectives and self-assessment
statements. Each runs in one transaction with the programme row locked (so two
coordinators editing at once cannot make a sixth objective), checks the rules
and raises ObjectiveError with a message for the person (and the field it is
about), and records one audit entry; a refused change changes nothing.

The rules: 1-5 objectives, each on a measure of the catalogue with a target in
the measure's range; one objective per measure, except that a programme may
ask several questions of its own (each needs its text); up to 8 statements.
A statement keeps its id when edited, so the start and end self-assessments
rate the same item ("statement:<id>")."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Max

from audit.models import AuditEvent
from audit.services import audit_record
from people.models import User
from programmes.models import Programme

from . import catalogue
from .models import AssessmentStatement, Objective

MAX_STATEMENTS = 8
STATEMENT_LENGTH = AssessmentStatement._meta.get_field("text").max_length
QUESTION_LENGTH = Objective._meta.get_field("question").max_length


class ObjectiveError(Exception):
    """A change the objectives' rules refuse; the message is shown to the person."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _target(measure: catalogue.Measure, target) -> Decimal:
    if target is None or (isinstance(target, str) and not target.strip()):
        raise ObjectiveError("Give a target: the value this objective should reach.", "target")
    try:
        value = Decimal(str(target).strip())
    except InvalidOperation:
        raise ObjectiveError("The target is a number, e.g. 70.", "target") from None
    if not value.is_finite():
        raise ObjectiveError("The target is a number, e.g. 70.", "target")
    if not measure.low <= value <= measure.high:
        raise ObjectiveError(
            f"A target for “{measure.label}” lies between {_number(measure.low)} and {_number(measure.high)}"
            f"{'%' if measure.unit == '%' else ''}.",
            "target",
        )
    if value != value.quantize(Decimal("0.1")):
        raise ObjectiveError("Give the target to one decimal place at most.", "target")
    return value


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _question(measure_key: str, question: str) -> str:
    question = (question or "").strip()
    if measure_key != catalogue.CUSTOM_QUESTION:
        return ""
    if not question:
        raise ObjectiveError("Write the question the closing survey will ask.", "question")
    if len(question) > QUESTION_LENGTH:
        raise ObjectiveError(f"Keep the question to {QUESTION_LENGTH} characters.", "question")
    return question


def _lock(programme: Programme) -> Programme:
    return Programme.objects.select_for_update().get(pk=programme.pk)


def _audit(by: User, programme: Programme, summary: str, request=None, **detail) -> None:
    audit_record(
        action=AuditEvent.Action.OBJECTIVES_CHANGED, actor=by, target=programme,
        summary=f"{summary} ({programme})", detail=detail, request=request,
    )  # fmt: skip


@transaction.atomic
def objective_add(
    *, programme: Programme, by: User, measure: str, target, question: str = "", request=None
) -> Objective:
    """Add an objective at the end of the programme's list."""
    definition = catalogue.MEASURES.get(measure)
    if definition is None:
        raise ObjectiveError("Choose a measure from the list.", "measure")
    value = _target(definition, target)
    question = _question(measure, question)
    _lock(programme)
    existing = list(Objective.objects.filter(programme=programme).values_list("measure", flat=True))
    if len(existing) >= catalogue.MAX_OBJECTIVES:
        raise ObjectiveError(
            f"A programme has at most {catalogue.MAX_OBJECTIVES} objectives: remove one before adding another."
        )
    if measure != catalogue.CUSTOM_QUESTION and measure in existing:
        raise ObjectiveError(
            f"The programme already has an objective on “{definition.label}”: change its target instead.", "measure"
        )
    position = (Objective.objects.filter(programme=programme).aggregate(last=Max("position"))["last"] or 0) + 1
    objective = Objective(programme=programme, measure=measure, target=value, question=question,
                          position=position, created_by=by)  # fmt: skip
    objective.full_clean()
    try:
        with transaction.atomic():
            objective.save()
    except IntegrityError:  # raced by another coordinator despite the lock: the constraint holds
        raise ObjectiveError(f"The programme already has an objective on “{definition.label}”.", "measure") from None
    _audit(by, programme, f"Objective added: {definition.label}", request, measure=measure, target=str(value))
    return objective


@transaction.atomic
def objective_change(*, objective: Objective, by: User, target, question: str = "", request=None) -> Objective:
    """Change an objective's target (and a custom question's text); its measure stays."""
    definition = objective.definition
    value = _target(definition, target)
    question = _question(objective.measure, question)
    _lock(objective.programme)
    objective.target, objective.question = value, question
    # Its creator may have been erased since (created_by is then empty): that is no fault of the change.
    objective.full_clean(exclude=["created_by"])
    objective.save(update_fields=["target", "question"])
    _audit(by, objective.programme, f"Objective changed: {definition.label}", request,
           measure=objective.measure, target=str(value))  # fmt: skip
    return objective


@transaction.atomic
def objective_remove(*, objective: Objective, by: User, request=None) -> None:
    """Remove an objective (and, for a custom question, the answers given to it)."""
    programme = _lock(objective.programme)
    label = objective.definition.label
    measure = objective.measure
    objective.delete()
    _renumber(programme)
    _audit(by, programme, f"Objective removed: {label}", request, measure=measure)


@transaction.atomic
def objective_move(*, objective: Objective, by: User, up: bool, request=None) -> None:
    """Move an objective one place up or down the programme's list."""
    programme = _lock(objective.programme)
    ordered = list(Objective.objects.filter(programme=programme))
    index = next(i for i, other in enumerate(ordered) if other.pk == objective.pk)
    swap = index - 1 if up else index + 1
    if not 0 <= swap < len(ordered):
        raise ObjectiveError("It is already " + ("first." if up else "last."))
    ordered[index], ordered[swap] = ordered[swap], ordered[index]
    _renumber(programme, ordered)
    _audit(by, programme, f"Objectives reordered: {objective.definition.label} moved {'up' if up else 'down'}",
           request, measure=objective.measure)  # fmt: skip


def _renumber(programme: Programme, ordered: list[Objective] | None = None) -> None:
    ordered = ordered if ordered is not None else list(Objective.objects.filter(programme=programme))
    for position, objective in enumerate(ordered, start=1):
        if objective.position != position:
            objective.position = position
            objective.save(update_fields=["position"])


# -- the programme's own self-assessment statements ---------------------------------------


def _statement_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ObjectiveError("Write the statement people will rate themselves on.", "text")
    if len(text) > STATEMENT_LENGTH:
        raise ObjectiveError(f"Keep a statement to {STATEMENT_LENGTH} characters.", "text")
    return text


@transaction.atomic
def statement_add(*, programme: Programme, by: User, text: str, request=None) -> AssessmentStatement:
    text = _statement_text(text)
    _lock(programme)
    count = AssessmentStatement.objects.filter(programme=programme).count()
    if count >= MAX_STATEMENTS:
        raise ObjectiveError(f"A programme has at most {MAX_STATEMENTS} statements: remove one before adding another.")
    last = AssessmentStatement.objects.filter(programme=programme).aggregate(last=Max("position"))["last"] or 0
    statement = AssessmentStatement.objects.create(programme=programme, text=text, position=last + 1)
    _audit(by, programme, "Self-assessment statement added", request, statement=statement.pk)
    return statement


@transaction.atomic
def statement_change(*, statement: AssessmentStatement, by: User, text: str, request=None) -> AssessmentStatement:
    text = _statement_text(text)
    _lock(statement.programme)
    statement.text = text
    statement.save(update_fields=["text"])
    _audit(by, statement.programme, "Self-assessment statement changed", request, statement=statement.pk)
    return statement


@transaction.atomic
def statement_remove(*, statement: AssessmentStatement, by: User, request=None) -> None:
    programme = _lock(statement.programme)
    pk = statement.pk
    statement.delete()
    _audit(by, programme, "Self-assessment statement removed", request, statement=pk)

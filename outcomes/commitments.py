"""What people say they will do differently, and whether they did.

The closing survey (surveys.services.programme_feedback_respond) records up to
MAX_COMMITMENTS commitments and the answers to the programme's own questions
through `closing_answers_record`, in its own transaction. Three months later
(`follow_up_on`) the author is asked once whether they kept each one
(outcomes.notices) and answers on their page (`commitments_follow_up`).

The text is the author's: nobody else reads it, except the coordinators of a
reverse programme when its mentee shared it with them (`shared_with_coordinators`);
never HR, never a report, which counts commitments made and kept only."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from programmes.models import Participant, Programme

from . import catalogue
from .models import Commitment, Objective, ObjectiveAnswer

MAX_COMMITMENTS = 3
COMMITMENT_LIMIT = 300
FOLLOW_UP_AFTER = timedelta(days=90)
# How long after its day the follow-up is still asked (and its notice still sent).
FOLLOW_UP_ASKED_FOR = timedelta(days=60)


class CommitmentError(Exception):
    """A refused answer, with a sentence the person can act on."""


def custom_questions(programme: Programme) -> list[Objective]:
    """The programme's own questions, asked in the closing survey (1-5)."""
    questions = Objective.objects.filter(programme=programme, measure=catalogue.CUSTOM_QUESTION)
    return list(questions.order_by("position", "pk"))


def may_share(participant: Participant) -> bool:
    """Only a reverse programme's mentee (the senior leader) may share their commitments with the coordinators."""
    return participant.programme.is_reverse and participant.role == Participant.Role.MENTEE


def follow_up_day(programme: Programme, today: date) -> date:
    """Three months after the programme's end (or after today, when it has no end date)."""
    return (programme.ends_on or today) + FOLLOW_UP_AFTER


def clean_commitments(texts: list[str]) -> list[str]:
    """The commitments written, blank ones left out; refused when too many or too long."""
    kept = [text.strip() for text in texts if text and text.strip()]
    if len(kept) > MAX_COMMITMENTS:
        raise CommitmentError(f"Write at most {MAX_COMMITMENTS} things you will do differently.")
    for number, text in enumerate(kept, start=1):
        if len(text) > COMMITMENT_LIMIT:
            raise CommitmentError(
                f"Keep each thing you will do differently to {COMMITMENT_LIMIT} characters "
                f"(number {number} has {len(text)})."
            )
    return kept


@transaction.atomic
def closing_answers_record(
    *, participant: Participant, commitments: list[str], share: bool, answers: dict[int, int]
) -> list[Commitment]:
    """The closing survey's commitments and answers to the programme's questions.
    Called by the closing survey inside its own transaction; every question must
    be answered 1-5, once."""
    programme = participant.programme
    texts = clean_commitments(commitments)
    if share and not may_share(participant):
        raise CommitmentError("Only a reverse mentoring programme's mentees share their commitments.")
    questions = custom_questions(programme)
    if set(answers) - {question.pk for question in questions}:
        raise CommitmentError("This form is out of date: reload the page and answer again.")
    for question in questions:
        value = answers.get(question.pk)
        if not (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5):
            raise CommitmentError(f"Answer “{question.question}” from 1 to 5.")
    today = timezone.localdate()
    ObjectiveAnswer.objects.bulk_create(
        ObjectiveAnswer(objective=question, participant=participant, rating=answers[question.pk])
        for question in questions
    )
    return Commitment.objects.bulk_create(
        Commitment(participant=participant, text=text, shared_with_coordinators=share, made_on=today,
                   follow_up_on=follow_up_day(programme, today))
        for text in texts
    )  # fmt: skip


# -- the follow-up -----------------------------------------------------------------------


def due_for_follow_up(user, today: date | None = None) -> QuerySet[Commitment]:
    """The user's commitments whose follow-up day has come and that they have not answered."""
    today = today or timezone.localdate()
    return (
        Commitment.objects.filter(
            participant__user=user, follow_up_on__lte=today, follow_up_on__gte=today - FOLLOW_UP_ASKED_FOR,
            followed_up_at__isnull=True,
        )
        .select_related("participant__programme")
        .order_by("follow_up_on", "pk")
    )  # fmt: skip


def answered_by(user) -> QuerySet[Commitment]:
    return (
        Commitment.objects.filter(participant__user=user, followed_up_at__isnull=False)
        .select_related("participant__programme")
        .order_by("-followed_up_at", "pk")
    )


@transaction.atomic
def commitments_follow_up(*, user, answers: dict[int, str]) -> int:
    """The author's word on each commitment asked about: kept yes, partly or not
    yet. Every commitment asked must be answered; each is answered once."""
    asked = {commitment.pk: commitment for commitment in due_for_follow_up(user).select_for_update(of=("self",))}
    if not asked:
        raise CommitmentError("There is nothing to answer: you have answered every commitment you were asked about.")
    if set(answers) - set(asked):
        raise CommitmentError("This form is out of date: reload the page and answer again.")
    for pk, commitment in asked.items():
        if answers.get(pk) not in Commitment.Kept.values:
            raise CommitmentError(f"Say whether you kept “{commitment.text[:60]}”: yes, partly or not yet.")
    now = timezone.now()
    updated = 0
    for pk, kept in answers.items():
        # The condition makes a second submission (another tab) change nothing.
        updated += Commitment.objects.filter(pk=pk, followed_up_at__isnull=True).update(kept=kept, followed_up_at=now)
    if not updated:
        raise CommitmentError("You have already answered these; nothing was changed.")
    return updated


# -- the coordinators' view ----------------------------------------------------------------


def shared_with_coordinators(programme: Programme, *, viewer=None) -> QuerySet[Commitment]:
    """The commitments a reverse programme's mentees shared with its coordinators, and
    only those. Without the viewer's own pairs': a co-coordinator who takes part never
    reads what their pair told the coordinators (matching/permissions.py)."""
    shared = (
        Commitment.objects.filter(
            participant__programme=programme, participant__role=Participant.Role.MENTEE,
            participant__programme__kind=Programme.Kind.REVERSE, shared_with_coordinators=True,
        )
        .select_related("participant__user")
        .order_by("participant__user__full_name", "participant_id", "pk")
    )  # fmt: skip
    if viewer is None:
        return shared
    return shared.exclude(participant__user=viewer).exclude(participant__matches_as_mentee__mentor__user=viewer)

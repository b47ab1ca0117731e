"""Certificates of participation: the programme's completion criteria, who meets
them, and what a certificate says.

A programme's coordinators set the criteria (outcomes.CompletionCriteria; until
they do, the defaults of that model apply): meetings held, every goal of the
person's pairs reviewed (achieved or dropped, and at least one goal set), and the
closing survey answered. `qualification` reads each approved participant's facts
with one query whatever the size of the programme; the certificate itself holds
the person's name, the programme, its cohort and dates, the role and the number
of meetings held: nothing anyone wrote."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from matching.models import Match
from programmes.models import Participant, Programme
from sessions_log.models import Goal, Meeting
from surveys.models import ProgrammeFeedback

from .models import CompletionCriteria

REVIEWED = [Goal.Status.ACHIEVED, Goal.Status.DROPPED]


class CriteriaError(ValueError):
    pass


def criteria_of(programme: Programme) -> CompletionCriteria:
    """The programme's criteria, or the defaults (not saved) while none are set."""
    try:
        return programme.completion_criteria
    except CompletionCriteria.DoesNotExist:
        return CompletionCriteria(programme=programme)


@transaction.atomic
def set_criteria(programme: Programme, *, meetings_held: int, goals_reviewed: bool, closing_survey: bool):
    """Save the programme's completion criteria (one row per programme)."""
    if meetings_held is None or not 0 <= meetings_held <= 50:
        raise CriteriaError("Meetings held is a number from 0 to 50.")
    criteria, _created = CompletionCriteria.objects.select_for_update().update_or_create(
        programme=programme,
        defaults={"meetings_held": meetings_held, "goals_reviewed": goals_reviewed, "closing_survey": closing_survey},
    )
    return criteria


@dataclass(frozen=True)
class Standing:
    """One participant against the criteria: the facts, and what each criterion says."""

    participant: Participant
    meetings_held: int
    goals: int
    goals_open: int
    closing_survey: bool
    first_meeting: date | None
    last_meeting: date | None
    criteria: CompletionCriteria

    @property
    def meets_meetings(self) -> bool:
        return self.meetings_held >= self.criteria.meetings_held

    @property
    def meets_goals(self) -> bool:
        return not self.criteria.goals_reviewed or (self.goals > 0 and self.goals_open == 0)

    @property
    def meets_survey(self) -> bool:
        return not self.criteria.closing_survey or self.closing_survey

    @property
    def qualifies(self) -> bool:
        return self.meets_meetings and self.meets_goals and self.meets_survey

    @property
    def missing(self) -> list[str]:
        """What is left to do, in words the participant reads."""
        left = []
        if not self.meets_meetings:
            more = self.criteria.meetings_held - self.meetings_held
            left.append(f"Hold {more} more meeting{'s' if more != 1 else ''} (held {self.meetings_held} of "
                        f"{self.criteria.meetings_held}).")  # fmt: skip
        if not self.meets_goals:
            if self.goals == 0:
                left.append("Set at least one goal with your pair and review it (achieved or dropped).")
            else:
                left.append(f"Review your open goal{'s' if self.goals_open != 1 else ''}: mark "
                            f"{self.goals_open} as achieved or dropped.")  # fmt: skip
        if not self.meets_survey:
            left.append("Answer the programme's closing survey.")
        return left


def _pairs_of(participant_ref) -> Q:
    return Q(match__mentee=participant_ref) | Q(match__mentor=participant_ref)


def _annotated(participants: QuerySet[Participant]) -> QuerySet[Participant]:
    held = Meeting.objects.filter(status=Meeting.Status.HELD).filter(
        Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk"))
    )
    goals = Goal.objects.filter(_pairs_of(OuterRef("pk")))

    return participants.annotate(
        meetings=Coalesce(Subquery(held.order_by().values("programme").annotate(n=Count("pk")).values("n")[:1],
                                   output_field=IntegerField()), 0),
        first_meeting=Subquery(held.order_by("starts_at").values("starts_at")[:1]),
        last_meeting=Subquery(held.order_by("-starts_at").values("starts_at")[:1]),
        goal_count=Coalesce(Subquery(goals.order_by().values("match__programme").annotate(n=Count("pk")).values("n")[:1],
                                     output_field=IntegerField()), 0),
        goals_open=Coalesce(Subquery(goals.exclude(status__in=REVIEWED).order_by().values("match__programme")
                                     .annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0),
        closed_survey=Exists(ProgrammeFeedback.objects.filter(participant=OuterRef("pk"),
                                                              stage=ProgrammeFeedback.Stage.CLOSE)),
    )  # fmt: skip


def _standing(participant: Participant, criteria: CompletionCriteria) -> Standing:
    first, last = participant.first_meeting, participant.last_meeting
    return Standing(
        participant=participant, meetings_held=participant.meetings, goals=participant.goal_count,
        goals_open=participant.goals_open, closing_survey=participant.closed_survey,
        first_meeting=first.date() if first else None, last_meeting=last.date() if last else None, criteria=criteria,
    )  # fmt: skip


def qualification(programme: Programme) -> list[Standing]:
    """Every approved participant of the programme against its criteria, by name."""
    criteria = criteria_of(programme)
    participants = _annotated(
        Participant.objects.filter(programme=programme, status=Participant.Status.APPROVED)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )
    return [_standing(participant, criteria) for participant in participants]


def standing_of(participant: Participant) -> Standing:
    """One participant against their programme's criteria."""
    annotated = _annotated(Participant.objects.filter(pk=participant.pk).select_related("user", "programme")).get()
    return _standing(annotated, criteria_of(annotated.programme))


def paired_since(participant: Participant) -> date | None:
    """When the person's first pair in the programme was made (for the certificate's dates)."""
    first = Match.objects.filter(Q(mentee=participant) | Q(mentor=participant)).aggregate(first=Min("created_at"))
    return first["first"].date() if first["first"] else None

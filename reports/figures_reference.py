"""The figures of a pair's history computed the old way, by scanning the source rows
(meetings, recaps, goals, actions, ratings, check-ins): the reference the stored
figures (reports.rollups) are tested against on random histories
(reports/tests/test_stored_figures.py), and what the pages read on SQLite
(development), where no triggers keep stored rows. It costs a scan of the whole
history per breakdown. Same groups and names as reports.figures._history."""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from programmes.models import Programme
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

from .figures import ReportFilter, _add, _consented, _grouped, _in_range, _people_who_met


def history_by_scanning(programmes, f: ReportFilter, by: str | None, *, month: bool, among: str | None = None) -> dict:
    groups: dict = defaultdict(lambda: defaultdict(int))
    attribute = among is not None

    def source(queryset, name):
        return _consented(queryset, among, name) if attribute else queryset

    if not attribute:
        held = Meeting.objects.filter(programme__in=programmes, status=Meeting.Status.HELD).filter(
            _in_range("starts_at", f)
        )
        pair, one_off = Q(match__isnull=False), Q(match__isnull=True, programme__kind=Programme.Kind.OFFICE_HOURS)
        # (The sum named "minutes" comes last: an aggregate's name hides the field from those after it.)
        _add(groups, _grouped(held, by, "meeting", oneoff_sessions=Count("pk", filter=one_off),
                              oneoff_minutes=Sum("minutes", filter=one_off), meetings_held=Count("pk", filter=pair),
                              **{"meetings_held~": Count("mentee__user", distinct=True, filter=pair),
                                 "oneoff_sessions~": Count("mentee__user", distinct=True, filter=one_off)},
                              minutes=Sum("minutes", filter=pair)))  # fmt: skip
        if month:
            for group, people in _people_who_met(held.filter(pair), by is not None, date_field="starts_at").items():
                groups[group]["met"] = people
        recaps = Recap.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
        _add(groups, _grouped(recaps, by, "recap", recaps=Count("pk"),
                              **{"recaps~": Count("meeting__mentee__user", distinct=True)}))  # fmt: skip
        goals = Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", f))
        achieved = Q(status=Goal.Status.ACHIEVED)
        _add(groups, _grouped(goals, by, "goal", goals_set=Count("pk"), goals_achieved=Count("pk", filter=achieved),
                              **{"goals_set~": Count("match__mentee__user", distinct=True),
                                 "goals_achieved~": Count("match__mentee__user", distinct=True,
                                                          filter=achieved)}))  # fmt: skip
    actions = ActionItem.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    _add(groups, _grouped(source(actions, "action"), by, "action", actions=Count("pk"),
                          actions_done=Count("pk", filter=Q(status=ActionItem.Status.DONE)),
                          **{"actions~": Count("match__mentee__user", distinct=True)}))  # fmt: skip
    feedback = Feedback.objects.filter(meeting__programme__in=programmes).filter(_in_range("created_at", f))
    _add(groups, _grouped(source(feedback, "feedback"), by, "feedback", feedback_sum=Sum("rating"),
                          feedback_n=Count("pk"),
                          **{"feedback~": Count("meeting__mentee__user", distinct=True)}))  # fmt: skip
    pulses = PulseResponse.objects.filter(match__programme__in=programmes).filter(_in_range("due_on", f, is_date=True))
    _add(groups, _grouped(source(pulses, "pulse"), by, "pulse", pulse_sum=Sum("rating"), pulse_n=Count("pk"),
                          **{"pulse~": Count("match__mentee__user", distinct=True)}))  # fmt: skip
    return groups


def goal_counts_by_scanning(programmes, f: ReportFilter) -> list[tuple[str, int, int]]:
    found = {
        row["status"]: row
        for row in Goal.objects.filter(match__programme__in=programmes).filter(_in_range("created_at", f))
        .values("status").annotate(n=Count("pk"), people=Count("match__mentee__user", distinct=True)).order_by()
    }  # fmt: skip
    return [(label, found.get(value, {}).get("n", 0), found.get(value, {}).get("people", 0))
            for value, label in Goal.Status.choices]  # fmt: skip

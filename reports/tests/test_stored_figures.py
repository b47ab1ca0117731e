"""Issue 19: HR's reports read stored figures (reports.rollups), and they equal what
scanning the history gives (reports.figures_reference) on random histories:
meetings held, missed, cancelled or still scheduled on random days, moved and
deleted, recaps, ratings, goals and their outcomes, actions with and without a
due date, check-ins, one-off sessions, enrolments withdrawn and matches ended;
still after a transaction that fails half-way, after the nightly check and after
a rebuild, which also put right figures that drifted.

The world: carol coordinates "Mentoring" (traditional, 6 pairs over two
departments) and "Drop-in" (office hours: 2 helpers, 3 bookers)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from matching.models import Match
from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from programmes.tests.factories import make_programme
from reports import rollups
from reports.figures import ReportFilter, _goal_counts, _history, figure_rows
from reports.figures_reference import goal_counts_by_scanning, history_by_scanning
from reports.models import FiguresCheck, PairDay
from reports.tasks import reconcile_figures
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
START = date(2026, 1, 1)  # histories fall within 160 days of this
DAYS = 160


def stored_rows() -> list[tuple]:
    return sorted(PairDay.objects.values_list("programme", "mentee", "mentor", "day", *rollups.COUNTERS),
                  key=repr)  # fmt: skip


def plain(groups: dict) -> dict:
    """Groups without their zeros (the stored figures have no row for a day with nothing)."""
    found = {}
    for group, row in groups.items():
        values = {name: value for name, value in row.items() if value}
        if values:
            found[group] = values
    return found


FILTERS = [
    ReportFilter(),
    ReportFilter(date_from=date(2026, 2, 10)),
    ReportFilter(date_to=date(2026, 4, 20)),
    ReportFilter(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31)),
]


def assert_stored_equals_scanning(test) -> None:
    programmes = Programme.objects.filter(pk__in=[test.mentoring.pk, test.drop_in.pk])
    for report_filter in FILTERS:
        for by in (None, "programme", "department", "cohort", "month"):
            month = by == "month"
            assert plain(_history(programmes, report_filter, by, month=month)) == plain(
                history_by_scanning(programmes, report_filter, by, month=month)
            ), (report_filter, by)
        # The month table's All row: people who met in the whole period.
        assert plain(_history(programmes, report_filter, None, month=True)) == plain(
            history_by_scanning(programmes, report_filter, None, month=True)
        )
        assert _goal_counts(programmes, report_filter) == goal_counts_by_scanning(programmes, report_filter)


# One step of a history: what happens, to which pair or booker, on which day.
pair_step = st.tuples(
    st.sampled_from(["meeting", "goal", "action", "pulse", "end", "withdraw"]),
    st.integers(0, 5),  # the pair
    st.integers(0, DAYS),  # the day
    st.sampled_from(["held", "held", "missed", "cancelled", "scheduled"]),
    st.integers(0, 3),  # a variant: recaps, ratings, goal status, action done
)
one_off_step = st.tuples(st.just("one_off"), st.integers(0, 2), st.integers(0, DAYS),
                         st.sampled_from(["held", "scheduled"]), st.integers(0, 3))  # fmt: skip
change_step = st.tuples(st.sampled_from(["move", "unhold", "delete_meeting", "delete_goal", "achieve", "undo_action"]),
                        st.integers(0, 50), st.integers(0, DAYS), st.just(""), st.integers(0, 3))  # fmt: skip
history = st.lists(st.one_of(pair_step, one_off_step, change_step), min_size=1, max_size=25)


def at(day: int, hour: int = 9) -> datetime:
    moment = datetime(START.year, START.month, START.day, hour, tzinfo=UTC) + timedelta(days=day)
    return moment


class StoredFiguresTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
        cls.mentoring = make_programme(carol, name="Mentoring", cohort="2026", status="running")
        cls.drop_in = make_programme(carol, name="Drop-in", kind="office_hours", cohort="2026", status="running")
        Participant.objects.filter(programme__in=[cls.mentoring, cls.drop_in]).delete()
        cls.pairs = []
        for number in range(6):
            department = "Sales" if number % 2 else "Engineering"
            mentor = enrol(cls.mentoring, make_person(f"Mentor {number}", department="Finance"), "mentor")
            mentee = enrol(cls.mentoring, make_person(f"Mentee {number}", department=department), "mentee")
            cls.pairs.append(Match.objects.create(programme=cls.mentoring, mentor=mentor, mentee=mentee,
                                                  created_at=at(0)))  # fmt: skip
        cls.helpers = [enrol(cls.drop_in, make_person(f"Helper {n}"), "mentor") for n in range(2)]
        cls.bookers = [enrol(cls.drop_in, make_person(f"Booker {n}", department="Sales"), "mentee") for n in range(3)]

    def play(self, steps) -> None:
        meetings, goals, actions = [], [], []
        for kind, who, day, status, variant in steps:
            if kind in ("meeting", "goal", "action", "pulse", "end", "withdraw"):
                match = self.pairs[who]
                people = {"programme": self.mentoring, "mentor": match.mentor, "mentee": match.mentee}
            if kind == "meeting":
                meeting = Meeting.objects.create(match=match, starts_at=at(day, 8 + variant), status=status,
                                                 minutes=30 + 15 * variant, cancel_reason="Ill", **people)  # fmt: skip
                meetings.append(meeting)
                for number, author in enumerate([match.mentee.user, match.mentor.user][: variant % 3]):
                    Recap.objects.create(meeting=meeting, author=author, discussed="Private words.",
                                         created_at=at(day + number))  # fmt: skip
                if variant:
                    Feedback.objects.create(meeting=meeting, author=match.mentor.user, rating=variant + 1,
                                            created_at=at(day + 1))  # fmt: skip
            elif kind == "one_off":
                meetings.append(Meeting.objects.create(
                    programme=self.drop_in, mentor=self.helpers[variant % 2], mentee=self.bookers[who],
                    starts_at=at(day, 23 if variant == 3 else 10), status=status, minutes=30, cancel_reason="Ill",
                ))  # fmt: skip
            elif kind == "goal":
                goals.append(Goal.objects.create(match=match, owner=match.mentee, objective="Speak up", measure="Once",
                                                 status=list(Goal.Status)[variant], created_at=at(day)))  # fmt: skip
            elif kind == "action":
                actions.append(ActionItem.objects.create(
                    match=match, owner=match.mentee, description="Read",
                    due_on=None if variant == 3 else at(day).date(),
                    status="done" if variant % 2 else "open", done_at=at(day) if variant % 2 else None,
                ))  # fmt: skip
            elif kind == "pulse":
                PulseResponse.objects.get_or_create(
                    match=match,
                    author=match.mentee.user,
                    due_on=at(day).date(),
                    defaults={"rating": variant + 2, "meeting_as_planned": True},
                )
            elif kind == "end":
                Match.objects.filter(pk=match.pk, ended_at__isnull=True).update(
                    status="ended", ended_at=at(day), end_reason="completed")  # fmt: skip
            elif kind == "withdraw":
                Participant.objects.filter(pk=match.mentee.pk).update(status="withdrawn")
            elif kind == "move" and meetings:
                meeting = meetings[who % len(meetings)]
                meeting.starts_at, meeting.status = at(day, 22), "held"
                meeting.save()
            elif kind == "unhold" and meetings:
                Meeting.objects.filter(pk=meetings[who % len(meetings)].pk).update(
                    status="cancelled", cancel_reason="Ill"
                )
            elif kind == "delete_meeting" and meetings:
                meetings.pop(who % len(meetings)).delete()
            elif kind == "delete_goal" and goals:
                goals.pop(who % len(goals)).delete()
            elif kind == "achieve" and goals:
                goal = goals[who % len(goals)]
                goal.status = Goal.Status.ACHIEVED
                goal.save(update_fields=["status"])
            elif kind == "undo_action" and actions:
                ActionItem.objects.filter(pk=actions[who % len(actions)].pk).update(
                    status="open", done_at=None, due_on=at(day).date()
                )

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=history)
    def test_stored_figures_equal_a_scan_of_the_history(self, steps):
        with time_machine.travel(NOW, tick=False):
            self.play(steps)
            assert_stored_equals_scanning(self)
            # Nothing drifted, so the nightly check finds nothing to correct.
            assert rollups.reconcile() == 0

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=history, failing=history)
    def test_a_failed_transaction_leaves_the_stored_figures_as_they_were(self, steps, failing):
        with time_machine.travel(NOW, tick=False):
            self.play(steps)
            before = stored_rows()
            with pytest.raises(RuntimeError), transaction.atomic():
                self.play(failing)
                raise RuntimeError("the request failed half-way")
            assert stored_rows() == before
            assert_stored_equals_scanning(self)

    @settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(steps=history)
    def test_the_nightly_check_and_the_rebuild_put_drift_right(self, steps):
        with time_machine.travel(NOW, tick=False):
            self.play(steps)
            right = stored_rows()
            expected = 1 + min(len(right), 2)  # the new meeting's day; the row changed and the row deleted
            # Drift, as a bulk load that skipped the triggers would leave it: a row wrong, one
            # missing, one that should not be there.
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL reports.figures_paused = 'on'")
                PairDay.objects.filter(pk__in=PairDay.objects.order_by("pk").values("pk")[:1]).update(recaps=99)
                PairDay.objects.filter(pk__in=PairDay.objects.order_by("-pk").values("pk")[:1]).delete()
                match = self.pairs[0]
                Meeting.objects.create(match=match, programme=self.mentoring, mentor=match.mentor,
                                       mentee=match.mentee, starts_at=at(DAYS + 10), status="held")  # fmt: skip
            assert reconcile_figures() == expected
            assert reconcile_figures() == 0
            assert_stored_equals_scanning(self)
            PairDay.objects.all().delete()
            call_command("rebuild_figures", verbosity=0)
            assert_stored_equals_scanning(self)
            assert len(stored_rows()) == len(right) + 1
            assert FiguresCheck.objects.filter(kind="rebuild", finished_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_bulk_load_rebuilds_once_at_its_end(carol):
    programme = make_programme(carol, name="Loaded", status="running")
    mentor = enrol(programme, make_person("Bulk mentor"), "mentor")
    mentee = enrol(programme, make_person("Bulk mentee"), "mentee")
    match = Match.objects.create(programme=programme, mentor=mentor, mentee=mentee)
    with rollups.paused_then_rebuilt():
        Meeting.objects.bulk_create([
            Meeting(match=match, programme=programme, mentor=mentor, mentee=mentee, starts_at=at(day), status="held")
            for day in range(10)
        ])  # fmt: skip
        assert not PairDay.objects.exists()  # the triggers stood aside
    assert PairDay.objects.filter(meetings_held=1).count() == 10
    assert rollups.reconcile() == 0


def figures_of(user) -> list[dict]:
    return [row.values for row in figure_rows(user, ReportFilter(), by="programme")]


@pytest.mark.django_db
def test_the_report_costs_the_same_queries_whatever_the_history(carol, hana):
    """The history part of the figures is one query per breakdown, however many meetings."""
    programme = make_programme(carol, name="Sized", status="running")
    pairs = []
    for number in range(6):
        mentor = enrol(programme, make_person(f"Sized mentor {number}"), "mentor")
        mentee = enrol(programme, make_person(f"Sized mentee {number}"), "mentee")
        pairs.append(Match.objects.create(programme=programme, mentor=mentor, mentee=mentee))

    def grow(meetings_per_pair: int) -> None:
        Meeting.objects.bulk_create([
            Meeting(match=m, programme=programme, mentor=m.mentor, mentee=m.mentee, starts_at=at(day), status="held")
            for m in pairs for day in range(meetings_per_pair)
        ])  # fmt: skip

    grow(1)
    with CaptureQueriesContext(connection) as small:
        figures_of(hana)
    grow(40)
    with CaptureQueriesContext(connection) as large:
        found = figures_of(hana)
    assert len(small) == len(large)
    assert found[-1]["meetings_held"] == 6 * 41

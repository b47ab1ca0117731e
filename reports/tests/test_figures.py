"""Each figure from a known fixture against a hand count, the breakdowns, the
date range, and suppression of groups under 5 people.

The fixture, in carol's traditional programme "Mentoring" (cohort "2026"):
- 6 mentors and 6 mentees in Sales (the pairs), all approved, enrolled 1 Jan;
  pair 0 also in Sales, so Sales holds 12 people;
- 2 more mentees in Finance (approved, never matched) and 1 applicant in
  Finance: Finance holds 3 people (a label of a small group: "Other");
- pairs 0-4 active, pair 5 ended on 10 May (reason "No time to continue");
- every pair met on 10 March and 10 April (held, 60 minutes), pairs 0-2 also on
  10 May (held, 90 minutes), and pair 3 missed a meeting on 10 May;
- one recap per held meeting of pairs 0-1 (by the mentee);
- goals: each pair has 2; pairs 0-1 achieved one of them; pair 5 dropped one;
- actions due in April: pairs 0-3 one each, pairs 0-1 done;
- feedback ratings 4 (pairs 0-2) and 2 (pair 3) on the 10 April meetings;
- check-ins rated 5 (pair 0) and 3 (pair 1) for the wave of 1 May."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from matching.models import Match
from matching.tests.factories import enrol, make_person
from programmes.models import Participant
from programmes.tests.factories import make_programme
from reports.disclosure import PROTECTED, SMALL
from reports.figures import ReportFilter, build_report, figure_rows, is_attribute
from sessions_log.models import ActionItem, Feedback, Goal, Meeting, Recap
from surveys.models import PulseResponse

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def fixture(carol):
    with time_machine.travel(NOW, tick=False):
        programme = make_programme(carol, name="Mentoring", cohort="2026", status="running")
        Participant.objects.filter(programme=programme).delete()
        pairs = []
        for number in range(6):
            mentor = enrol(programme, make_person(f"Mentor {number}", department="Sales"), "mentor")
            mentee = enrol(programme, make_person(f"Mentee {number}", department="Sales"), "mentee")
            match = Match.objects.create(programme=programme, mentor=mentor, mentee=mentee,
                                         created_at=at(date(2026, 2, 1)))  # fmt: skip
            pairs.append(match)
        for number in range(2):
            enrol(programme, make_person(f"Waiting {number}", department="Finance"), "mentee")
        applicant = enrol(programme, make_person("Applicant", department="Finance"), "mentee")
        Participant.objects.filter(pk=applicant.pk).update(status="applied")
        Participant.objects.filter(programme=programme).update(applied_at=at(date(2026, 1, 1)))
        Match.objects.filter(pk=pairs[5].pk).update(
            status="ended", ended_at=at(date(2026, 5, 10)), end_reason="no_time"
        )

        def meeting(match, day, minutes=60, status="held"):
            return Meeting.objects.create(match=match, programme=programme, mentor=match.mentor, mentee=match.mentee,
                                          starts_at=at(day), minutes=minutes, status=status)  # fmt: skip

        april = {}
        for index, match in enumerate(pairs):
            march_meeting = meeting(match, date(2026, 3, 10))
            april[index] = meeting(match, date(2026, 4, 10))
            if index <= 1:
                for held in (march_meeting, april[index]):
                    Recap.objects.create(meeting=held, author=match.mentee.user, discussed="Private words",
                                         created_at=held.starts_at)  # fmt: skip
            for goal_number in range(2):
                status = "achieved" if index <= 1 and goal_number == 0 else "in_progress"
                if index == 5 and goal_number == 1:
                    status = "dropped"
                Goal.objects.create(match=match, owner=match.mentee, objective=f"Goal {goal_number}", measure="M",
                                    status=status, created_at=at(date(2026, 3, 12)))  # fmt: skip
            if index <= 3:
                done = index <= 1
                ActionItem.objects.create(match=match, owner=match.mentee, description="Do it",
                                          due_on=date(2026, 4, 20), status="done" if done else "open",
                                          done_at=at(date(2026, 4, 19)) if done else None)  # fmt: skip
                Feedback.objects.create(meeting=april[index], author=match.mentee.user, rating=2 if index == 3 else 4,
                                        created_at=at(date(2026, 4, 11)))  # fmt: skip
        for index in range(3):
            may = meeting(pairs[index], date(2026, 5, 10), minutes=90)
            if index <= 1:
                Recap.objects.create(meeting=may, author=pairs[index].mentee.user, discussed="Words",
                                     created_at=may.starts_at)  # fmt: skip
        meeting(pairs[3], date(2026, 5, 10), status="missed")
        for index, rating in ((0, 5), (1, 3)):
            PulseResponse.objects.create(match=pairs[index], author=pairs[index].mentee.user,
                                         due_on=date(2026, 5, 1), rating=rating, meeting_as_planned=True)  # fmt: skip
        yield programme


def rows_by_label(user, report_filter=None, by="programme"):
    """The raw figures (nothing hidden), by row label."""
    with time_machine.travel(NOW, tick=False):
        return {row.label: row for row in figure_rows(user, report_filter or ReportFilter(), by=by)}


def shown_by_label(user, report_filter=None, by="programme"):
    """The protected figures HR sees, by row label: a cell hidden for resting on fewer
    than 5 is SMALL, one hidden so that such a cell cannot be worked out PROTECTED."""
    with time_machine.travel(NOW, tick=False):
        table = build_report(user, report_filter or ReportFilter(), attributes=is_attribute(by)).tables[by]
    return {row.label: {key: cell.hidden or cell.value for key, cell in row.cells.items()} for row in table.rows}


def test_the_programme_row_matches_the_hand_count(hana, fixture):
    row = rows_by_label(hana)["Mentoring · 2026"]
    assert row.values == {
        "people": 15, "mentors": 6, "mentees": 8, "awaiting": 1, "withdrawn": 0, "matched": 6, "unmatched": 2,
        "active": 5, "ended": 1, "meetings_held": 6 * 2 + 3, "hours": 6 * 2 * 1 + 3 * 1.5, "recaps": 2 * 2 + 2,
        "goals_set": 12, "goals_achieved": 2, "actions_done_percent": 50,
        "feedback_average": 3.5, "pulse_average": 4.0, "drop_in": 0, "oneoff_sessions": 0, "oneoff_hours": 0,
    }  # fmt: skip


def test_the_total_row_is_last_and_matches_the_single_programme(hana, fixture):
    rows = list(rows_by_label(hana).values())
    assert rows[-1].label == "All"
    assert rows[-1].values == rows[0].values


def test_by_department_people_count_in_their_group_and_pairs_in_their_mentees(hana, fixture):
    rows = rows_by_label(hana, by="department")
    assert (rows["Sales"].values["people"], rows["Sales"].values["meetings_held"]) == (12, 15)
    assert rows["Sales"].values["mentees"] == 6
    # Finance (3 people) is a label people typed, of a group under 5: counted as "Other".
    assert "Finance" not in rows and rows["Other"].values["people"] == 3


def test_by_month_each_figure_falls_in_its_own_month(hana, fixture):
    rows = rows_by_label(hana, by="month")
    assert [label for label in rows if label != "All"] == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    march, may = rows["2026-03"].values, rows["2026-05"].values
    assert (march["meetings_held"], march["met"], march["goals_set"]) == (6, 12, 12), "people who met"
    assert (may["meetings_held"], may["hours"], may["met"], may["ended"]) == (3, 4.5, 6, 1)
    assert rows["2026-01"].values["enrolments"] == 15
    assert rows["2026-01"].values["mentees_enrolled"] == 8, "approved mentees only"
    assert rows["2026-02"].values["matches_made"] == 6, "matches made that month"
    # The total is what fell within the range, and people who met are people, not meetings.
    assert (rows["All"].values["met"], rows["All"].values["matches_made"]) == (12, 6)


def test_a_date_range_narrows_what_happened_in_it(hana, fixture):
    april = ReportFilter(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    row = rows_by_label(hana, april)["Mentoring · 2026"]
    assert (row.values["meetings_held"], row.values["recaps"], row.values["ended"]) == (6, 2, 0)
    assert (row.values["active"], row.values["actions_done_percent"], row.values["feedback_average"]) == (6, 50, 3.5)
    assert row.values["goals_set"] == 0 and row.values["joined"] == 0
    assert row.values["people"] == 15, "everyone enrolled by the end of April"


def test_each_cell_resting_on_fewer_than_5_is_hidden_not_its_whole_row(hana, fixture):
    """The fixture's April: 4 ratings from 4 pairs, 2 recaps by 2 pairs, but 6 pairs met."""
    april = ReportFilter(date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    row = shown_by_label(hana, april)["Mentoring · 2026"]
    assert (row["meetings_held"], row["hours"]) == (6, 6.0), "6 pairs met"
    assert row["feedback_average"] == SMALL, "an average of 4 ratings"
    assert row["recaps"] == SMALL and row["actions_done_percent"] == SMALL
    assert row["people"] != SMALL, "15 people (hidden only if it would give a smaller figure away)"


def test_a_programme_of_fewer_than_five_people_is_hidden_and_cannot_be_worked_out(hana, carol, fixture):
    small = make_programme(carol, name="Tiny", status="running")
    Participant.objects.filter(programme=small).delete()
    for number in range(2):
        enrol(small, make_person(f"Tiny mentor {number}"), "mentor")
        enrol(small, make_person(f"Tiny mentee {number}"), "mentee")
    Participant.objects.filter(programme=small).update(applied_at=datetime(2026, 2, 1, tzinfo=UTC))
    rows = shown_by_label(hana)
    assert rows["Tiny"]["people"] == SMALL
    # All = Mentoring + Tiny: one more figure of the column is hidden, so Tiny is not All minus Mentoring.
    assert PROTECTED in (rows["Mentoring · 2026"]["people"], rows["All"]["people"])
    fifth = enrol(small, make_person("Fifth"), "mentee")
    Participant.objects.filter(pk=fifth.pk).update(applied_at=datetime(2026, 2, 1, tzinfo=UTC))
    with time_machine.travel(NOW, tick=False):
        tiny = next(row for row in build_report(hana, ReportFilter()).tables["programme"].rows if row.label == "Tiny")
    assert tiny.cells["people"].hidden != SMALL, "5 people: hidden only if it would give away a smaller figure"


def test_attribute_breakdowns_cover_only_consented_people_of_reverse_programmes(hana, carol, fixture):
    from people.tests.factories import answer

    reverse = make_programme(carol, name="Reverse", kind="reverse", status="running")
    Participant.objects.filter(programme=reverse).delete()
    people = [make_person(f"Reverse {n}") for n in range(9)]
    for index, person in enumerate(people):
        enrol(reverse, person, "mentor" if index < 3 else "mentee")
        if index < 7:  # the eighth and ninth did not answer the generation; one said "prefer not to say"
            answer(person, "generation", "Generation Z (1997-2012)" if index < 5 else "Generation X (1965-80)")
        if index < 8:
            answer(person, "disability", prefer_not=index == 0, label=None if index == 0 else "No")
    Participant.objects.filter(programme=reverse).update(applied_at=datetime(2026, 2, 1, tzinfo=UTC))
    rows = rows_by_label(hana, by="generation")
    assert list(rows) == ["Baby boomer (1946-64)", "Generation X (1965-80)", "Millennial (1981-96)",
                          "Generation Z (1997-2012)", "Prefer not to say", "All"], "all rows"  # fmt: skip
    assert rows["Generation Z (1997-2012)"].values["people"] == 5
    assert rows["All"].values["people"] == 7, "only the consented who answered, only the reverse programme"
    disability = rows_by_label(hana, by="disability")
    assert disability["All"].values["people"] == 8, "prefer not to say is counted, in its own row"
    assert disability["Prefer not to say"].values["people"] == 1
    assert disability["No"].values["people"] == 7, "never merged into an option"
    shown = shown_by_label(hana, by="generation")
    assert shown["Generation Z (1997-2012)"]["people"] != SMALL
    assert shown["Generation X (1965-80)"]["people"] == SMALL
    assert shown["Baby boomer (1946-64)"]["people"] == 0, "a group of nobody shows 0 (listed, so absence says nothing)"

"""One-off sessions in HR's figures: sessions and hours of their own kind, never
a pair's meetings; their bookers "Drop-in" people, never mentees waiting; k >= 5.

The fixture, beside the pair programme of test_figures ("Mentoring · 2026"): carol's
office-hours programme "Drop-in help" with 2 helpers (Engineering) and 6 bookers
(Sales), enrolled on 1 February. Bookers 0-4 each held one 30-minute session on
10 April; booker 5 held one of 60 minutes on 10 May and has one booked for July
(scheduled, not held). Each held session has a recap and one action."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dropin.tests.factories import make_drop_in, make_helper, make_one_off
from matching.cohorts import waiting_for_a_mentor
from matching.tests.factories import enrol, make_person
from programmes.models import Participant, Programme
from reports.disclosure import SMALL
from reports.figures import FIGURES, ReportFilter, build_report, columns_for
from reports.tests.exported import body, text_of
from sessions_log.models import ActionItem, Meeting, Recap

from .test_figures import NOW, at, fixture, rows_by_label, shown_by_label  # noqa: F401

DROP_IN = "Drop-in help"


@pytest.fixture
def drop_in(carol, fixture):  # noqa: F811
    with time_machine.travel(NOW, tick=False):
        programme = make_drop_in(carol)
        Participant.objects.filter(programme=programme).delete()
        helpers = [make_helper(programme, user=make_person(f"Helper {n}", department="Engineering"))
                   for n in range(2)]  # fmt: skip
        bookers = [enrol(programme, make_person(f"Booker {n}", department="Sales"), "mentee") for n in range(6)]
        Participant.objects.filter(programme=programme).update(applied_at=at(date(2026, 2, 1)))
        sessions = [make_one_off(helpers[n % 2], booker, starts_at=at(date(2026, 4, 10), 9 + n), status="held")
                    for n, booker in enumerate(bookers[:5])]  # fmt: skip
        sessions.append(make_one_off(helpers[0], bookers[5], starts_at=at(date(2026, 5, 10)), status="held",
                                     minutes=60))  # fmt: skip
        make_one_off(helpers[1], bookers[5], starts_at=at(date(2026, 7, 1)))
        for session in sessions:
            Recap.objects.create(meeting=session, author=session.mentee.user, discussed="Private words",
                                 created_at=session.starts_at)  # fmt: skip
            ActionItem.objects.create(meeting=session, owner=session.mentee, description="Try it",
                                      due_on=date(2026, 5, 20))  # fmt: skip
        yield programme


def test_one_off_sessions_count_on_their_own_never_as_a_pairs_meetings(hana, drop_in):
    rows = rows_by_label(hana)
    row, pairs = rows[DROP_IN].values, rows["Mentoring · 2026"].values
    assert (row["oneoff_sessions"], row["oneoff_hours"]) == (6, 3.5), "5 x 30 minutes and one hour"
    assert (row["meetings_held"], row["hours"], row["active"]) == (0, 0, 0), "no pairs in office hours"
    assert (pairs["oneoff_sessions"], pairs["oneoff_hours"], pairs["meetings_held"]) == (0, 0, 15)
    assert (rows["All"].values["meetings_held"], rows["All"].values["oneoff_sessions"]) == (15, 6)


def test_bookers_are_drop_in_people_never_mentees_waiting(hana, drop_in):
    row = rows_by_label(hana)[DROP_IN].values
    assert (row["people"], row["mentors"], row["mentees"]) == (8, 2, 6)
    assert (row["matched"], row["unmatched"], row["drop_in"]) == (0, 0, 6)
    assert row["people"] == row["mentors"] + row["mentees"] + row["awaiting"] + row["withdrawn"]
    assert row["mentees"] == row["matched"] + row["unmatched"] + row["drop_in"]
    assert rows_by_label(hana)["Mentoring · 2026"].values["unmatched"] == 2, "pair programmes still wait"


def test_every_breakdown_counts_one_off_sessions_in_the_bookers_group(hana, drop_in):
    department = rows_by_label(hana, by="department")
    assert (department["Sales"].values["oneoff_sessions"], department["Sales"].values["drop_in"]) == (6, 6)
    assert department["Other"].values["oneoff_sessions"] == 0, "the helpers' department: the booker's counts"
    cohort = rows_by_label(hana, by="cohort")
    assert cohort["Not recorded"].values["oneoff_hours"] == 3.5
    month = rows_by_label(hana, by="month")
    assert (month["2026-04"].values["oneoff_sessions"], month["2026-04"].values["oneoff_hours"]) == (5, 2.5)
    assert (month["2026-05"].values["oneoff_sessions"], month["2026-05"].values["oneoff_hours"]) == (1, 1.0)
    assert month["2026-04"].values["meetings_held"] == 6, "the pairs' April meetings only"
    assert month["All"].values["oneoff_sessions"] == 6


def test_a_date_range_narrows_one_off_sessions(hana, drop_in):
    may = ReportFilter(date_from=date(2026, 5, 1), date_to=date(2026, 5, 31))
    row = rows_by_label(hana, may)[DROP_IN].values
    assert (row["oneoff_sessions"], row["oneoff_hours"]) == (1, 1.0)


def test_one_off_sessions_of_fewer_than_5_people_are_hidden(hana, drop_in):
    shown = shown_by_label(hana)[DROP_IN]
    assert (shown["oneoff_sessions"], shown["oneoff_hours"]) == (6, 3.5), "6 people booked them"
    may = ReportFilter(date_from=date(2026, 5, 1), date_to=date(2026, 5, 31))
    shown = shown_by_label(hana, may)[DROP_IN]
    assert shown["oneoff_sessions"] == SMALL and shown["oneoff_hours"] == SMALL, "one person's session"
    month = shown_by_label(hana, by="month")
    assert month["2026-05"]["oneoff_sessions"] == SMALL and month["2026-05"]["oneoff_hours"] == SMALL
    # All (6) less April (5) would give May away: one of them is hidden too.
    assert month["All"]["oneoff_sessions"] != 6 or month["2026-04"]["oneoff_sessions"] != 5


def test_each_new_figure_is_a_column_with_a_definition(hana, drop_in):
    for by in ("programme", "department", "cohort", "month"):
        keys = [key for key, _label in columns_for(by, ReportFilter())]
        assert {"oneoff_sessions", "oneoff_hours"} <= set(keys), by
    assert "drop_in" in [key for key, _label in columns_for("programme", ReportFilter())]
    assert "office-hours" in FIGURES["drop_in"].definition
    assert "never wait for a mentor" in FIGURES["drop_in"].definition
    assert "one-off" in FIGURES["oneoff_hours"].definition.lower()


def test_the_page_and_the_export_show_the_new_columns_and_no_private_text(client, hana, drop_in):
    client.force_login(hana)
    with time_machine.travel(NOW, tick=False):
        page = client.get(reverse("reports:dashboard")).content.decode()
        response = client.get(reverse("reports:export", args=["figures", "csv"]))
        exported = text_of(body(response))
        response = client.get(reverse("reports:export", args=["meetings", "csv"]))
        log = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    for text in (page, exported):
        assert "One-off sessions" in text and "One-off hours" in text and "Drop-in" in text
        assert "Private words" not in text and "Help me plan" not in text, "recaps and purposes stay private"
    kinds = [row[-1] for row in log[1:] if row[1] == DROP_IN]
    assert log[0][-1] == "Kind" and set(kinds) == {"One-off session"} and len(kinds) == 7
    assert not any("Help me plan" in cell for row in log for cell in row)


def test_the_held_sessions_people_are_in_no_waiting_count(hana, drop_in):
    bookers = Participant.objects.filter(programme=drop_in, role="mentee")
    assert Meeting.objects.filter(programme=drop_in, status="held").count() == 6
    assert not waiting_for_a_mentor(bookers).exists(), "the one rule of who waits for a mentor"
    assert waiting_for_a_mentor(Participant.objects.all()).count() == 2, "the pair programme's two still wait"
    with time_machine.travel(NOW, tick=False):
        report = build_report(hana, ReportFilter())
    assert next(r for r in report.tables["programme"].rows if r.label == DROP_IN).cells["unmatched"].value == 0
    sales = next(r for r in report.tables["department"].rows if r.label == "Sales")
    assert sales.cells["unmatched"].value == 0, "Sales' only waiting would be the bookers"
    # Coordinators' pages and digests, the matching console and the reminders.
    from engagement.reminders import applications_unmatched
    from engagement.selectors import coordinator_overview
    from matching.cohorts import unmatched_mentees
    from mentoring.home import health_of_programmes

    assert unmatched_mentees(drop_in).count() == 0
    assert drop_in.pk not in {summary.programme.pk for summary in coordinator_overview(carol_of(drop_in))}
    assert drop_in.pk not in {row.programme.pk for row in health_of_programmes(Programme.objects.all())}
    reminded = {notice.recipient_id for notice in applications_unmatched(now=NOW + timedelta(days=60))}
    assert reminded, "the pair programme's waiting mentees are reminded"
    assert not reminded & set(bookers.values_list("user_id", flat=True))


def carol_of(programme):
    return programme.coordinators.get().user


def test_the_report_costs_the_same_queries_however_many_sessions(hana, drop_in):
    helper = Participant.objects.filter(programme=drop_in, role="mentor").first()
    counted = []
    for size in (1, 4):
        for number in range(size):
            booker = enrol(drop_in, make_person(f"More {size} {number}", department="Sales"), "mentee")
            make_one_off(helper, booker, starts_at=datetime(2026, 4, 20, 8 + size + number, tzinfo=UTC), status="held")
        with time_machine.travel(NOW, tick=False):
            build_report(hana, ReportFilter())  # warm the caches
            with CaptureQueriesContext(connection) as queries:
                build_report(hana, ReportFilter())
        counted.append(len(queries))
    assert counted[0] == counted[1]

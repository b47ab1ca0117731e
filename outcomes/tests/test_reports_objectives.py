"""The objectives in HR's reports: every breakdown and filter walked, no shown
value rests on 1-4 people or pairs (checked against counts made here from the
rows, not by the reports' code), counts only as bands, no participant's text,
the same in the exports, and a fixed number of queries."""

import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Match
from matching.tests.factories import enrol, make_person
from networks.models import Network, NetworkMembership
from outcomes import catalogue
from outcomes.models import Objective
from people.tests.factories import answer
from programmes.tests.factories import make_programme
from reports import objectives as hr
from reports.figures import ReportFilter, attribute_headings
from reports.tests.exported import body, text_of
from sessions_log.models import Goal, GoalNote
from surveys.models import ProgrammeFeedback, PulseResponse

pytestmark = pytest.mark.django_db

SECRETS = ["SECRET-KEEP-TEXT", "SECRET-CHANGE-TEXT", "SECRET-PULSE-COMMENT", "SECRET-GOAL-TEXT"]
# Groups of 1-4 that must never show a figure of their own (a self-description is never shown at all).
SMALL_LABELS = ["Legal", "Agender", "agender", "Pride network"]
# Groups of 5 or more.
BIG_LABELS = ["Sales", "Woman"]


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


LAST_MONTH = timezone.localdate().replace(day=1) - timedelta(days=20)


def pair(programme, name, department, *, gender="", network="", score=4, nps=9, achieved=True, counter=[0]):  # noqa: B006
    counter[0] += 1
    mentee_user = make_person(f"{name} {counter[0]}", department=department)
    mentor_user = make_person(f"Mentor of {name} {counter[0]}", department="Finance")
    if gender:  # an option of the list, or else a self-description
        listed = gender.strip().lower() in ("woman", "man", "non-binary")
        answer(mentee_user, "gender_identity", gender.strip() if listed else None, text="" if listed else gender)
    if network:
        NetworkMembership.objects.create(network=Network.objects.get_or_create(name=network)[0], user=mentee_user)
    mentee, mentor = enrol(programme, mentee_user, "mentee"), enrol(programme, mentor_user, "mentor")
    match = Match.objects.create(programme=programme, mentee=mentee, mentor=mentor, created_at=at(LAST_MONTH))
    goal = Goal.objects.create(match=match, owner=mentee, objective=SECRETS[3], measure="x",
                               status=Goal.Status.ACHIEVED if achieved else Goal.Status.IN_PROGRESS)  # fmt: skip
    if achieved:
        GoalNote.objects.create(goal=goal, text="done", status_after="achieved", created_at=at(LAST_MONTH))
    PulseResponse.objects.create(match=match, author=mentee_user, due_on=LAST_MONTH, rating=4, meeting_as_planned=True,
                                 comment=SECRETS[2], open_with=score, understood=score, progress=score,
                                 worth_time=score, created_at=at(LAST_MONTH))  # fmt: skip
    ProgrammeFeedback.objects.create(programme=programme, participant=mentee, stage="close", overall=4, matching=4,
                                     support=4, would_recommend=True, recommend_score=nps, keep=SECRETS[0],
                                     change=SECRETS[1], created_at=at(LAST_MONTH))  # fmt: skip
    return match


@pytest.fixture
def world(carol):
    """The programme "Mentoring": 6 Sales mentees and 3 Legal ones. "Tiny": 4 pairs (every figure
    hidden). "Reverse": 6 women and 2 agender people (consented), 3 in a Pride network."""
    mentoring = make_programme(carol, name="Mentoring", status="running", starts_on=LAST_MONTH.replace(day=1))
    tiny = make_programme(carol, name="Tiny", status="running")
    reverse_ = make_programme(carol, name="Reverse", kind="reverse", status="running")
    for i in range(6):
        pair(mentoring, "Sales", "Sales", score=4 + (i % 2), nps=10 - i, achieved=i < 4)
    for _ in range(3):
        pair(mentoring, "Legal", "Legal", score=1, nps=0, achieved=False)
    for _ in range(4):
        pair(tiny, "Tiny", "Sales")
    for i in range(6):
        pair(reverse_, "Woman", "Operations", gender="Woman", score=3 + (i % 3), nps=7 + i % 4,
             network="Pride network" if i < 3 else "")  # fmt: skip
    for _ in range(2):
        pair(reverse_, "Agender", "Operations", gender="agender", score=1, nps=0)
    for programme in (mentoring, tiny, reverse_):
        Objective.objects.create(programme=programme, measure=catalogue.GOAL_ACHIEVED, target=Decimal(60), position=1)
        Objective.objects.create(programme=programme, measure=catalogue.NPS, target=Decimal(20), position=2)
    Objective.objects.create(programme=mentoring, measure=catalogue.RETENTION_12M, target=Decimal(90), position=3)
    return {"mentoring": mentoring, "tiny": tiny, "reverse": reverse_}


def oracle_people(programmes, department: str | None = None, gender: str | None = None) -> int:
    """Mentees in a pair of the programmes in that group, counted here from the rows."""
    matches = Match.objects.filter(programme__in=programmes)
    if department:
        matches = matches.filter(mentee__user__profile__department__name=department)
    if gender:
        matches = matches.filter(mentee__user__attribute_answers__attribute__key="gender_identity",
                                 mentee__user__attribute_answers__option__label__iexact=gender)  # fmt: skip
    return matches.values("mentee__user").distinct().count()


def filters(world) -> list[ReportFilter]:
    ids = [programme.pk for programme in world.values()]
    today = timezone.localdate()
    return [ReportFilter(), *(ReportFilter(programme_ids=(pk,)) for pk in ids),
            ReportFilter(programme_ids=tuple(ids[:2])), ReportFilter(date_to=LAST_MONTH - timedelta(days=1)),
            ReportFilter(date_from=LAST_MONTH, date_to=today)]  # fmt: skip


def test_every_breakdown_and_filter_shows_no_figure_resting_on_1_to_4(world, hana):
    for report_filter in filters(world):
        report = hr.objectives_report(hana, report_filter)
        for row in report.objectives:
            assert row.value.hidden or row.value.value is None or row.value.support >= 5, row
            assert row.rests_on in ("", *(text for _low, text in hr.BANDS))
            if row.programme == "Tiny":
                assert row.value.value is None or row.value.hidden
                assert row.value_text == "–" and row.rests_on == ""
        for table in report.tables():
            labels = [label for label, _items in table.rows]
            assert not set(labels) & set(SMALL_LABELS), (table.key, labels)
            for index in range(len(table.measures)):  # no lone hidden group beside a shown All
                column = {label: items[index].cell for label, items in table.rows}
                hidden_groups = [cell for label, cell in column.items() if label != "All" and cell.hidden]
                if column["All"].shown and column["All"].value is not None and hidden_groups:
                    assert len(hidden_groups) >= 2 and sum(cell.support for cell in hidden_groups) >= 5
            for label, items in table.rows:
                for item in items:
                    if item.cell.shown and item.cell.value is not None:
                        assert item.cell.support >= 5, (table.key, label)
                        assert item.rests_on in [text for _low, text in hr.BANDS]
                    else:
                        assert item.text in ("", "–") and item.rests_on == ""
        # Checked against counts made from the rows: a department shown by name has 5 or more
        # mentees in pairs; Legal's 3 never show by name (they count in Other).
        scoped = [p for p in world.values() if not report_filter.programme_ids or p.pk in report_filter.programme_ids]
        for label, _items in report.by_department.rows:
            if label not in ("Other", "All", "Not recorded"):
                assert oracle_people(scoped, department=label) >= 5, label
        if oracle_people(scoped, department="Legal"):
            assert "Other" in dict(report.by_department.rows)


def test_the_department_breakdown_matches_figures_worked_out_by_hand(world, hana):
    report = hr.objectives_report(hana, ReportFilter())
    rows = dict(report.by_department.rows)
    assert list(rows) == ["Operations", "Sales", "Other", "All"]  # Legal's 3 in Other
    columns = [measure.key for measure in report.by_department.measures]
    sales = dict(zip(columns, rows["Sales"], strict=True))
    assert sales[catalogue.GOAL_ACHIEVED].cell.value == 80.0  # 4 of Mentoring's 6 and Tiny's 4 of 4
    assert sales[catalogue.GOAL_ACHIEVED].rests_on == "10-19"
    assert sales[catalogue.NPS].cell.value == 40.0  # 10, 9, 8, 7, 6, 5 and 9, 9, 9, 9: (6 - 2) / 10
    other = dict(zip(columns, rows["Other"], strict=True))  # Legal's 3 alone: hidden everywhere
    assert all(item.cell.hidden or item.cell.value is None for item in other.values())
    # Other hidden, All shown: Operations (8), the smaller, is hidden too, so Other cannot be worked out.
    operations = dict(zip(columns, rows["Operations"], strict=True))
    assert operations[catalogue.GOAL_ACHIEVED].cell.hidden
    mentoring = hr.objectives_report(hana, ReportFilter(programme_ids=(world["mentoring"].pk,)))
    objective = next(row for row in mentoring.objectives if row.measure.key == catalogue.GOAL_ACHIEVED)
    assert (objective.value.value, objective.rests_on, objective.status) == (44.4, "5-9", "Not met yet")  # 4 of 9
    retention = next(row for row in mentoring.objectives if row.measure.key == catalogue.RETENTION_12M)
    assert retention.status in ("Not measured yet", "Met", "Not met yet", hr.HIDDEN_STATUS)


def test_a_hidden_group_cannot_be_worked_out_from_all_and_the_other_groups(world, hana):
    """Mentoring alone: Sales 4 of 6, Legal (in Other) 0 of 3, All 4 of 9. Were Sales and
    All shown, 44.4% could only be 4/9 and 66.7% only 4/6 (bands of 5-9 or not): Legal's
    3 achieved nothing. So Sales is hidden beside Other, or All is."""
    report = hr.objectives_report(hana, ReportFilter(programme_ids=(world["mentoring"].pk,)))
    columns = [measure.key for measure in report.by_department.measures]
    for index, key in enumerate(columns):
        column = {label: items[index].cell for label, items in report.by_department.rows}
        hidden_groups = [label for label, cell in column.items() if label != "All" and cell.hidden]
        if column["All"].shown and column["All"].value is not None and hidden_groups:
            assert len(hidden_groups) >= 2, (key, hidden_groups)


def test_attribute_breakdowns_list_the_organisations_rows_hide_small_ones_and_leave_out_pair_measures(world, hana):
    report = hr.objectives_report(hana, ReportFilter(programme_ids=(world["mentoring"].pk,)))
    assert set(report.by_attribute) == set(attribute_headings()) - {"staff_network"}  # a person in two networks
    gender = report.by_attribute["gender_identity"]
    assert [measure.key for measure in gender.measures] == hr.BY_ATTRIBUTE  # no goals, no completion
    rows = dict(gender.rows)
    assert list(rows) == ["Woman", "Man", "Non-binary", "Self-described", "Prefer not to say", "All"]
    # The 2 agender people are self-described: one row, never their words, hidden (2 people).
    assert all(item.cell.hidden or item.cell.value is None for item in rows["Self-described"])
    assert oracle_people([world["reverse"]], gender="woman") == 6
    woman = dict(zip([m.key for m in gender.measures], rows["Woman"], strict=True))
    # Check-ins 3, 4, 5, 3, 4, 5: mean 4; share at 4 or more 4 of 6.
    assert woman[catalogue.RELATIONSHIP_QUALITY].cell.value == 4.0
    assert woman[catalogue.RELATIONSHIP_QUALITY_SHARE].cell.value == 66.7


def test_a_share_of_everyone_is_hidden_in_an_attribute_breakdown(carol, hana):
    reverse_ = make_programme(carol, name="All good", kind="reverse", status="running")
    for _ in range(5):
        pair(reverse_, "Woman", "Ops", gender="Woman", score=5)
    report = hr.objectives_report(hana, ReportFilter())
    woman = dict(report.by_attribute["gender_identity"].rows)["Woman"]
    measures = [m.key for m in report.by_attribute["gender_identity"].measures]
    share = woman[measures.index(catalogue.RELATIONSHIP_QUALITY_SHARE)]
    assert share.cell.hidden  # 100%: says of each woman that she rated 4 or more
    department = dict(report.by_department.rows)["Ops"]
    assert department[[m.key for m in report.by_department.measures].index(catalogue.GOAL_ACHIEVED)].cell.value == 100


def test_the_page_shows_the_objectives_and_no_participants_text(client, world, hana):
    client.force_login(hana)
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert 'id="objectives-table"' in page and "Mentees who achieve a goal" in page
    assert 'id="measures-table-department"' in page
    for secret in SECRETS:
        assert secret not in page
    by_gender = client.get(reverse("reports:dashboard"), {"by": "gender_identity"}).content.decode()
    assert 'id="measures-table-gender_identity"' in by_gender
    assert "agender" not in by_gender.lower().split('id="objectives"')[1]


def test_the_exports_carry_the_objectives_with_hidden_cells_empty_and_no_text(client, world, hana):
    client.force_login(hana)
    response = client.get(reverse("reports:export", args=["figures", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    objectives = list(workbook["Objectives"].values)
    assert objectives[0][:7] == ("Programme", "Objective", "Question", "Target", "Value", "Rests on", "Status")
    tiny = [row for row in objectives[1:] if row[0] == "Tiny"]
    assert tiny and all(row[4] is None and row[5] in (None, "") for row in tiny)
    assert "Measures by department" in workbook.sheetnames and "Measures by gender identity" in workbook.sheetnames
    text = " ".join(str(value) for sheet in workbook.worksheets for row in sheet.values for value in row)
    for secret in SECRETS:
        assert secret not in text
    for sheet in ("Measures by department", "Measures by gender identity"):
        for row in list(workbook[sheet].values)[1:]:
            assert row[0] not in SMALL_LABELS
    csv_text = text_of(body(client.get(reverse("reports:export", args=["figures", "csv"]))))
    assert "Objectives" in csv_text and all(secret not in csv_text for secret in SECRETS)


def test_the_report_costs_the_same_queries_at_two_sizes(world, hana, carol):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        hr.objectives_report(hana, ReportFilter())
    for _ in range(6):
        pair(world["mentoring"], "Sales", "Sales")
        pair(world["reverse"], "Woman", "Operations", gender="Woman")
    other = make_programme(carol, name="Another", status="running")
    Objective.objects.create(programme=other, measure=catalogue.COMPLETION, target=Decimal(80))
    Objective.objects.create(programme=other, measure=catalogue.CUSTOM_QUESTION, target=Decimal(4), question="Q?")
    # A second programme with a comparison measure: the workforce is still read once.
    Objective.objects.create(programme=other, measure=catalogue.RETENTION_12M, target=Decimal(90))
    with CaptureQueriesContext(connection) as large:
        hr.objectives_report(hana, ReportFilter())
    assert len(small.captured_queries) == len(large.captured_queries)

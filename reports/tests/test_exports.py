"""The exports: what they hold (and never hold), suppression of small groups in
CSV and Excel alike, the audit log, who may export, and the monthly email.

carol coordinates "Mentoring"; bob mentors alice there, and four more pairs
(from the Sales department) meet too. hana is HR; sam is staff."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from audit.models import AuditEvent
from conversations.models import Message, Thread
from engagement.tests.factories import add_meeting, make_match
from matching.tests.factories import department_named, make_person
from people.models import Profile
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme
from reports.models import ExportAudit, ReportScope, ReportSubscription
from reports.tasks import send_monthly_reports
from sessions_log.models import Feedback, Goal, GoalNote, Recap
from surveys.models import ProgrammeFeedback, PulseResponse

from .exported import body, files_of, sheets_of, text_of

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
SECRETS = ["SECRET-AGENDA", "SECRET-RECAP", "SECRET-LEARNED", "SECRET-NOTE", "SECRET-COMMENT", "SECRET-PULSE",
           "SECRET-KEEP", "SECRET-MESSAGE", "SECRET-MEASURE"]  # fmt: skip


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(carol, alice, bob):
    programme = make_programme(carol, name="Mentoring", status="running", starts_on=date(2026, 1, 1),
                               ends_on=date(2026, 12, 31))  # fmt: skip
    for person in (alice, bob):
        Profile.objects.create(user=person, department=department_named("Finance"))
    pairs = [make_match(carol, alice, bob, programme=programme, created_at=NOW - timedelta(days=100))]
    for number in range(4):
        pairs.append(make_match(
            carol, make_person(f"Sales Mentee {number}", department="Sales"),
            make_person(f"Sales Mentor {number}", department="Sales"), programme=programme,
            created_at=NOW - timedelta(days=90),
        ))  # fmt: skip
    for pair in pairs:
        for days_ago in (60, 30, 3):
            meeting = add_meeting(pair, NOW - timedelta(days=days_ago))
            meeting.agenda = "SECRET-AGENDA"
            meeting.save()
        Recap.objects.create(
            meeting=meeting, author=pair.mentee.user, discussed="SECRET-RECAP", learned="SECRET-LEARNED"
        )
        Feedback.objects.create(meeting=meeting, author=pair.mentee.user, rating=4, comment="SECRET-COMMENT")
        goal = Goal.objects.create(match=pair, owner=pair.mentee, objective="Grow", measure="SECRET-MEASURE",
                                   status="achieved")  # fmt: skip
        GoalNote.objects.create(goal=goal, text="SECRET-NOTE")
        PulseResponse.objects.create(match=pair, author=pair.mentee.user, due_on=(NOW - timedelta(days=60)).date(),
                                     rating=4, meeting_as_planned=True, comment="SECRET-PULSE")  # fmt: skip
        ProgrammeFeedback.objects.create(programme=programme, participant=pair.mentee, stage="midpoint", overall=4,
                                         matching=4, support=4, would_recommend=True, keep="SECRET-KEEP")  # fmt: skip
        for kind in ("pair", "coordinators"):  # messages are private text too (docs/messages.md)
            thread = Thread.objects.create(match=pair, kind=kind)
            Message.objects.create(thread=thread, author=pair.mentee.user, body="SECRET-MESSAGE")
    return programme


def export_url(kind: str, file_format: str, **params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("reports:export", args=[kind, file_format]) + (f"?{query}" if query else "")


def download(client, user, kind, file_format, **params) -> bytes:
    client.force_login(user)
    response = client.get(export_url(kind, file_format, **params))
    assert response.status_code == 200, response.content[:500]
    return body(response)


@pytest.mark.parametrize("kind", ["figures", "matches", "meetings"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_no_export_holds_any_words_a_participant_wrote(client, hana, programme, kind, file_format):
    content = download(client, hana, kind, file_format)
    text = text_of(content)
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into the {kind} {file_format}"
        assert secret.encode() not in content


def test_the_meeting_export_lists_each_meeting_in_the_range(client, hana, programme):
    content = download(client, hana, "meetings", "csv", date_from="2026-05-01", date_to="2026-06-30")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Meeting", "Programme", "Match"]
    assert len(rows) - 1 == 5 * 2  # each pair met 30 and 3 days ago (the meeting 60 days ago is in April)
    assert {row[1] for row in rows[1:]} == {"Mentoring"}


def test_the_match_export_has_one_row_per_pair_with_its_progress(client, hana, programme):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, hana, "matches", "xlsx")), read_only=True)
    rows = list(workbook["Matches"].values)
    assert rows[0][:5] == ("Match", "Programme", "Cohort", "Mentor", "Mentee")
    alice_row = next(row for row in rows[1:] if row[4] == "Alice Adams")
    values = dict(zip(rows[0], alice_row, strict=True))
    assert (values["Meetings held"], values["Hours"], values["Goals achieved"]) == (3, 3, 1)
    assert values["Health"] in ("On track", "Needs attention", "Stalled", "New")
    assert len(rows) == 6


def figure_rows_of(content: bytes) -> list[list]:
    """Every row of every table; the zip's README lines as rows of one cell."""
    rows = [row for sheet in sheets_of(content).values() for row in sheet]
    return rows + [[line] for line in files_of(content).get("README.txt", "").splitlines()]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_figures_resting_on_fewer_than_five_are_empty_cells_with_the_meaning_stated_once(
    client, hana, programme, file_format
):
    # By department: Finance holds alice and bob (2 people): counted as "Other"; Sales 8 people.
    content = download(client, hana, "figures", file_format)
    rows = figure_rows_of(content)
    text = text_of(content)
    assert "Finance" not in text, "the name of a group of 2"
    assert not [value for row in rows for value in row if str(value).strip().lower() in ("fewer than 5", "hidden")]
    header = next(row for row in rows if row and row[0] == "Department")
    other = dict(zip(header, next(row for row in rows if row and row[0] == "Other"), strict=False))
    sales = dict(zip(header, next(row for row in rows if row and row[0] == "Sales"), strict=False))
    total = dict(zip(header, next(row for row in rows if row and row[0] == "All"), strict=False))
    assert other["People"] in ("", None)
    empty = ("", None)
    assert sales["People"] in empty or total["People"] in empty, "else Other would be All minus Sales"
    notes = [row for row in rows if row and str(row[0]).startswith("An empty figure is hidden")]
    assert len(notes) == 1, "the meaning of an empty cell, once"


def test_each_export_is_recorded_with_its_filters_and_rows(client, hana, programme):
    download(client, hana, "meetings", "csv", date_from="2026-05-01", date_to="2026-06-30")
    download(client, hana, "matches", "xlsx", programme=programme.pk)
    first, second = ExportAudit.objects.order_by("pk")
    assert (first.user, first.kind, first.file_format, first.rows) == (hana, "meetings", "csv", 10)
    assert first.filters["date_from"] == "2026-05-01" and first.filters["date_to"] == "2026-06-30"
    assert (second.kind, second.file_format, second.rows) == ("matches", "xlsx", 5)
    assert second.filters["programme_ids"] == [programme.pk]
    assert first.finished_at is not None
    events = list(AuditEvent.objects.filter(action="export").order_by("pk"))
    assert [(e.actor, e.target_id, e.summary) for e in events] == [
        (hana, first.pk, "Meetings exported (csv)"), (hana, second.pk, "Per-match progress exported (xlsx)"),
    ]  # fmt: skip
    assert events[1].detail["programme_ids"] == [programme.pk]
    assert events[0].ip_address == "127.0.0.1"


def test_bad_filters_are_refused_with_a_sentence_and_not_logged(client, hana, programme):
    client.force_login(hana)
    response = client.get(export_url("meetings", "csv", date_from="2026-06-30", date_to="2026-05-01"))
    assert response.status_code == 400
    assert not ExportAudit.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_participants_and_coordinators_cannot_export(client, request, who, programme):
    client.force_login(request.getfixturevalue(who))
    for kind in ("figures", "matches", "meetings"):
        assert client.get(export_url(kind, "csv")).status_code == 404
    assert client.get(reverse("reports:export_log")).status_code == 404
    assert client.post(reverse("reports:subscription"), {"subscribe": "1"}).status_code == 404
    assert not ExportAudit.objects.exists() and not ReportSubscription.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, programme):
    response = client.get(export_url("meetings", "csv"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_hr_scoped_to_one_programme_exports_only_that_one(client, hana, carol, programme):
    other = make_programme(carol, name="Elsewhere", status="running")
    ReportScope.objects.create(user=hana, programme=other)
    content = download(client, hana, "meetings", "csv")
    assert content.decode("utf-8-sig").strip().count("\n") == 0, "only the header: Mentoring is out of her scope"
    response = client.get(export_url("meetings", "csv", programme=programme.pk))
    assert response.status_code == 400
    assert "not one you may report on" in response.content.decode()


def test_only_staff_see_the_export_log(client, hana, sam, programme):
    download(client, hana, "figures", "csv")
    client.force_login(hana)
    assert client.get(reverse("reports:export_log")).status_code == 404
    client.force_login(sam)
    page = client.get(reverse("reports:export_log"))
    assert page.status_code == 200 and "Programme figures" in page.content.decode()


def committed():
    return TestCase.captureOnCommitCallbacks(execute=True)


def test_the_monthly_report_is_mailed_once_per_month_to_subscribers(client, hana, programme):
    client.force_login(hana)
    client.post(reverse("reports:subscription"), {"subscribe": "1"})
    UserFactory(email="nobody@example.org", is_hr=True)  # did not subscribe
    with time_machine.travel(datetime(2026, 7, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
        send_monthly_reports.delay()
    assert [message.to for message in mail.outbox] == [["hana@example.org"]]
    message = mail.outbox[0]
    assert "June 2026" in message.subject
    [(filename, content, _mimetype)] = message.attachments
    assert filename == "mentoring-report-2026-06.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert "By programme" in workbook.sheetnames
    audit = ExportAudit.objects.get(kind="monthly")
    assert (audit.user, audit.filters["date_from"], audit.filters["date_to"]) == (hana, "2026-06-01", "2026-06-30")
    with time_machine.travel(datetime(2026, 8, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
    assert len(mail.outbox) == 2 and "July 2026" in mail.outbox[1].subject


def test_stopping_the_monthly_report(client, hana, programme):
    client.force_login(hana)
    client.post(reverse("reports:subscription"), {"subscribe": "1"})
    client.post(reverse("reports:subscription"), {"subscribe": "0"})
    with time_machine.travel(datetime(2026, 7, 1, 7, 30, tzinfo=UTC), tick=False), committed():
        send_monthly_reports.delay()
    assert mail.outbox == []

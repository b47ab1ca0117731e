"""Private text never reaches the API: whatever a pair wrote (recaps, agenda,
place, goals and their notes, feedback, motivation, answers) holds MARKER in the
world, and no response of any endpoint, to anyone, contains it."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from reports.figures import ReportFilter, build_report
from reports.models import ExportAudit

from .conftest import MARKER, ROLE_PEOPLE

GETS = [
    ("api:programmes", ""), ("api:programme", "p1"), ("api:participants", "p1"),
    ("api:matches", ""), ("api:match", "pair_a"), ("api:meetings", "pair_a"), ("api:goals", "pair_a"),
    ("api:runs", "p1"), ("api:run", "p1 run_1"), ("api:figures", ""), ("api:people", ""),
    ("api:person", "alice"), ("api:audit_events", ""),
    ("api:export", "=figures =csv"), ("api:export", "=matches =csv"), ("api:export", "=meetings =csv"),
]  # fmt: skip


def _url(world, name, args):
    values = [word[1:] if word.startswith("=") else getattr(world, word).pk for word in args.split()]
    return reverse(name, args=values)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", "replace")


@pytest.mark.parametrize("who", [*ROLE_PEOPLE.values(), "bob"])
def test_no_response_holds_anything_a_pair_wrote(world, api_as, who):
    api = api_as(who)
    seen = 0
    for name, args in GETS:
        response = api.get(_url(world, name, args))
        assert MARKER not in _body(response), (who, name)
        seen += response.status_code == 200
    assert seen >= 2  # each person read something


def test_meetings_and_goals_say_how_many_never_what(world, api_as):
    meetings = api_as("alice").get(reverse("api:meetings", args=[world.pair_a.pk])).json()["results"]
    assert meetings == [{
        "id": world.meeting_a.pk, "match_id": world.pair_a.pk, "starts_at": meetings[0]["starts_at"],
        "minutes": 60, "format": world.meeting_a.format, "status": "held",
        "recaps": 1,  # her own; bob's private recap is not counted for her
        "feedback": 1,  # her own
    }]  # fmt: skip
    # The coordinator counts the recap shared with coordinators and all the feedback.
    as_carol = api_as("carol").get(reverse("api:meetings", args=[world.pair_a.pk])).json()["results"]
    assert (as_carol[0]["recaps"], as_carol[0]["feedback"]) == (1, 1)
    # Bob reads both recaps (his and alice's, shared) and only his own feedback (none).
    as_bob = api_as("bob").get(reverse("api:meetings", args=[world.pair_a.pk])).json()["results"]
    assert (as_bob[0]["recaps"], as_bob[0]["feedback"]) == (2, 0)
    goals = api_as("bob").get(reverse("api:goals", args=[world.pair_a.pk])).json()["results"]
    assert [(g["owner_role"], g["status"], g["notes"]) for g in goals] == [("mentee", "not_started", 1)]


def test_the_figures_hide_the_same_cells_as_the_reports_page_as_null(world, api_as):
    figures = api_as("hana").get(reverse("api:figures"), {"by": "department"}).json()
    report = build_report(world.hana, ReportFilter())
    assert figures["by"] == "department"
    seen_hidden = 0
    for table in figures["tables"]:
        expected = report.tables[table["key"]]
        assert [row["label"] for row in table["rows"]] == [row.label for row in expected.rows]
        for row, expected_row in zip(table["rows"], expected.rows, strict=True):
            for key, cell in expected_row.cells.items():
                want = {"value": None, "hidden": True} if cell.hidden else {"value": cell.value, "hidden": False}
                assert row["cells"][key] == want, (table["key"], row["label"], key)
                seen_hidden += bool(cell.hidden)
    assert seen_hidden  # two programmes of 2 and 6 people: some cells are hidden
    by_programme = api_as("hana").get(reverse("api:figures")).json()
    p2_row = next(row for row in by_programme["tables"][0]["rows"] if row["label"].startswith("Leadership"))
    assert p2_row["cells"]["people"] == {"value": None, "hidden": True}  # 2 people


def test_an_export_through_the_api_is_logged_like_the_browsers_with_the_token(world, api_as):
    response = api_as("hana").get(reverse("api:export", args=["matches", "csv"]), {"programme": world.p1.pk})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    _body(response)
    export = ExportAudit.objects.get()
    assert (export.user, export.kind, export.file_format, export.rows) == (world.hana, "matches", "csv", 2)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == world.hana and "token" in event.detail and "API" in event.summary


def test_an_excel_export_and_bad_filters(world, api_as):
    api = api_as("sam")
    response = api.get(reverse("api:export", args=["figures", "xlsx"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    _body(response)
    bad = api.get(reverse("api:export", args=["figures", "csv"]), {"date_from": "2027-02-01", "date_to": "2027-01-01"})
    assert bad.status_code == 400 and "date_to" in bad.json()
    assert api.get(reverse("api:export", args=["secrets", "csv"])).status_code == 404
    assert ExportAudit.objects.count() == 1  # the refused ones recorded nothing

"""REPORTS_DATABASE_URL: HR's reports and exports read from a replica, every write
goes to the primary, and nothing else reads the replica (mentoring/db_routers.py).

The "reports" alias of the test settings is a TEST MIRROR of the test database:
its own connection to the same data, as a replica without lag would be. Each test
captures the queries of both connections, so it sees which one every query took.
The last tests point the alias at a real second PostgreSQL database, a copy of
the test database taken mid-test, and change the primary afterwards: the report
pages then show the copy's figures, as they would from a lagging replica."""

import re
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.tests.conftest import Api, make_token
from engagement.tests.factories import add_meeting, make_match
from matching.models import Match
from matching.tests.factories import make_person
from mentoring.db_routers import ReportsReplicaRouter, reading_from_reports_database, reads_from_reports_database
from programmes.models import Programme
from programmes.tests.factories import make_programme
from reports.models import ExportAudit, ReportSubscription
from reports.tests.exported import body

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "reports"])

DASHBOARD = reverse("reports:dashboard")
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
# A query, or a server-side cursor over one (QuerySet.iterator(), as the exports stream).
READ = re.compile(r'^\s*(SELECT|WITH|DECLARE "\w+" NO SCROLL CURSOR WITH HOLD FOR SELECT)\b', re.IGNORECASE)
TABLE = re.compile(r'(?:FROM|JOIN|INTO|UPDATE)\s+"([a-z_0-9]+)"', re.IGNORECASE)
CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]*')
# Tables every report reads; a request's own plumbing (the session, the signed-in
# person, what the middleware checks) reads other tables, from the primary.
REPORT_TABLES = {"matching_match", "sessions_log_meeting", "sessions_log_goal"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def programme(carol):
    """A running programme of five pairs in Sales, three meetings each."""
    programme = make_programme(carol, name="Mentoring", status="running", starts_on=date(2026, 1, 1),
                               ends_on=date(2026, 12, 31))  # fmt: skip
    for number in range(5):
        pair = make_match(
            carol, make_person(f"Mentee {number}", department="Sales"),
            make_person(f"Mentor {number}", department="Sales"), programme=programme,
            created_at=NOW - timedelta(days=90),
        )  # fmt: skip
        for days_ago in (60, 30, 3):
            add_meeting(pair, NOW - timedelta(days=days_ago))
    return programme


@pytest.fixture
def replica(settings):
    settings.REPORTS_DATABASE = "reports"


@contextmanager
def queries_by_connection():
    """{alias: [sql, ...]} of what ran on each connection inside the block."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in ("default", "reports")
        }
        found: dict[str, list[str]] = {}
        yield found
    found.update({alias: [query["sql"] for query in context.captured_queries] for alias, context in captured.items()})


def tables(queries: list[str]) -> set[str]:
    return {table for sql in queries for table in TABLE.findall(sql)}


def writes(queries: list[str]) -> list[str]:
    return [sql for sql in queries if WRITE.match(sql)]


def only_reads_the_replica(found: dict[str, list[str]]) -> None:
    assert found["reports"], "the report read nothing from the replica"
    assert writes(found["reports"]) == [], "the replica is read-only: nothing may be written there"
    assert [sql[:80] for sql in found["reports"] if not READ.match(sql)] == [], "only reads on the replica"
    primary = tables(found["default"])
    assert not primary & REPORT_TABLES, f"the report's figures came from the primary: {sorted(primary)}"


def test_the_reports_page_reads_its_figures_from_the_replica_and_shows_the_same(client, hana, programme, replica):
    client.force_login(hana)
    with queries_by_connection() as found:
        page = client.get(DASHBOARD, {"by": "department"})
    assert page.status_code == 200
    only_reads_the_replica(found)
    assert REPORT_TABLES & tables(found["reports"])

    with override_settings(REPORTS_DATABASE=DEFAULT_DB_ALIAS):
        from_primary = client.get(DASHBOARD, {"by": "department"})
    # The mirror holds the same rows: the same page.
    assert CSRF.sub("", page.content.decode()) == CSRF.sub("", from_primary.content.decode())


@pytest.mark.parametrize(("kind", "file_format"), [("figures", "csv"), ("meetings", "csv"), ("matches", "xlsx")])
def test_exports_read_from_the_replica_and_log_on_the_primary(client, hana, programme, replica, kind, file_format):
    client.force_login(hana)
    with queries_by_connection() as found:
        response = client.get(reverse("reports:export", args=[kind, file_format]))
        content = body(response)  # a streamed CSV is made here, after the view returned
    assert response.status_code == 200 and content
    only_reads_the_replica(found)
    # The export log's row and the audit event, then its row count once the file ends: on the primary.
    written = tables(writes(found["default"]))
    assert {"reports_exportaudit", "audit_auditevent"} <= written
    audit = ExportAudit.objects.using(DEFAULT_DB_ALIAS).get(kind=kind)
    assert audit.finished_at is not None and audit.rows > 0


def test_the_apis_figures_and_exports_read_from_the_replica(hana, programme, replica):
    api = Api(make_token(hana))
    with queries_by_connection() as found:
        figures = api.get(reverse("api:figures"))
    assert figures.status_code == 200
    only_reads_the_replica(found)

    with queries_by_connection() as found:
        export = api.get(reverse("api:export", args=["meetings", "csv"]))
        content = body(export)
    assert export.status_code == 200 and content
    only_reads_the_replica(found)
    assert "reports_exportaudit" in tables(writes(found["default"]))


def test_the_monthly_reports_figures_come_from_the_replica_and_its_logs_go_to_the_primary(
    client, hana, programme, replica
):
    ReportSubscription.objects.create(user=hana)
    from reports.tasks import send_monthly_reports

    with queries_by_connection() as found:
        send_monthly_reports.delay()  # eager; the mail is built when the outbox entry runs, after the commit
    assert [message.to for message in mail.outbox] == [["hana@example.org"]]
    only_reads_the_replica(found)
    assert {"reports_exportaudit", "notifications_notification"} <= tables(writes(found["default"]))


def test_other_pages_and_the_report_pages_writes_never_touch_the_replica(client, hana, carol, programme, replica):
    client.force_login(carol)
    with queries_by_connection() as found:
        assert client.get(reverse("programmes:detail", args=[programme.pk])).status_code == 200
    assert found["reports"] == [] and found["default"]

    client.force_login(hana)
    with queries_by_connection() as found:
        client.post(reverse("reports:subscription"), {"subscribe": "1"})
    assert found["reports"] == [] and ReportSubscription.objects.filter(user=hana).exists()


def test_with_no_replica_configured_everything_reads_and_writes_the_primary(client, hana, programme):
    client.force_login(hana)
    with queries_by_connection() as found:
        assert client.get(DASHBOARD).status_code == 200
        body(client.get(reverse("reports:export", args=["figures", "csv"])))
    assert found["reports"] == []
    assert REPORT_TABLES & tables(found["default"])
    with reading_from_reports_database():
        assert ReportsReplicaRouter().db_for_read(Match) is None, "Django's own routing"
        assert ReportsReplicaRouter().db_for_write(Match) is None


def test_in_the_scope_reads_go_to_the_replica_and_writes_and_sessions_to_the_primary(replica, hana):
    from django.contrib.sessions.models import Session

    assert router.db_for_read(Match) == DEFAULT_DB_ALIAS, "outside the scope"
    with reading_from_reports_database():
        assert router.db_for_read(Match) == "reports"
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS, "a new sign-in may not have reached the replica"
        # A row read from the replica is written back to the primary, not where it came from.
        read = Programme.objects.using("reports").first() or Programme(name="x")
        assert router.db_for_write(Programme, instance=read) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Match) == DEFAULT_DB_ALIAS, "the scope ends with its block"
    assert router.allow_migrate("reports", "matching") is False, "a replica is migrated by replication"
    assert router.allow_migrate("default", "matching") is True


def test_a_streamed_body_is_made_in_the_scope_and_the_scope_ends_between_chunks(rf, hana, replica):
    from django.http import StreamingHttpResponse

    seen = []

    @reads_from_reports_database
    def view(request):
        def chunks():
            for _ in range(2):
                seen.append(router.db_for_read(Match))
                yield b"x"

        return StreamingHttpResponse(chunks())

    request = rf.get("/")
    request.user = hana
    response = view(request)
    iterator = iter(response.streaming_content)
    next(iterator)
    assert router.db_for_read(Match) == DEFAULT_DB_ALIAS, "not while the server writes the chunk"
    list(iterator)
    assert seen == ["reports", "reports"]


# -- a real second database --------------------------------------------------


@contextmanager
def replica_copy():
    """Point the reports alias at a real second database: a copy of the test
    database as it is now (CREATE DATABASE ... TEMPLATE), like a replica that stops
    replaying at this moment. The copy is dropped afterwards."""
    primary, reports = connections["default"], connections["reports"]
    source = primary.settings_dict["NAME"]
    copy = f"{source}_replica"
    connections.close_all()  # a template database may have no other session
    with primary._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')
        # A session an earlier test left open (a live server's thread, a worker) would refuse the copy.
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [source],
        )
        cursor.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
    mirrored = reports.settings_dict  # the mirror shares default's dict: replace it, never edit it
    reports.settings_dict = {**mirrored, "NAME": copy}
    try:
        yield copy
    finally:
        reports.close()
        reports.settings_dict = mirrored
        with primary._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{copy}"')


def test_with_a_real_replica_reports_show_its_rows_and_writes_land_on_the_primary(
    client, hana, carol, programme, replica
):
    with replica_copy():
        # Written on the primary after the copy was taken: the replica "lags" behind it.
        Programme.objects.filter(pk=programme.pk).update(name="Renamed on the primary")
        client.force_login(hana)
        page = client.get(DASHBOARD).content.decode()
        assert "Mentoring" in page and "Renamed on the primary" not in page, "the figures come from the replica"

        export = body(client.get(reverse("reports:export", args=["matches", "csv"]))).decode()
        assert "Mentoring" in export and "Renamed on the primary" not in export
        assert ExportAudit.objects.using(DEFAULT_DB_ALIAS).filter(kind="matches", rows__gt=0).count() == 1
        assert not ExportAudit.objects.using("reports").exists(), "the log row went to the primary only"

        # Every other page reads the primary.
        client.force_login(carol)
        assert (
            "Renamed on the primary" in client.get(reverse("programmes:detail", args=[programme.pk])).content.decode()
        )

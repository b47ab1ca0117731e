"""The workforce history the roster sync keeps (docs/workforce-history.md): hire
and leave dates, one event per change for everyone it manages, dry runs, the
impossible dates it refuses row by row, and the purge of old history."""

import io
from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from directory.models import RosterEntry, WorkforceEvent
from directory.sync import roster_sync
from directory.tasks import purge_workforce_history
from directory.workforce import WorkforceError, events_purge, record_event, state_on
from people.models import Department
from privacy.selectors import person_data
from privacy.services import person_erase

from .conftest import everyone, hr_file, person_row

Kind = WorkforceEvent.Kind


def history(user) -> list[tuple]:
    return list(
        WorkforceEvent.objects.filter(entry__user=user)
        .order_by("on", "pk")
        .values_list("kind", "on", "department__name", "seniority__name", "job_title")
    )


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def generous_limit(settings):
    settings.ROSTER_SYNC_MAX_LEAVER_SHARE = 0.5


def test_the_first_sight_of_each_person_is_a_hire_on_their_hire_date_in_their_current_state(org, tmp_path, today):
    rows = everyone(org)
    rows[0]["hire_date"] = "2015-04-01"  # dana, ISO
    rows[1]["hire_date"] = "01/09/2021"  # erin, day first

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert history(org["dana"]) == [("hired", date(2015, 4, 1), "Finance", "Manager", "")]
    assert history(org["erin"]) == [("hired", date(2021, 9, 1), "Finance", "Analyst", "")]
    assert history(org["alice"]) == [("hired", today, "Finance", "Associate", "Analyst")]  # no hire date: today
    assert RosterEntry.objects.get(user=org["erin"]).hired_on == date(2021, 9, 1)
    assert RosterEntry.objects.get(user=org["alice"]).hired_on is None
    assert result.events == 4 and result.summary()["events"] == 4
    assert "workforce history events: 4" in result.in_words()


def test_each_change_applied_is_one_event_holding_the_state_after_it(org, tmp_path, today, levels):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))
    rows = everyone(org)
    rows[2] = person_row(org["alice"], "E3", department="Sales", seniority="Analyst", job_title="Account manager")
    rows[1] = person_row(org["erin"], "E2", manager_email="")  # a new manager is not workforce history

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert history(org["alice"])[1:] == [
        ("department", today, "Sales", "Analyst", "Account manager"),
        ("seniority", today, "Sales", "Analyst", "Account manager"),
        ("title", today, "Sales", "Analyst", "Account manager"),
    ]
    assert len(history(org["erin"])) == 1
    assert result.events == 3
    assert f"history: alice@example.org: seniority on {today:%Y-%m-%d} (Sales, Analyst, Account manager)" in (
        result.lines
    )

    again = roster_sync(path=hr_file(tmp_path, rows))  # the same file twice records nothing twice
    assert again.events == 0 and WorkforceEvent.objects.count() == 7


def test_a_leave_date_makes_a_leaver_left_on_that_date_and_a_return_is_a_new_hire(org, tmp_path, today, generous_limit):
    rows = everyone(org)
    rows[0]["hire_date"] = "2015-04-01"
    roster_sync(path=hr_file(tmp_path, rows, name="first.csv"))
    left_on = today - timedelta(days=10)
    rows = everyone(org)
    rows[0] = person_row(org["dana"], "E1", leave_date=f"{left_on:%d.%m.%Y}")  # no status: the date says it

    result = roster_sync(path=hr_file(tmp_path, rows, name="second.csv"))

    org["dana"].refresh_from_db()
    assert not org["dana"].is_active and result.left == 1
    assert history(org["dana"])[-1] == ("left", left_on, "Finance", "Manager", "")

    rows[0] = person_row(org["dana"], "E1", hire_date=f"{today:%Y-%m-%d}")
    roster_sync(path=hr_file(tmp_path, rows, name="third.csv"))
    assert history(org["dana"])[-1] == ("hired", today, "Finance", "Manager", "")
    assert RosterEntry.objects.get(user=org["dana"]).hired_on == today


def test_someone_missing_from_the_file_leaves_today_in_the_state_their_profile_holds(
    org, tmp_path, today, generous_limit
):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))
    rows = [row for row in everyone(org) if row["employee_id"] != "E4"]  # bob

    roster_sync(path=hr_file(tmp_path, rows))

    assert history(org["bob"])[-1] == ("left", today, "Finance", "Senior", "Controller")


def test_a_future_leave_date_changes_nothing_until_it_passes(org, tmp_path, today):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))
    rows = everyone(org)
    rows[0] = person_row(org["dana"], "E1", leave_date=f"{today + timedelta(days=30):%Y-%m-%d}", status="active")

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.row_errors == [] and result.left == 0 and result.events == 0


def test_a_dry_run_reports_the_events_it_would_record_and_records_none(org, tmp_path, today):
    rows = everyone(org)
    rows[0]["hire_date"] = "2015-04-01"

    result = roster_sync(path=hr_file(tmp_path, rows), dry_run=True)

    assert WorkforceEvent.objects.count() == 0 and RosterEntry.objects.count() == 0
    assert result.events == 4
    assert "history: dana@example.org: hired on 2015-04-01 (Finance, Manager, no title)" in result.lines
    assert result.in_words().startswith("Dry run, nothing changed.")


@pytest.mark.parametrize(
    ("values", "error"),
    [
        ({"hire_date": "2999-01-01"}, "The hire date 2999-01-01 is in the future; list people from their first day."),
        ({"hire_date": "2020-05-01", "leave_date": "2019-12-31"},
         "The leave date 2019-12-31 is before the hire date 2020-05-01."),
        ({"hire_date": "31/02/2020"},
         "The hire date “31/02/2020” is not a date; write it as 2021-03-31 or 31/03/2021 (day first)."),
        ({"leave_date": "next week"},
         "The leave date “next week” is not a date; write it as 2021-03-31 or 31/03/2021 (day first)."),
        ({"leave_date": "2020-01-01", "status": "active"},
         "The status says “active” but the leave date 2020-01-01 has passed; correct one of them."),
        ({"leave_date": "2999-01-01", "status": "left"},
         "The status says “left” but the leave date 2999-01-01 is still to come."),
    ],
)  # fmt: skip
def test_impossible_dates_are_row_errors_and_change_nothing_for_that_row(org, tmp_path, values, error):
    roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))
    before = (history(org["alice"]), RosterEntry.objects.get(user=org["alice"]).hired_on)
    rows = everyone(org)
    rows[2] = person_row(org["alice"], "E3", job_title="Changed", **values)  # line 4
    rows[1] = person_row(org["erin"], "E2", hire_date="2020-02-29")  # a good row beside it

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.row_errors == [(4, error)]
    org["alice"].profile.refresh_from_db()
    assert org["alice"].profile.job_title == "Analyst"
    assert org["alice"].is_active
    assert (history(org["alice"]), RosterEntry.objects.get(user=org["alice"]).hired_on) == before
    assert RosterEntry.objects.get(user=org["erin"]).hired_on == date(2020, 2, 29)


def test_the_common_names_of_the_date_columns_are_read(org, tmp_path):
    header = ["Employee number", "E-mail", "Start date", "Termination date"]
    rows = [{"Employee number": f"E{n}", "E-mail": person.email, "Start date": "5/1/2019"}
            for n, person in enumerate([org["dana"], org["erin"], org["alice"], org["bob"]], start=1)]  # fmt: skip

    result = roster_sync(path=hr_file(tmp_path, rows, header=header))

    assert result.header_errors == [] and result.row_errors == []
    assert set(RosterEntry.objects.values_list("hired_on", flat=True)) == {date(2019, 1, 5)}


def test_the_sync_with_history_costs_the_same_queries_for_ten_rows_as_for_forty(org, tmp_path, levels):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.tests.factories import make_person

    counts, rows = [], everyone(org)
    for size in (10, 40):  # the second file lists the first's people too: nobody leaves
        for number in range(size):
            person = make_person(f"S{size} {number}", email=f"s{size}-{number}@example.org")
            rows.append({"employee_id": f"S{size}-{number}", "email": person.email, "department": "Sales",
                         "seniority": "Senior", "hire_date": "2020-01-01"})  # fmt: skip
        rows[0] = person_row(org["dana"], "E1", job_title=f"Director {size}")
        path = hr_file(tmp_path, rows, name=f"org{size}.csv")
        with CaptureQueriesContext(connection) as queries:
            result = roster_sync(path=path, allow_mass_leave=True)
        assert result.events >= size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# -- by hand, for the demo and support --------------------------------------------------------------


def test_record_event_writes_one_event_and_refuses_impossible_ones(org, today):
    entry = RosterEntry.objects.create(user=org["erin"], employee_id="E2", hired_on=date(2020, 1, 6))
    finance = Department.objects.get(name="Finance")

    record_event(entry=entry, kind=Kind.HIRED, on=date(2020, 1, 6), department=finance, job_title="Analyst")
    record_event(entry=entry, kind=Kind.LEFT, on=date(2024, 6, 30), department=finance)

    events = list(entry.events.all())
    assert state_on(events, date(2019, 12, 31)) is None
    assert state_on(events, date(2022, 1, 1)).employed and state_on(events, date(2022, 1, 1)).job_title == "Analyst"
    assert not state_on(events, date(2024, 7, 1)).employed
    with pytest.raises(WorkforceError, match="cannot be dated in the future"):
        record_event(entry=entry, kind=Kind.TITLE, on=today + timedelta(days=1))
    with pytest.raises(WorkforceError, match="is not a kind of workforce event"):
        record_event(entry=entry, kind="promoted", on=today)
    assert entry.events.count() == 2


# -- retention ---------------------------------------------------------------------------------------


@pytest.fixture
def old_history(org):
    """erin: hired 2010, promoted 2015, moved 2022; dana: hired 2008, left 2012."""
    erin = RosterEntry.objects.create(user=org["erin"], employee_id="E2")
    dana = RosterEntry.objects.create(user=org["dana"], employee_id="E1")
    for entry, kind, on in [(erin, Kind.HIRED, date(2010, 3, 1)), (erin, Kind.SENIORITY, date(2015, 3, 1)),
                            (erin, Kind.DEPARTMENT, date(2022, 3, 1)), (dana, Kind.HIRED, date(2008, 1, 1)),
                            (dana, Kind.LEFT, date(2012, 1, 1))]:  # fmt: skip
        WorkforceEvent.objects.create(entry=entry, kind=kind, on=on)
    return {"erin": erin, "dana": dana}


def test_the_purge_deletes_history_older_than_the_period_but_keeps_the_state_it_starts_in(old_history, settings):
    settings.WORKFORCE_HISTORY_YEARS = 7  # the period starts on 2019-12-01

    assert events_purge(today=date(2026, 12, 1)) == 3

    erin = list(old_history["erin"].events.values_list("kind", "on"))
    assert erin == [("seniority", date(2015, 3, 1)), ("department", date(2022, 3, 1))]  # 2015: her state in 2019
    assert not old_history["dana"].events.exists()  # left long ago: nothing is kept
    assert events_purge(today=date(2026, 12, 1)) == 0  # idempotent

    settings.WORKFORCE_HISTORY_YEARS = 3
    assert events_purge(today=date(2026, 12, 1)) == 1
    assert list(old_history["erin"].events.values_list("on", flat=True)) == [date(2022, 3, 1)]


def test_the_daily_task_and_the_command_purge_and_a_fresh_install_schedules_the_task(old_history, settings, db):
    settings.WORKFORCE_HISTORY_YEARS = 7
    out = io.StringIO()
    call_command("purge_workforce_history", "--dry-run", stdout=out)
    assert "Dry run, nothing deleted: 3 workforce events are dated before" in out.getvalue()
    assert WorkforceEvent.objects.count() == 5

    assert purge_workforce_history() == "3 events deleted"
    assert purge_workforce_history() == "0 events deleted"
    call_command("purge_workforce_history", stdout=out)
    assert "0 workforce events dated before" in out.getvalue()

    # A transactional test earlier in the run may have flushed what the data migration made: run it again.
    import_module("directory.migrations.0004_workforce_history_purge_schedule").create_schedules(apps, None)
    task = PeriodicTask.objects.select_related("crontab").get(task="directory.tasks.purge_workforce_history")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("3", "30", True)


# -- privacy ------------------------------------------------------------------------------------------


def test_a_persons_history_is_in_their_download_and_erased_with_them(old_history, org):
    rows = person_data(org["erin"])["hr_roster"]
    assert [event["event"] for event in rows[0]["history"]] == ["Hired", "Changed seniority", "Moved department"]

    person_erase(user=org["erin"], by=None)

    assert not WorkforceEvent.objects.filter(entry_id=old_history["erin"].pk).exists()
    assert WorkforceEvent.objects.filter(entry_id=old_history["dana"].pk).count() == 2


def test_people_managed_before_the_history_began_are_hired_at_the_next_run(org, tmp_path, today):
    RosterEntry.objects.create(user=org["erin"], employee_id="E2")  # managed by an earlier release
    rows = everyone(org)
    rows[1] = person_row(org["erin"], "E2", hire_date="2019-02-01")

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert history(org["erin"]) == [("hired", date(2019, 2, 1), "Finance", "Analyst", "")]
    assert "line 3: erin@example.org: hire date (none) → 2019-02-01" in result.lines

    rows[1] = person_row(org["erin"], "E2", hire_date="")  # the file is the truth for its columns
    roster_sync(path=hr_file(tmp_path, rows, name="second.csv"))
    assert RosterEntry.objects.get(user=org["erin"]).hired_on is None
    assert len(history(org["erin"])) == 1

"""A programme's roster import with hire and leave dates: impossible dates are
errors in the preview (nothing can be applied), a leave date before the
programme's end is noted, and confirmed hire dates fill in the roster entries
the HR sync has no hire date for."""

import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from directory.models import RosterEntry
from programmes.models import Participant, RosterImport
from programmes.roster import EMPLOYMENT_RECORDERS, roster_apply, roster_parse
from programmes.services import programme_create

HEADER = "name,email,role,hire date,leave date\n"


@pytest.fixture
def programme(carol):
    return programme_create(
        created_by=carol, name="Reverse mentoring", kind="reverse", purpose="Leaders learn from newer colleagues."
    )


def parse(programme, by, text: str) -> RosterImport:
    return roster_parse(programme=programme, uploaded_file=io.BytesIO(text.encode()), filename="r.csv", by=by)


def errors_by_line(roster_import: RosterImport) -> dict[int, list[str]]:
    return {row["line"]: row["errors"] for row in roster_import.rows if row["errors"]}


def test_the_directory_records_the_hire_dates_a_programme_roster_gives():
    from directory.workforce import record_hire_dates

    assert EMPLOYMENT_RECORDERS.count(record_hire_dates) == 1


def test_impossible_dates_are_errors_on_their_lines_and_nothing_can_be_applied(programme, carol):
    today = timezone.localdate()
    text = HEADER + (
        "Ann,ann@example.org,mentee,2999-01-01,\n"
        "Ben,ben@example.org,mentee,2020-05-01,2019-12-31\n"
        "Cas,cas@example.org,mentor,31/02/2020,\n"
        f"Dee,dee@example.org,mentor,2020-05-01,{today - timedelta(days=1):%d/%m/%Y}\n"
        "Eve,eve@example.org,mentor,01/03/2020,\n"
    )

    roster_import = parse(programme, carol, text)

    yesterday = today - timedelta(days=1)
    assert errors_by_line(roster_import) == {
        2: ["The hire date 2999-01-01 is in the future; list people from their first day."],
        3: ["The leave date 2019-12-31 is before the hire date 2020-05-01."],
        4: ["The hire date “31/02/2020” is not a date; write it as 2021-03-31 or 31/03/2021 (day first)."],
        5: [f"The leave date {yesterday:%Y-%m-%d} has passed: people who have left are not enrolled. Remove the line."],
    }
    with pytest.raises(Exception, match="This roster has errors"):
        roster_apply(roster_import=roster_import, by=carol)
    assert not Participant.objects.filter(programme=programme).exists()


def test_a_leave_date_before_the_programme_ends_is_noted_in_the_preview(programme, carol):
    today = timezone.localdate()
    programme.starts_on, programme.ends_on = today, today + timedelta(days=180)
    programme.save(update_fields=["starts_on", "ends_on"])
    leaves = today + timedelta(days=30)

    roster_import = parse(programme, carol, HEADER + f"Ann,ann@example.org,mentee,,{leaves:%Y-%m-%d}\n")

    assert roster_import.summary["errors"] == 0
    assert roster_import.rows[0]["changes"] == [
        "create person", "enrol as mentee", f"leaves on {leaves:%Y-%m-%d}, before the programme ends"
    ]  # fmt: skip


def test_confirmed_hire_dates_fill_in_the_entries_the_sync_has_none_for(programme, carol, alice, bob):
    from programmes.models import Participant as Enrolment

    for person in (alice, bob):  # people of this programme, so the coordinator's roster reaches them
        Enrolment.objects.create(programme=programme, user=person, role="mentee", status="applied")
    RosterEntry.objects.create(user=alice, employee_id="E1")
    RosterEntry.objects.create(user=bob, employee_id="E2", hired_on=date(2010, 1, 4))
    text = HEADER + "Alice Adams,alice@example.org,mentee,1/3/2019,\nBob Brown,bob@example.org,mentee,2015-06-01,\n"

    roster_import = parse(programme, carol, text)
    roster_apply(roster_import=roster_import, by=carol)

    assert RosterEntry.objects.get(user=alice).hired_on == date(2019, 3, 1)
    assert RosterEntry.objects.get(user=bob).hired_on == date(2010, 1, 4)  # the HR export's stays

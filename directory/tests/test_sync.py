"""The roster sync against real files: updates, dry runs, running twice, bad rows
and headers, leavers and re-joiners, the safety limit."""

import pytest
from django.core import mail
from django.db.models.functions import Lower

from audit.models import AuditEvent
from directory.models import RosterEntry, SyncRun
from directory.sync import roster_sync
from matching.models import Match
from matching.tests.factories import make_person
from notifications.models import Notification
from people.models import Department, Profile, User
from programmes.models import Participant

from .conftest import HEADER, everyone, hr_file, person_row


@pytest.fixture
def synced(org, tmp_path):
    """The organisation after a first sync of its export: everyone managed."""
    result = roster_sync(path=hr_file(tmp_path, everyone(org), name="first.csv"))
    assert result.created == 4 and result.updated == 0, result.lines
    return org


@pytest.fixture
def generous_limit(settings):
    """A four-person organisation: one leaver is 25%, above the default 10% limit."""
    settings.ROSTER_SYNC_MAX_LEAVER_SHARE = 0.5


def state() -> dict:
    """Everything a sync may change, to compare before and after."""
    return {
        "profiles": sorted(
            Profile.objects.values_list(
                "user_id", "department_id", "job_title", "seniority_id", "manager_id", "updated_at"
            )
        ),
        "users": sorted(User.objects.values_list("pk", "is_active", "email", "full_name")),
        "departments": sorted(Department.objects.values_list("pk", "name")),
        "entries": sorted(RosterEntry.objects.values_list("pk", "employee_id", "left_at", "deactivated")),
        "matches": sorted(Match.objects.values_list("pk", "status", "end_reason")),
        "participants": sorted(Participant.objects.values_list("pk", "status")),
        "notifications": Notification.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


# -- updates ------------------------------------------------------------------------


def test_it_updates_department_title_manager_and_seniority_of_known_people(synced, tmp_path, levels):
    alice, dana, erin = synced["alice"], synced["dana"], synced["erin"]
    rows = everyone(synced)
    rows[2] = person_row(alice, "E3", department="Sales", job_title="Account manager", manager_email=dana.email,
                         seniority="Senior")  # fmt: skip
    rows[1] = person_row(erin, "E2", manager_email="", seniority="3")  # a rank works as well as a name

    result = roster_sync(path=hr_file(tmp_path, rows))

    alice.profile.refresh_from_db()
    assert alice.profile.department.name == "Sales"
    assert alice.profile.job_title == "Account manager"
    assert alice.profile.manager == dana
    assert alice.profile.seniority == levels[3]
    erin.profile.refresh_from_db()
    assert erin.profile.manager is None and erin.profile.seniority == levels[3]
    assert (result.updated, result.unchanged, result.left, result.new_departments) == (2, 2, 0, ["Sales"])
    assert (
        "line 4: alice@example.org: department Finance → Sales; job title Analyst → Account manager; "
        "manager (none) → dana@example.org; seniority Associate → Senior" in result.lines
    )
    assert "line 3: erin@example.org: manager dana@example.org → (none); seniority Analyst → Senior" in result.lines


def test_people_without_an_account_are_counted_not_created(synced, tmp_path):
    rows = [*everyone(synced), {"employee_id": "E9", "email": "newcomer@example.org", "department": "Legal"}]

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.no_account == 1
    assert not User.objects.filter(email="newcomer@example.org").exists()
    assert not Department.objects.filter(name="Legal").exists()  # nobody to put in it


def test_a_missing_column_leaves_that_field_alone_and_an_empty_cell_clears_it(synced, tmp_path):
    erin = synced["erin"]
    Profile.objects.filter(user=erin).update(job_title="Analyst")
    columns = ["employee_id", "email", "job_title"]
    rows = [{**row, "job_title": ""} if row["employee_id"] == "E2" else row for row in everyone(synced)]

    result = roster_sync(path=hr_file(tmp_path, rows, header=columns))

    erin.profile.refresh_from_db()
    assert erin.profile.job_title == ""  # cleared
    assert erin.profile.manager == synced["dana"]  # no manager column: untouched
    assert result.updated == 1


def test_a_known_person_without_a_profile_gets_one(synced, tmp_path):
    newcomer = make_person("Finn Ford", email="finn@example.org")
    Profile.objects.filter(user=newcomer).delete()
    rows = [*everyone(synced), {"employee_id": "E5", "email": "FINN@example.org", "department": "Finance",
                                "job_title": "Clerk", "seniority": "Associate"}]  # fmt: skip

    roster_sync(path=hr_file(tmp_path, rows))

    profile = Profile.objects.get(user=newcomer)
    assert (profile.department.name, profile.job_title, profile.seniority.name) == ("Finance", "Clerk", "Associate")
    assert RosterEntry.objects.get(user=newcomer).employee_id == "E5"


# -- dry run and running twice ---------------------------------------------------------------


def test_a_dry_run_reports_every_change_and_changes_nothing(synced, tmp_path, generous_limit):
    before, runs = state(), SyncRun.objects.count()
    rows = [row for row in everyone(synced) if row["employee_id"] != "E4"]  # bob left
    rows[2] = person_row(synced["alice"], "E3", department="Marketing", seniority="Analyst")
    rows.append({"employee_id": "E7", "email": "not-an-address", "department": "Sales"})

    result = roster_sync(path=hr_file(tmp_path, rows), dry_run=True)

    assert state() == before
    assert SyncRun.objects.count() == runs
    assert result.dry_run and result.left == 1 and result.matches_ended == 1
    assert "line 4: alice@example.org: department Finance → Marketing; seniority Associate → Analyst" in result.lines
    assert "new department: Marketing" in result.lines
    assert any(line.startswith("left: bob@example.org (missing from the file); deactivated; match ended: Bob")
               for line in result.lines)  # fmt: skip
    assert "error, line 5: “not-an-address” is not a valid email address." in result.lines
    assert result.in_words().startswith("Dry run, nothing changed.")


def test_a_second_run_of_the_same_file_changes_nothing_and_tells_nobody_again(
    synced, tmp_path, generous_limit, django_capture_on_commit_callbacks
):
    rows = [row for row in everyone(synced) if row["employee_id"] != "E4"]
    rows[0] = person_row(synced["dana"], "E1", job_title="Finance director")
    path = hr_file(tmp_path, rows)
    with django_capture_on_commit_callbacks(execute=True):
        first = roster_sync(path=path)
    assert (first.updated, first.left, first.coordinators_told) == (1, 1, 1)
    assert len(mail.outbox) == 1
    before = state()

    with django_capture_on_commit_callbacks(execute=True):
        second = roster_sync(path=path)

    assert state() == before
    assert (second.updated, second.left, second.matches_ended, second.coordinators_told) == (0, 0, 0, 0)
    assert second.unchanged == 3
    assert len(mail.outbox) == 1
    assert SyncRun.objects.filter(outcome="applied").count() == 3  # the fixture's, and these two


# -- leavers -----------------------------------------------------------------------------------


def test_someone_missing_from_the_file_is_deactivated_their_matches_ended_and_coordinators_told(
    synced, tmp_path, generous_limit, carol, django_capture_on_commit_callbacks
):
    bob, match = synced["bob"], synced["match"]
    rows = [row for row in everyone(synced) if row["employee_id"] != "E4"]

    with django_capture_on_commit_callbacks(execute=True):
        result = roster_sync(path=hr_file(tmp_path, rows))

    bob.refresh_from_db()
    assert not bob.is_active  # deactivated, never deleted
    entry = bob.roster_entry
    assert entry.left_at is not None and entry.deactivated
    match.refresh_from_db()
    assert (match.status, match.end_reason, match.ended_by) == ("ended", Match.EndReason.LEFT, None)
    assert match.rematch_requested  # the mentee did not choose to stop: she waits for a new mentor
    assert Participant.objects.get(user=bob).status == Participant.Status.WITHDRAWN
    assert Participant.objects.get(user=synced["alice"]).status == Participant.Status.APPROVED
    assert (result.left, result.matches_ended, result.coordinators_told) == (1, 1, 1)
    [message] = mail.outbox
    assert message.to == [carol.email]
    assert "Bob Brown left the organisation" in message.subject
    assert "waits for a new mentor" in message.body
    assert Notification.objects.get().kind == "participant_left"
    event = AuditEvent.objects.get(action="account_deactivated")
    assert (event.actor_id, event.person_id, event.target_id) == (None, bob.pk, bob.pk)
    assert event.summary == "Deactivated by the roster sync: missing from the file."
    assert event.detail == {"reason": "missing from the file", "matches_ended": 1}


def test_a_leaving_mentee_ends_the_match_without_a_rematch(synced, tmp_path, generous_limit):
    rows = [person_row(synced["alice"], "E3", status="Left") if row["employee_id"] == "E3" else row
            for row in everyone(synced)]  # fmt: skip

    result = roster_sync(path=hr_file(tmp_path, rows))

    synced["match"].refresh_from_db()
    assert synced["match"].status == "ended" and not synced["match"].rematch_requested
    assert not User.objects.get(pk=synced["alice"].pk).is_active
    assert any(line.startswith("left: alice@example.org (marked as left in the file)") for line in result.lines)


def test_staff_and_people_never_in_a_roster_are_never_deactivated(synced, tmp_path, sam, hana, generous_limit):
    rows = [*everyone(synced), {"employee_id": "S1", "email": sam.email}]
    roster_sync(path=hr_file(tmp_path, rows))  # sam is managed now

    result = roster_sync(path=hr_file(tmp_path, everyone(synced)))  # sam missing; hana never listed

    assert User.objects.get(pk=sam.pk).is_active and User.objects.get(pk=hana.pk).is_active
    assert result.left == 0
    assert (
        "warning: sam@example.org (employee S1) is missing from the file but is a staff account; it stays active."
        in result.lines
    )


def test_a_programme_losing_its_last_coordinator_is_reported(synced, tmp_path, carol, generous_limit):
    roster_sync(path=hr_file(tmp_path, [*everyone(synced), {"employee_id": "C1", "email": carol.email}]))

    result = roster_sync(path=hr_file(tmp_path, [*everyone(synced), {"employee_id": "C1", "email": carol.email,
                                                                     "status": "left"}]))  # fmt: skip

    assert not User.objects.get(pk=carol.pk).is_active
    assert (
        "warning: Spring mentoring has no active coordinator once this file is applied (carol@example.org); add one."
        in (result.lines)
    )


def test_a_row_with_errors_keeps_its_person_present(synced, tmp_path, generous_limit):
    rows = everyone(synced)
    rows[3] = person_row(synced["bob"], "E4", seniority="Galactic overlord")

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert User.objects.get(pk=synced["bob"].pk).is_active
    assert result.left == 0 and result.rows_with_errors == 1


def test_rows_nobody_can_be_identified_by_hold_back_every_leaver(synced, tmp_path, generous_limit):
    rows = [row for row in everyone(synced) if row["employee_id"] != "E4"]
    rows.append({"employee_id": "", "email": "b.brown@example.org"})  # bob, under an address we don't know?

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert User.objects.get(pk=synced["bob"].pk).is_active
    assert result.left == 0
    assert any("nobody missing from the file is treated as having left" in warning for warning in result.warnings)


def test_a_leaver_who_comes_back_is_reactivated_but_their_matches_stay_ended(synced, tmp_path, generous_limit):
    bob = synced["bob"]
    roster_sync(path=hr_file(tmp_path, [row for row in everyone(synced) if row["employee_id"] != "E4"]))

    result = roster_sync(path=hr_file(tmp_path, everyone(synced)))

    bob.refresh_from_db()
    assert bob.is_active and bob.roster_entry.left_at is None and not bob.roster_entry.deactivated
    assert result.rejoined == 1
    assert Match.objects.get(pk=synced["match"].pk).status == "ended"
    assert any(line.startswith("rejoined: bob@example.org") for line in result.lines)


def test_an_account_deactivated_by_hand_stays_off_when_its_person_rejoins(synced, tmp_path, generous_limit):
    erin = synced["erin"]
    User.objects.filter(pk=erin.pk).update(is_active=False)  # support staff turned it off
    roster_sync(path=hr_file(tmp_path, [row for row in everyone(synced) if row["employee_id"] != "E2"]))
    assert not RosterEntry.objects.get(user=erin).deactivated

    roster_sync(path=hr_file(tmp_path, everyone(synced)))

    assert not User.objects.get(pk=erin.pk).is_active


# -- the safety limit --------------------------------------------------------------------------


def test_a_file_that_would_deactivate_more_than_the_limit_is_refused(synced, tmp_path):
    before = state()
    truncated = everyone(synced)[:3]  # one of four: 25% > 10%

    result = roster_sync(path=hr_file(tmp_path, truncated))

    assert state() == before
    assert result.outcome == "refused"
    assert "would deactivate 1 of the 4 people the sync manages (25%), more than the limit of 10%" in result.refusal
    assert "--allow-mass-leave" in result.refusal
    run = SyncRun.objects.first()
    assert run.outcome == "refused" and run.left == 0 and "Refused" in run.problems[0]


def test_allow_mass_leave_applies_such_a_file(synced, tmp_path):
    result = roster_sync(path=hr_file(tmp_path, everyone(synced)[:3]), allow_mass_leave=True)

    assert result.outcome == "applied" and result.left == 1
    assert not User.objects.get(pk=synced["bob"].pk).is_active


def test_within_the_limit_a_file_is_applied(synced, tmp_path, settings):
    settings.ROSTER_SYNC_MAX_LEAVER_SHARE = 0.25  # exactly one of four

    result = roster_sync(path=hr_file(tmp_path, everyone(synced)[:3]))

    assert result.outcome == "applied" and result.left == 1


# -- bad rows and bad files --------------------------------------------------------------------


def test_bad_rows_get_clear_errors_and_the_good_rows_are_applied(synced, tmp_path, levels):
    alice = synced["alice"]
    rows = [
        *everyone(synced),
        person_row(alice, "E3", job_title="Duplicate"),
        {"employee_id": "E5", "email": "nobody-at-all"},
        {"employee_id": "", "email": "ghost@example.org"},
        {"employee_id": "E6", "email": "erin@example.org"},
        {"employee_id": "E7", "email": "zoe@example.org", "manager_email": "stranger@example.org"},
        {"employee_id": "E8", "email": "yan@example.org", "status": "on sabbatical?"},
        {"employee_id": "E9", "email": "xia@example.org", "manager_email": "xia@example.org"},
    ]
    rows[0] = person_row(synced["dana"], "E1", seniority="Emperor", job_title="Ignored: the row has an error")
    rows[1] = person_row(synced["erin"], "E2", job_title="Senior analyst")

    result = roster_sync(path=hr_file(tmp_path, rows))

    errors = {}
    for line, error in result.row_errors:
        errors.setdefault(line, error)  # the first error of each line
    assert errors[2].startswith("Unknown seniority “Emperor”; use one of: Associate (1), Analyst (2), Senior (3)")
    assert errors[6] == "Employee id E3 appears already on line 4."
    assert errors[7] == "“nobody-at-all” is not a valid email address."
    assert errors[8] == "The employee id is empty."
    assert errors[9] == "erin@example.org appears already on line 3."
    assert errors[10] == (
        "Unknown manager stranger@example.org: nobody with that address is in the file or has an account."
    )
    assert errors[11] == "Unknown status “on sabbatical?”; write active or left (or leave it empty)."
    assert errors[12] == "A person cannot be their own manager."
    assert User.objects.get(pk=synced["dana"].pk).profile.job_title == ""  # unchanged
    assert Profile.objects.get(user=synced["erin"]).job_title == "Senior analyst"
    run = SyncRun.objects.first()
    assert run.errors == 8 and "Line 2: Unknown seniority “Emperor”" in run.problems[0]


def test_an_employee_whose_address_changed_is_reported_not_rewritten(synced, tmp_path):
    rows = everyone(synced)
    rows[1] = {**rows[1], "email": "erin.evans@example.org"}

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.row_errors == [
        (3, "Employee E2 is the account erin@example.org, but the file says erin.evans@example.org; change the "
            "account's address in the admin, or correct the file.")
    ]  # fmt: skip
    assert User.objects.get(pk=synced["erin"].pk).email == "erin@example.org"
    assert result.left == 0  # still present under her employee id


def test_someone_recorded_under_another_employee_id_is_reported_and_stays(synced, tmp_path):
    rows = everyone(synced)
    rows[1] = {**rows[1], "employee_id": "E2-NEW"}

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.row_errors[0][1].startswith("erin@example.org is recorded as employee E2, but the file says E2-NEW")
    assert result.left == 0 and User.objects.get(pk=synced["erin"].pk).is_active


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (["email", "department"], "The required column “employee id” is missing."),
        (["employee id", "email", "shoe size"], "Unknown column “shoe size”"),
        (["employee id", "email", "e-mail"], "The column “email” appears twice."),
    ],
)
def test_a_file_with_a_header_error_changes_nothing(synced, tmp_path, header, message):
    before = state()
    path = tmp_path / "bad.csv"
    path.write_text(",".join(header) + "\nE1,dana@example.org,Sales\n")

    result = roster_sync(path=path)

    assert state() == before
    assert result.outcome == "refused" and message in result.refusal
    assert SyncRun.objects.first().outcome == "refused"


def test_a_missing_or_unreadable_file_is_refused(db, tmp_path):
    missing = roster_sync(path=tmp_path / "nope.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("employee id,email,full name\nE1,jose@example.org,José\n".encode("latin-1"))
    unreadable = roster_sync(path=latin1)

    assert missing.refusal == f"There is no file at {tmp_path / 'nope.csv'}."
    assert "not UTF-8 text" in unreadable.refusal
    assert SyncRun.objects.filter(outcome="refused").count() == 2


def test_a_semicolon_export_with_other_header_names_is_read(synced, tmp_path):
    path = tmp_path / "hr.csv"
    path.write_text(
        "\ufeffStaff ID;Work email;Job title;Line manager;Grade\n"
        "E2;Erin@Example.org;Team lead;dana@example.org;Manager\n"
    )

    result = roster_sync(path=path, allow_mass_leave=True, dry_run=True)

    assert result.row_errors == []
    assert "line 2: erin@example.org: job title (none) → Team lead; seniority Analyst → Manager" in result.lines


def test_the_sync_costs_the_same_queries_for_ten_rows_as_for_a_hundred(synced, tmp_path, levels):
    def organisation(size: int) -> list[dict]:
        """`size` people, each with a new title; the first ten are managed already the second time."""
        rows = everyone(synced)
        for number in range(size):
            email = f"p{number}@example.org"
            if not User.objects.filter(email=email).exists():
                make_person(f"P {number}", email=email)
            rows.append({"employee_id": f"P{number}", "email": email, "department": f"Dept {number % 7}",
                         "job_title": f"Title {number} of {size}", "seniority": "Senior",
                         "manager_email": "dana@example.org"})  # fmt: skip
        return rows

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (10, 100):
        path = hr_file(tmp_path, organisation(size), name=f"org{size}.csv")
        with CaptureQueriesContext(connection) as queries:
            result = roster_sync(path=path, allow_mass_leave=True)
        assert result.updated == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_emails_match_whatever_their_case(synced, tmp_path):
    rows = everyone(synced)
    rows[2] = {**person_row(synced["alice"], "E3", job_title="Lead analyst"), "email": "ALICE@Example.ORG"}

    result = roster_sync(path=hr_file(tmp_path, rows))

    assert result.row_errors == []
    assert User.objects.annotate(e=Lower("email")).get(e="alice@example.org").profile.job_title == "Lead analyst"


def test_the_header_of_the_docs_is_the_header_the_sync_reads():
    from directory.sync import COLUMNS

    assert list(COLUMNS) == HEADER


def _requests_of_erin(synced):
    """erin, a mentee of the programme, asked bob first (waiting for his answer) and dana next."""
    from datetime import timedelta

    from django.utils import timezone

    from matching.models import MatchRequest
    from matching.tests.factories import enrol

    programme = synced["programme"]
    bob = Participant.objects.get(programme=programme, user=synced["bob"])
    bob.capacity = 2
    bob.save(update_fields=["capacity"])
    dana = enrol(programme, synced["dana"], "mentor")
    erin = enrol(programme, synced["erin"], "mentee")
    now = timezone.now()
    to_bob = MatchRequest.objects.create(programme=programme, mentee=erin, mentor=bob, rank=1, status="pending",
                                         sent_at=now, expires_at=now + timedelta(days=3))  # fmt: skip
    to_dana = MatchRequest.objects.create(programme=programme, mentee=erin, mentor=dana, rank=2)
    return to_bob, to_dana


def test_a_leaving_mentor_s_requests_pass_to_the_mentees_next_choices(synced, tmp_path, generous_limit):
    to_bob, to_dana = _requests_of_erin(synced)
    rows = [row for row in everyone(synced) if row["employee_id"] != "E4"]  # bob left

    roster_sync(path=hr_file(tmp_path, rows))

    to_bob.refresh_from_db()
    to_dana.refresh_from_db()
    assert (to_bob.status, to_dana.status) == ("declined", "pending"), "erin does not wait days for bob"


def test_a_leaving_mentee_s_requests_are_withdrawn(synced, tmp_path, generous_limit):
    to_bob, to_dana = _requests_of_erin(synced)
    rows = [person_row(synced["erin"], row["employee_id"], status="Left") if row["email"] == synced["erin"].email
            else row for row in everyone(synced)]  # fmt: skip

    roster_sync(path=hr_file(tmp_path, rows))

    to_bob.refresh_from_db()
    to_dana.refresh_from_db()
    assert (to_bob.status, to_dana.status) == ("cancelled", "cancelled"), "bob is not asked to mentor a leaver"

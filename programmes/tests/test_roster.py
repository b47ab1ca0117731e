"""Roster import, the service: reading, checking, previewing and applying a roster."""

import io
import re

import openpyxl
import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Department, Profile, SeniorityLevel, User
from people.tests.factories import UserFactory
from programmes import roster
from programmes.models import Invitation, Participant, RosterImport
from programmes.roster import RosterFileError, roster_apply, roster_parse
from programmes.services import (
    ProgrammeError,
    invitation_url,
    participant_apply,
    programme_create,
    programme_set_status,
)

pytestmark = pytest.mark.django_db

HEADER = "name,email,department,title,seniority,manager email,role\n"


@pytest.fixture
def programme(carol):
    return programme_create(
        created_by=carol, name="Reverse mentoring", kind="reverse", purpose="Leaders learn from newer colleagues."
    )


@pytest.fixture
def levels(db):
    return [
        SeniorityLevel.objects.create(rank=1, name="Associate"),
        SeniorityLevel.objects.create(rank=2, name="Senior"),
        SeniorityLevel.objects.create(rank=3, name="Director"),
    ]


@pytest.fixture
def carols_other_programme(carol):
    return programme_create(created_by=carol, name="Peer learning", kind="peer", purpose="Colleagues learn together.")


def taking_part(programme, *people) -> None:
    """Put people with an account in a programme: a coordinator's roster reaches
    only the people of their programmes (and new people)."""
    for person in people:
        Participant.objects.create(programme=programme, user=person, role="mentee", status="approved")


def parse(programme, by, text: str | bytes, filename: str = "roster.csv") -> RosterImport:
    data = text.encode() if isinstance(text, str) else text
    return roster_parse(programme=programme, uploaded_file=io.BytesIO(data), filename=filename, by=by)


def errors_by_line(roster_import: RosterImport) -> dict[int, list[str]]:
    return {row["line"]: row["errors"] for row in roster_import.rows if row["errors"]}


def row_on_line(roster_import: RosterImport, line: int) -> dict:
    return next(row for row in roster_import.rows if row["line"] == line)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (User, Profile, Department, Participant, Invitation)}


# -- the preview ---------------------------------------------------------------------


def test_a_clean_roster_previews_each_new_person_as_created_and_enrolled(programme, carol, levels):
    roster_import = parse(
        programme,
        carol,
        HEADER
        + "Priya Shah,priya@example.org,Engineering,Director of Engineering,Director,,mentee\n"
        + "Tom Becker,tom@example.org,Engineering,Software Engineer,1,priya@example.org,mentor\n",
    )

    assert roster_import.status == RosterImport.Status.PREVIEWED
    assert roster_import.uploaded_by == carol
    assert roster_import.rows == [
        {
            "line": 2,
            "values": {
                "name": "Priya Shah", "email": "priya@example.org", "department": "Engineering",
                "title": "Director of Engineering", "seniority": "Director", "role": "mentee",
            },
            "errors": [],
            "action": "create",
            "changes": ["create person", "enrol as mentee", "new department: Engineering"],
        },
        {
            "line": 3,
            "values": {
                "name": "Tom Becker", "email": "tom@example.org", "department": "Engineering",
                "title": "Software Engineer", "seniority": "1", "manager_email": "priya@example.org", "role": "mentor",
            },
            "errors": [],
            "action": "create",
            "changes": ["create person", "enrol as mentor"],
        },
    ]  # fmt: skip
    assert roster_import.summary | {"header_errors": None} == {
        "rows": 2, "errors": 0, "rows_with_errors": 0, "header_errors": None, "created": 2, "updated": 0,
        "unchanged": 0, "enrolled_mentors": 1, "enrolled_mentees": 1, "new_departments": ["Engineering"],
    }  # fmt: skip
    assert User.objects.filter(email__in=["priya@example.org", "tom@example.org"]).count() == 0


def test_the_preview_says_what_changes_for_people_who_already_have_an_account(
    programme, carol, alice, bob, levels, carols_other_programme
):
    taking_part(carols_other_programme, bob)
    engineering = Department.objects.create(name="Engineering")
    Profile.objects.create(user=bob, department=engineering, job_title="Engineer", seniority=levels[0])
    participant_apply(programme=programme, user=alice, role="mentor", approved=True)
    Profile.objects.create(user=alice, department=engineering, job_title="Staff Engineer", manager=bob)

    roster_import = parse(
        programme,
        carol,
        HEADER
        + "Bob Brown,BOB@example.org,engineering,Senior Engineer,Associate,alice@example.org,mentee\n"
        + "Alice Adams,alice@example.org,Engineering,Staff Engineer,,bob@example.org,Mentor\n",
    )

    bob_row, alice_row = roster_import.rows
    assert bob_row["action"] == "update"
    assert bob_row["changes"] == ["update title, manager", "enrol as mentee"]
    assert alice_row["action"] == "unchanged"
    assert alice_row["changes"] == []
    assert roster_import.summary["updated"] == 1
    assert roster_import.summary["unchanged"] == 1
    assert roster_import.summary["new_departments"] == []


BAD_ROWS = [
    # (what is wrong, the lines after the header, the line with the error, words in the error)
    ("bad email", ["Dana Diaz,dana(at)example.org,,,,,mentee"], 2, "“dana(at)example.org” is not a valid email"),
    ("empty email", ["Dana Diaz,,,,,,mentee"], 2, "The email is empty"),
    (
        "duplicate email",
        ["Dana Diaz,dana@example.org,,,,,mentee", "Eve Evans,eve@example.org,,,,,mentor",
         "Dana Again,Dana@Example.org,,,,,mentee"],
        4,
        "dana@example.org appears already on line 2",
    ),
    (
        "unknown manager",
        ["Dana Diaz,dana@example.org,,,,nobody@example.org,mentee"],
        2,
        "Unknown manager nobody@example.org: nobody with that address is in the file or has an account",
    ),
    ("bad manager email", ["Dana Diaz,dana@example.org,,,,boss,mentee"], 2, "manager email “boss” is not a valid"),
    ("own manager", ["Dana Diaz,dana@example.org,,,,DANA@example.org,mentee"], 2, "cannot be their own manager"),
    ("unknown seniority", ["Dana Diaz,dana@example.org,,,Wizard,,mentee"], 2, "Unknown seniority “Wizard”; use one of"),
    ("unknown seniority rank", ["Dana Diaz,dana@example.org,,,7,,mentee"], 2, "Unknown seniority “7”"),
    ("bad role", ["Dana Diaz,dana@example.org,,,,,boss"], 2, "“boss” is not a role; write mentor or mentee"),
    ("empty role", ["Dana Diaz,dana@example.org,,,,,"], 2, "The role is empty"),
    ("empty name", [" ,dana@example.org,,,,,mentee"], 2, "The name is empty"),
    ("NUL character", ["Dana\x00Diaz,dana@example.org,,,,,mentee"], 2, "The name contains a NUL character"),
    ("title too long", [f"Dana Diaz,dana@example.org,,{'x' * 121},,,mentee"], 2, "at most 120 are allowed"),
    ("name too long", [f"{'D' * 151},dana@example.org,,,,,mentee"], 2, "at most 150 are allowed"),
]  # fmt: skip


@pytest.mark.parametrize(("lines", "line", "words"), [case[1:] for case in BAD_ROWS], ids=[c[0] for c in BAD_ROWS])
def test_each_kind_of_bad_row_is_reported_on_its_line_in_words(programme, carol, levels, lines, line, words):
    roster_import = parse(programme, carol, HEADER + "\n".join(lines) + "\n")

    errors = errors_by_line(roster_import)
    assert list(errors) == [line]
    assert any(words in error for error in errors[line]), errors
    assert row_on_line(roster_import, line)["action"] == ""
    assert roster_import.summary["errors"] >= 1
    assert not roster.roster_can_apply(roster_import)


def test_a_person_already_enrolled_in_the_other_role_is_an_error(programme, carol, bob):
    participant_apply(programme=programme, user=bob, role="mentor", approved=True)

    roster_import = parse(programme, carol, HEADER + "Bob Brown,bob@example.org,,,,,mentee\n")

    assert errors_by_line(roster_import) == {
        2: ["bob@example.org is already enrolled in this programme as a mentor; a person takes one role per programme."]
    }


def test_a_deactivated_account_cannot_be_enrolled(programme, carol, carols_other_programme):
    taking_part(carols_other_programme, UserFactory(email="gone@example.org", is_active=False))

    roster_import = parse(programme, carol, HEADER + "Gone Person,gone@example.org,,,,,mentee\n")

    assert "deactivated" in errors_by_line(roster_import)[2][0]


def test_seniority_matches_a_level_name_in_any_case_or_its_rank(programme, carol, levels):
    roster_import = parse(
        programme,
        carol,
        HEADER + "Dana Diaz,dana@example.org,,,senior,,mentee\nEve Evans,eve@example.org,,,3,,mentor\n",
    )

    assert errors_by_line(roster_import) == {}
    roster_apply(roster_import=roster_import, by=carol)
    assert Profile.objects.get(user__email="dana@example.org").seniority == levels[1]
    assert Profile.objects.get(user__email="eve@example.org").seniority == levels[2]


def test_an_unknown_column_is_reported_once_for_the_header_and_blocks_the_import(programme, carol):
    roster_import = parse(
        programme,
        carol,
        "name,email,favourite colour,role\nDana Diaz,dana@example.org,green,mentee\n"
        "Eve Evans,eve@example.org,red,mentor\n",
    )

    assert roster_import.summary["header_errors"] == [
        "Unknown column “favourite colour”; the columns are: name, email, department, title, seniority, "
        "manager email, role."
    ]
    assert errors_by_line(roster_import) == {}  # the rows themselves are fine
    assert roster_import.summary["errors"] == 1
    assert not roster.roster_can_apply(roster_import)
    with pytest.raises(ProgrammeError, match="has errors"):
        roster_apply(roster_import=roster_import, by=carol)
    assert not User.objects.filter(email="dana@example.org").exists()


def test_a_missing_required_column_is_reported_for_the_header_not_on_every_row(programme, carol):
    roster_import = parse(programme, carol, "name,email\nDana Diaz,dana@example.org\n")

    assert roster_import.summary["header_errors"] == ["The required column “role” is missing."]
    assert errors_by_line(roster_import) == {}
    assert not roster.roster_can_apply(roster_import)


def test_a_file_without_a_header_line_is_told_to_name_the_columns(programme, carol):
    roster_import = parse(programme, carol, "Dana Diaz,dana@example.org,mentee\nEve Evans,eve@example.org,mentor\n")

    assert roster_import.summary["header_errors"] == [
        "The first line must name the columns: name, email, department, title, seniority, manager email, role."
    ]


def test_values_in_a_column_without_a_name_are_reported(programme, carol):
    roster_import = parse(programme, carol, "name,email,role\nDana Diaz,dana@example.org,mentee,surprise\n")

    assert roster_import.summary["header_errors"] == [
        "Column 4 has values (first on line 2) but no name in the header line."
    ]


def test_header_names_are_matched_without_case_or_spaces_and_by_their_usual_aliases(programme, carol, alice):
    roster_import = parse(
        programme,
        carol,
        " Full Name ; E-Mail ;Job Title;Line manager;ROLE;Dept\nDana Diaz;dana@example.org;Analyst;alice@example.org;"
        "Mentor;Finance\n",
    )

    assert roster_import.summary["header_errors"] == []
    assert roster_import.rows[0]["values"] == {
        "name": "Dana Diaz", "email": "dana@example.org", "title": "Analyst", "manager_email": "alice@example.org",
        "role": "Mentor", "department": "Finance",
    }  # fmt: skip


def test_a_utf8_file_with_a_byte_order_mark_and_semicolons_is_read(programme, carol):
    data = (HEADER.replace(",", ";") + "Zoë Ødegaard;zoe@example.org;Forschung & Entwicklung;;;;mentee\n").encode(
        "utf-8-sig"
    )

    roster_import = parse(programme, carol, data)

    assert roster_import.rows[0]["values"]["name"] == "Zoë Ødegaard"
    assert roster_import.rows[0]["values"]["department"] == "Forschung & Entwicklung"
    assert roster_import.summary["errors"] == 0


def test_line_numbers_count_blank_lines_and_line_breaks_inside_quotes(programme, carol):
    roster_import = parse(
        programme,
        carol,
        HEADER
        + '\nDana Diaz,dana@example.org,,"Head of\nResearch",,,mentee\n,,,,,,\n'
        + "Eve Evans,not-an-email,,,,,mentor\n",
    )

    assert [row["line"] for row in roster_import.rows] == [3, 6]
    assert list(errors_by_line(roster_import)) == [6]


@pytest.mark.parametrize(
    ("data", "filename", "words"),
    [
        (b"", "roster.csv", "The file is empty."),
        (b"  \n\n", "roster.csv", "The file is empty."),
        (HEADER.encode(), "roster.csv", "header line but nobody under it"),
        (HEADER.encode() + b",,,,,,\n", "roster.csv", "header line but nobody under it"),
        (HEADER.encode() + "Zoë,zoe@example.org,,,,,mentee\n".encode("latin-1"), "roster.csv", "not UTF-8 text"),
        (b"name,email,role\n", "roster.txt", "is not a CSV (.csv) or Excel (.xlsx) file"),
        (b"name,email,role\n", "roster.xls", "Old Excel files (.xls)"),
        (b"name,email,role\nDana,dana@example.org,mentee\n", "roster.xlsx", "cannot be opened as an Excel workbook"),
    ],
    ids=["empty", "blank", "header only", "header and blank row", "latin-1", "txt", "xls", "csv named xlsx"],
)
def test_a_file_that_cannot_be_read_as_a_roster_is_refused_and_stores_nothing(programme, carol, data, filename, words):
    with pytest.raises(RosterFileError, match=re.escape(words)):
        parse(programme, carol, data, filename=filename)

    assert not RosterImport.objects.exists()


def test_a_file_larger_than_5_mb_is_refused(programme, carol):
    data = HEADER.encode() + b"x" * (5 * 1024 * 1024)

    with pytest.raises(RosterFileError, match="larger than 5 MB"):
        parse(programme, carol, data)


def test_a_file_with_too_many_people_or_lines_is_refused(programme, carol, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    monkeypatch.setattr(roster, "MAX_LINES", 10)
    people = "".join(f"P{i},p{i}@example.org,,,,,mentee\n" for i in range(4))

    with pytest.raises(RosterFileError, match="more than 3 people"):
        parse(programme, carol, HEADER + people)
    with pytest.raises(RosterFileError, match="more than 10 lines"):
        parse(programme, carol, HEADER + "P0,p0@example.org,,,,,mentee\n" + ",,,\n" * 20)
    assert not RosterImport.objects.exists()


def test_an_xlsx_roster_works_like_a_csv_one(programme, carol, levels):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Email", "Department", "Job title", "Seniority", "Manager email", "Role"])
    sheet.append(["Priya Shah", "priya@example.org", "Engineering", "Director", 3, None, "mentee"])
    sheet.append([])
    sheet.append(["Tom Becker", "tom@example.org", "Engineering", "Engineer", 1.0, "priya@example.org", "mentor"])
    sheet.append(["Bad Row", "bad-address", None, None, None, None, "mentor"])
    buffer = io.BytesIO()
    workbook.save(buffer)

    roster_import = parse(programme, carol, buffer.getvalue(), filename="Roster.XLSX")

    assert [row["line"] for row in roster_import.rows] == [2, 4, 5]
    assert roster_import.rows[1]["values"]["seniority"] == "1"
    assert list(errors_by_line(roster_import)) == [5]

    sheet.delete_rows(5)
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster_import = parse(programme, carol, buffer.getvalue(), filename="roster.xlsx")
    roster_apply(roster_import=roster_import, by=carol)

    tom = Profile.objects.select_related("manager", "seniority", "department").get(user__email="tom@example.org")
    assert (tom.manager.email, tom.seniority, tom.department.name) == ("priya@example.org", levels[0], "Engineering")


# -- applying ------------------------------------------------------------------------


def test_apply_creates_people_profiles_with_managers_from_the_same_file_approved_enrolments_and_invitations(
    programme, carol, alice, bob, levels, carols_other_programme, django_capture_on_commit_callbacks
):
    taking_part(carols_other_programme, bob)
    programme.default_mentor_capacity = 3
    programme.save(update_fields=["default_mentor_capacity"])
    roster_import = parse(
        programme,
        carol,
        HEADER
        # Tom's manager, Priya, comes later in the file: all people exist before managers are set.
        + "Tom Becker,Tom@Example.org,Engineering,Software Engineer,Associate,priya@example.org,mentor\n"
        + "Priya Shah,priya@example.org,Engineering,Director of Engineering,Director,alice@example.org,mentee\n"
        + "Bob Brown,bob@example.org,Finance,Analyst,,,mentor\n",
    )

    with django_capture_on_commit_callbacks(execute=True):
        summary = roster_apply(roster_import=roster_import, by=carol)

    assert summary | {"header_errors": None} == {
        "rows": 3, "errors": 0, "rows_with_errors": 0, "header_errors": None, "created": 2, "updated": 1,
        "unchanged": 0, "enrolled_mentors": 2, "enrolled_mentees": 1, "new_departments": ["Engineering", "Finance"],
        "invited": 3, "invitations_wait": "until the programme opens",
    }  # fmt: skip
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.APPLIED
    assert roster_import.applied_at is not None
    assert roster_import.summary == summary

    tom = User.objects.get(email="tom@example.org")
    assert tom.full_name == "Tom Becker"
    assert not tom.has_usable_password()
    assert tom.profile.manager.email == "priya@example.org"
    assert tom.profile.job_title == "Software Engineer"
    assert tom.profile.seniority == levels[0]
    assert tom.profile.department.name == "Engineering"
    priya = User.objects.get(email="priya@example.org")
    assert priya.profile.manager == alice
    assert bob.profile.department.name == "Finance"
    assert Department.objects.filter(name="Engineering").count() == 1

    enrolments = {
        p.user.email: (p.role, p.status, p.capacity, p.decided_by)
        for p in Participant.objects.filter(programme=programme).select_related("user")
    }
    assert enrolments == {
        "tom@example.org": ("mentor", Participant.Status.APPROVED, 3, carol),
        "priya@example.org": ("mentee", Participant.Status.APPROVED, None, carol),
        "bob@example.org": ("mentor", Participant.Status.APPROVED, 3, carol),
    }

    invitations = {invitation.email: invitation for invitation in Invitation.objects.filter(programme=programme)}
    assert {email: invitation.role for email, invitation in invitations.items()} == {
        "tom@example.org": "mentor",
        "priya@example.org": "mentee",
        "bob@example.org": "mentor",
    }
    # The programme is a draft: the invitations wait, and opening it sends them.
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        programme_set_status(programme=programme, status="open", by=carol)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(invitations)
    for message in mail.outbox:
        assert invitation_url(invitations[message.to[0]]) in message.body


def test_an_empty_cell_leaves_what_is_recorded_alone(programme, carol, bob, levels, carols_other_programme):
    taking_part(carols_other_programme, bob)
    finance = Department.objects.create(name="Finance")
    Profile.objects.create(user=bob, department=finance, job_title="Analyst", seniority=levels[1])

    roster_import = parse(programme, carol, HEADER + "Bob Brown,bob@example.org,,,,,mentee\n")
    roster_apply(roster_import=roster_import, by=carol)

    bob.profile.refresh_from_db()
    assert (bob.profile.department, bob.profile.job_title, bob.profile.seniority) == (finance, "Analyst", levels[1])
    assert roster_import.rows[0]["changes"] == ["enrol as mentee"]


def test_apply_is_all_or_nothing_when_the_database_changed_since_the_preview(
    programme, carol, bob, carols_other_programme, django_capture_on_commit_callbacks
):
    taking_part(carols_other_programme, bob)
    roster_import = parse(
        programme,
        carol,
        HEADER
        + "Dana Diaz,dana@example.org,Research,Scientist,,,mentor\n"
        + "Bob Brown,bob@example.org,Research,Analyst,,dana@example.org,mentee\n"
        + "Eve Evans,eve@example.org,,,,,mentee\n",
    )
    assert roster.roster_can_apply(roster_import)
    # Between the preview and the confirmation, Bob joins as a mentor on his own.
    participant_apply(programme=programme, user=bob, role="mentor", approved=True)
    before = table_counts()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ProgrammeError) as raised:
        roster_apply(roster_import=roster_import, by=carol)

    assert str(raised.value) == (
        "Things changed since the preview, so nothing was imported. Line 3: bob@example.org is already enrolled "
        "in this programme as a mentor; a person takes one role per programme. Upload the file again to see the "
        "current state."
    )
    assert table_counts() == before
    assert not User.objects.filter(email__in=["dana@example.org", "eve@example.org"]).exists()
    assert not Department.objects.filter(name="Research").exists()
    assert mail.outbox == []
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEWED


def test_apply_is_all_or_nothing_when_someone_enrols_a_person_while_it_writes(
    programme, carol, bob, carols_other_programme, monkeypatch
):
    taking_part(carols_other_programme, bob)
    roster_import = parse(
        programme,
        carol,
        HEADER + "Dana Diaz,dana@example.org,Research,,,,mentor\nBob Brown,bob@example.org,,,,,mentee\n",
    )
    before = table_counts()
    evaluate = roster._evaluate

    def evaluate_then_bob_enrols_elsewhere(*args, **kwargs):
        plan = evaluate(*args, **kwargs)
        Participant.objects.create(programme=programme, user=bob, role="mentor", capacity=1)  # a concurrent request
        return plan

    monkeypatch.setattr(roster, "_evaluate", evaluate_then_bob_enrols_elsewhere)

    with pytest.raises(ProgrammeError, match="Someone changed these people while the roster was being imported"):
        roster_apply(roster_import=roster_import, by=carol)

    assert table_counts() == before
    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEWED


def test_apply_is_all_or_nothing_when_inviting_fails(programme, carol, monkeypatch):
    roster_import = parse(programme, carol, HEADER + "Dana Diaz,dana@example.org,Research,,,,mentor\n")
    before = table_counts()

    def broken(**kwargs):
        raise RuntimeError("the invitations table is on fire")

    monkeypatch.setattr(roster, "invitations_create", broken)

    with pytest.raises(RuntimeError):
        roster_apply(roster_import=roster_import, by=carol)

    assert table_counts() == before


def test_a_roster_cannot_be_applied_twice(programme, carol):
    roster_import = parse(programme, carol, HEADER + "Dana Diaz,dana@example.org,,,,,mentor\n")
    roster_apply(roster_import=roster_import, by=carol)

    with pytest.raises(ProgrammeError, match="imported already"):
        roster_apply(roster_import=roster_import, by=carol)


def test_a_roster_with_errors_cannot_be_applied(programme, carol):
    roster_import = parse(programme, carol, HEADER + "Dana Diaz,dana@example.org,,,,,boss\n")

    with pytest.raises(ProgrammeError, match="has errors; fix the file and upload it again"):
        roster_apply(roster_import=roster_import, by=carol)
    assert not User.objects.filter(email="dana@example.org").exists()


def test_uploading_the_same_file_again_changes_nothing(
    programme, carol, alice, levels, carols_other_programme, django_capture_on_commit_callbacks
):
    taking_part(carols_other_programme, alice)
    programme_set_status(programme=programme, status="open", by=carol)  # open: the invitations go at once
    data = (
        HEADER
        + "Tom Becker,tom@example.org,Engineering,Software Engineer,Associate,priya@example.org,mentor\n"
        + "Priya Shah,priya@example.org,Engineering,Director,Director,alice@example.org,mentee\n"
        + "Alice Adams,alice@example.org,Finance,CFO,,,mentee\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        roster_apply(roster_import=parse(programme, carol, data), by=carol)
    assert len(mail.outbox) == 3
    before = table_counts()
    profiles_before = list(Profile.objects.order_by("pk").values())
    users_before = list(User.objects.order_by("pk").values())
    participants_before = list(Participant.objects.order_by("pk").values())

    again = parse(programme, carol, data)

    assert [row["action"] for row in again.rows] == ["unchanged"] * 3
    assert [row["changes"] for row in again.rows] == [[]] * 3
    assert (again.summary["created"], again.summary["updated"], again.summary["unchanged"]) == (0, 0, 3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, CaptureQueriesContext(connection) as queries:
        summary = roster_apply(roster_import=again, by=carol)

    assert summary["invited"] == 0
    assert callbacks == []
    assert len(mail.outbox) == 3
    writes = [q["sql"] for q in queries if q["sql"].split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE")]
    assert len(writes) == 1 and "programmes_rosterimport" in writes[0]  # marking this import applied
    assert table_counts() == before
    assert list(Profile.objects.order_by("pk").values()) == profiles_before
    assert list(User.objects.order_by("pk").values()) == users_before
    assert list(Participant.objects.order_by("pk").values()) == participants_before


def roster_of(size: int) -> str:
    """`size` people: every fifth one manages the next four, all inside the file,
    and the first one's manager is alice, who has an account already."""
    lines = []
    for i in range(size):
        manager = "alice@example.org" if i == 0 else ("" if i % 5 == 0 else f"person{i - i % 5}@example.net")
        role = "mentor" if i % 5 == 0 else "mentee"
        lines.append(f"Person {i},person{i}@example.net,Department {i % 7},Title {i},,{manager},{role}\n")
    return HEADER + "".join(lines)


# Applying runs, whatever the number of rows: SAVEPOINT, SELECT the import FOR UPDATE,
# the 6 reads of the check (seniority levels, people, their profiles, their enrolments,
# departments, which of them take part in the coordinator's programmes), INSERT
# departments, people, profiles and participants, 5 for the invitations (SAVEPOINT,
# those sent before, INSERT, INSERT their outbox entry, RELEASE), UPDATE the import, RELEASE.
# SQLite allows 999 parameters a query, so Django splits each bulk INSERT into batches
# of 66-124 rows there: 200 rows take 8 more queries than 10 rows (not 190 more).
APPLY_QUERIES = 19 if connection.vendor == "postgresql" else 19 + 8


@pytest.mark.parametrize("size", [10, 200])
def test_the_number_of_queries_to_preview_and_apply_does_not_grow_with_the_rows(
    programme, carol, alice, carols_other_programme, size, django_assert_max_num_queries
):
    taking_part(carols_other_programme, alice)
    text = roster_of(size) + "Alice Adams,alice@example.org,,,,,mentor\n"  # someone with an account, in reach
    with django_assert_max_num_queries(7):  # the 6 reads and the INSERT of the import
        roster_import = parse(programme, carol, text)
    assert roster.roster_can_apply(roster_import)

    with django_assert_max_num_queries(APPLY_QUERIES):
        roster_apply(roster_import=roster_import, by=carol)

    assert Participant.objects.filter(programme=programme).count() == size + 1
    assert Profile.objects.filter(manager__isnull=False).count() == size - size // 5 + 1


# -- whom a roster reaches (issue 13, item 7) --------------------------------------------

OUT_OF_REACH = (
    "{} has an account but takes part in none of the programmes you coordinate, so your roster may not change or "
    "enrol them. Remove the line, or invite them from the programme's Invite page."
)
STAFF = "{} is a staff account; a roster never changes staff accounts. Remove the line."


@pytest.fixture
def dave(db):
    return UserFactory(email="dave@example.org", full_name="Dave Diaz", is_coordinator=True)


@pytest.fixture
def programme_a(dave, alice):
    """Dave's programme, with alice in it (and in none of carol's)."""
    programme_a = programme_create(created_by=dave, name="Traditional", kind="traditional", purpose="Learn.")
    taking_part(programme_a, alice)
    return programme_a


def snapshot(*people) -> list:
    return [
        (
            list(User.objects.filter(pk=person.pk).values()),
            list(Profile.objects.filter(user=person).values()),
            list(Participant.objects.filter(user=person).values()),
            list(Invitation.objects.filter(email=person.email).values()),
        )
        for person in people
    ]


def test_a_coordinators_roster_shows_people_of_other_programmes_and_staff_as_errors_and_changes_nothing(
    programme, carol, carols_other_programme, programme_a, alice, bob, sam, django_capture_on_commit_callbacks
):
    finance = Department.objects.create(name="Finance")
    Profile.objects.create(user=alice, department=finance, job_title="Analyst")
    Profile.objects.create(user=sam, department=finance, job_title="Support")
    taking_part(carols_other_programme, bob)
    before = snapshot(alice, sam)

    roster_import = parse(
        programme,
        carol,
        HEADER
        + "Alice Adams,ALICE@example.org,Sales,Intern,,bob@example.org,mentor\n"
        + "Sam Support,sam@example.org,Sales,Intern,,bob@example.org,mentee\n"
        + "Bob Brown,bob@example.org,Sales,Manager,,,mentor\n"
        + "Dana Diaz,dana@example.org,Sales,Analyst,,,mentee\n",
    )

    assert errors_by_line(roster_import) == {
        2: [OUT_OF_REACH.format("alice@example.org")],
        3: [STAFF.format("sam@example.org")],
    }
    for line in (2, 3):  # nothing is planned for them
        assert (row_on_line(roster_import, line)["action"], row_on_line(roster_import, line)["changes"]) == ("", [])
    assert [row_on_line(roster_import, line)["action"] for line in (4, 5)] == ["update", "create"]
    assert not roster.roster_can_apply(roster_import)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ProgrammeError):
        roster_apply(roster_import=roster_import, by=carol)
    assert snapshot(alice, sam) == before
    assert mail.outbox == []


def test_whoever_confirms_a_roster_must_reach_everyone_in_it(programme, carol, programme_a, alice, sam):
    """Staff previewed a roster naming alice (of dave's programme only); carol, a
    coordinator of the programme too, confirms it: her reach decides, and nothing changes."""
    roster_import = parse(programme, sam, HEADER + "Alice Adams,alice@example.org,Sales,Intern,,,mentee\n")
    assert roster.roster_can_apply(roster_import)
    before = snapshot(alice)

    with pytest.raises(ProgrammeError) as raised:
        roster_apply(roster_import=roster_import, by=carol)

    assert OUT_OF_REACH.format("alice@example.org") in str(raised.value)
    assert snapshot(alice) == before


def test_staffs_roster_reaches_everyone_but_staff_accounts(programme, programme_a, alice, bob, sam):
    other_staff = UserFactory(email="root@example.org", is_staff=False, is_superuser=True)

    roster_import = parse(
        programme,
        sam,
        HEADER
        + "Alice Adams,alice@example.org,Sales,Intern,,,mentee\n"  # of dave's programme only
        + "Bob Brown,bob@example.org,Sales,Manager,,,mentor\n"  # of no programme
        + "Sam Support,sam@example.org,,,,,mentee\n"
        + "Root,root@example.org,,,,,mentee\n",
    )

    assert errors_by_line(roster_import) == {
        4: [STAFF.format("sam@example.org")],
        5: [STAFF.format(other_staff.email)],
    }
    assert [row_on_line(roster_import, line)["action"] for line in (2, 3)] == ["update", "update"]


def test_a_coordinators_roster_may_update_people_of_any_programme_they_coordinate(
    programme, carol, carols_other_programme, bob
):
    withdrawn = UserFactory(email="wanda@example.org")
    taking_part(carols_other_programme, bob)
    Participant.objects.create(programme=carols_other_programme, user=withdrawn, role="mentor", capacity=1,
                               status=Participant.Status.WITHDRAWN)  # fmt: skip

    roster_import = parse(
        programme,
        carol,
        HEADER + "Bob Brown,bob@example.org,Sales,,,,mentee\nWanda,wanda@example.org,,,,,mentor\n",
    )

    assert errors_by_line(roster_import) == {}
    assert [row["changes"] for row in roster_import.rows] == [
        ["update department", "enrol as mentee", "new department: Sales"],
        ["enrol as mentor"],
    ]

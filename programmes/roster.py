"""Roster import: a coordinator uploads a list of people (CSV or Excel) to enrol
in a programme.

Two steps, because a roster usually comes out of another system and a preview
catches its mistakes before anyone receives an invitation:

- `roster_parse` reads the file, checks every row and stores the rows with their
  errors and planned changes as a RosterImport (status previewed);
- `roster_apply` checks the rows again against the database as it is *now* (time
  has passed since the preview) and applies them in one transaction, all or
  nothing, then invites the people it enrolled.

A roster reaches only the people entrusted to whoever imports or confirms it
(`_reach_errors`): a coordinator's, the people of the programmes they coordinate
and new people; staff's, everyone but staff accounts. A row naming anyone else is
an error in the preview, so nothing about that person can change.

Both run a fixed number of queries whatever the number of rows (one read per
table, bulk writes), so a roster of thousands of people takes seconds.

The readers without a leading underscore (read_bytes, read_table, read_header,
header_key, is_email, seniority_lookup, read_date) are shared with the directory's HR sync
(directory/sync.py), which reads another set of columns.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from people.models import Department, Profile, SeniorityLevel, User
from people.validators import invisible_characters
from people.validators import problem as visible_text_problem

from .models import Participant, Programme, RosterImport
from .services import ProgrammeError, invitation_waits, invitations_create

MAX_ROWS = 20_000  # far above any real organisation's intake; stops a runaway file early
MAX_LINES = 100_000  # blank lines included: a formatted but empty sheet can claim a million rows
EXTENSIONS = (".csv", ".xlsx")

# The columns, in the order the sample file and the preview use.
COLUMNS = ("name", "email", "department", "title", "seniority", "manager_email", "role")
# Optional columns for the workforce history (docs/programmes.md), read when present.
DATE_COLUMNS = ("hire_date", "leave_date")
REQUIRED = ("name", "email", "role")
LABELS = {column: column.replace("_", " ") for column in COLUMNS + DATE_COLUMNS}
SAMPLE_HEADER = ",".join(LABELS[column] for column in COLUMNS)

# Header names people actually write, compared without case, spaces or punctuation.
ALIASES = {
    "name": ["name", "full name", "person", "participant", "employee name"],
    "email": ["email", "e-mail", "email address", "e-mail address", "work email", "mail"],
    "department": ["department", "dept", "team", "business unit"],
    "title": ["title", "job title", "position", "job", "role title"],
    "seniority": ["seniority", "seniority level", "level", "grade", "band"],
    "manager_email": [
        "manager email", "manager", "manager e-mail", "manager's email", "line manager", "line manager email",
        "manager email address", "reports to",
    ],
    "role": ["role", "programme role", "program role", "mentor or mentee", "mentor/mentee"],
    "hire_date": ["hire date", "date of hire", "hired on", "start date", "employment start date", "date joined"],
    "leave_date": ["leave date", "termination date", "end date", "employment end date", "leaving date", "last day"],
}  # fmt: skip


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.casefold())


HEADER_NAMES = {header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}

# The longest value each column may hold: what the database stores.
MAX_LENGTHS = {
    "name": User._meta.get_field("full_name").max_length,
    "email": User._meta.get_field("email").max_length,
    "department": Department._meta.get_field("name").max_length,
    "title": Profile._meta.get_field("job_title").max_length,
    "seniority": SeniorityLevel._meta.get_field("name").max_length,
    "manager_email": User._meta.get_field("email").max_length,
    "role": 20,
    "hire_date": 40,
    "leave_date": 40,
}
SHOWN_LENGTH = 200  # longer values are cut when stored for the preview
# What other people read, so it may hold no invisible or direction-changing character.
READ_BY_OTHERS = ("name", "department", "title")
ROLES = {role.value: role for role in Participant.Role}
# Profile fields, as the preview names them.
PROFILE_FIELD_LABELS = {"job_title": "title"}
# What else records the employment dates a roster gives: the directory app (the
# workforce history, docs/workforce-history.md) registers its recorder when it is
# ready, since programmes may not import it. Each is called inside the apply's
# transaction with `hire_dates`, {user id: hire date}, for the rows that give one.
EMPLOYMENT_RECORDERS: list = []


class RosterFileError(ProgrammeError):
    """The upload cannot be read as a roster at all; nothing was stored."""


# -- reading the file -----------------------------------------------------------


def max_bytes() -> int:
    """The largest roster file accepted (settings.ROSTER_UPLOAD_MAX_BYTES)."""
    return settings.ROSTER_UPLOAD_MAX_BYTES


def size_in_words(size: int) -> str:
    """5242880 -> "5 MB", 1536 -> "1.5 KB"."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{size} bytes"


def read_bytes(uploaded_file: IO[bytes]) -> bytes:
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    limit = max_bytes()
    data = uploaded_file.read(limit + 1)  # never more than one byte past the limit
    if len(data) > limit:
        raise RosterFileError(f"The file is larger than {size_in_words(limit)}; split it into smaller files.")
    if not data.strip():
        raise RosterFileError("The file is empty.")
    return data


def read_table(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """(line number, cells) of every line that is not blank."""
    extension = Path(filename).suffix.lower()
    if extension == ".csv":
        return _read_csv(data)
    if extension == ".xlsx":
        _check_workbook(data)
        return _read_xlsx(data)
    if extension == ".xls":
        raise RosterFileError("Old Excel files (.xls) cannot be read; save it as .xlsx or as “CSV UTF-8”.")
    raise RosterFileError(f"“{filename}” is not a CSV (.csv) or Excel (.xlsx) file.")


# -- what a file is, from its content: the name can say anything --------------------

ZIP_MAGIC = b"PK\x03\x04"
# The first bytes of files people upload by mistake with a .csv name.
NOT_TEXT = {
    ZIP_MAGIC: "an Excel workbook or another zip archive",
    b"\xd0\xcf\x11\xe0": "an old Office file (.xls or .doc)",
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
}
# Control characters a spreadsheet never writes in a CSV (tab, newlines and form
# feed aside). A stray one is reported on its line like any bad value; a file made
# of them is not text at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
BINARY_SAMPLE = 64 * 1024
BINARY_SHARE = 0.01  # more than 1% control characters in the first 64 KB
WORKBOOK_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MAX_PARTS = 1000  # a workbook has a dozen or two; thousands means something else
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


def _check_text(data: bytes) -> str:
    """The file's text, if it is UTF-8 text; RosterFileError saying what it is otherwise."""
    for magic, what in NOT_TEXT.items():
        if data.startswith(magic):
            hint = " If it is an Excel workbook, upload it with its .xlsx name." if magic == ZIP_MAGIC else ""
            raise RosterFileError(f"The file is {what}, not CSV text.{hint}")
    try:
        text = data.decode("utf-8-sig")  # Excel's “CSV UTF-8” starts with a byte-order mark
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise RosterFileError(
            f"The file is not UTF-8 text (line {line} is not). In Excel, save it with “CSV UTF-8”."
        ) from None
    sample = text[:BINARY_SAMPLE]
    if len(_CONTROL.findall(sample)) > max(BINARY_SHARE * len(sample), 2):
        raise RosterFileError("The file is not CSV text: it holds binary data. Upload a CSV or an .xlsx file.")
    return text


def _check_workbook(data: bytes) -> None:
    """Refuse, before anything unpacks it, a file that is not an OOXML workbook or
    would unpack to more than settings.ROSTER_XLSX_MAX_UNPACKED_BYTES. Reading a zip
    member never yields more than the size it declares (zipfile stops there), so
    checking the declared sizes bounds what openpyxl can be made to hold."""
    not_a_workbook = RosterFileError("The file cannot be opened as an Excel workbook (.xlsx).")
    if not data.startswith(ZIP_MAGIC):
        raise not_a_workbook
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise not_a_workbook from None
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise not_a_workbook
        unpacked = sum(part.file_size for part in parts)
        limit = settings.ROSTER_XLSX_MAX_UNPACKED_BYTES
        if unpacked > limit:
            raise RosterFileError(
                f"The workbook would unpack to {size_in_words(unpacked)}, more than the {size_in_words(limit)} "
                "allowed; save it again without empty formatted rows, or as “CSV UTF-8”."
            )
        try:
            content_types = archive.getinfo("[Content_Types].xml")  # every OOXML package has one
        except KeyError:
            content_types = None
        if content_types is not None and content_types.file_size > MAX_CONTENT_TYPES_BYTES:
            raise not_a_workbook
        try:
            declared = archive.read(content_types) if content_types is not None else b""
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError):
            raise not_a_workbook from None
    if WORKBOOK_CONTENT_TYPE.encode() not in declared:
        # A Word or PowerPoint file, a macro-enabled workbook (.xlsm) or any other zip.
        raise RosterFileError(
            "The file is a zip archive but not an Excel workbook (.xlsx); save it from Excel as “Excel Workbook”."
        )


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = _check_text(data)
    header_line = text.split("\n", 1)[0]
    # Spreadsheets set to European locales write semicolons; the header tells which.
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    table, previous = [], 0
    try:
        for cells in reader:
            line, previous = previous + 1, reader.line_num  # a quoted value may span lines
            if any(cell.strip() for cell in cells):
                table.append((line, cells))
            _check_size(table, line)
    except csv.Error as error:
        raise RosterFileError(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    return table


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    import openpyxl  # only needed for Excel files

    table = []
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # a zip that isn't a workbook raises any of a dozen errors
        raise RosterFileError("The file cannot be opened as an Excel workbook (.xlsx).") from None
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if any(cell.strip() for cell in cells):
                table.append((line, cells))
            _check_size(table, line)
    except RosterFileError:
        raise
    except Exception:
        raise RosterFileError("The Excel workbook cannot be read; save it again and upload it once more.") from None
    finally:
        workbook.close()
    return table


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a rank typed as 3 may come back as 3.0
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _check_size(table: list, line: int) -> None:
    if len(table) > MAX_ROWS + 1:
        raise RosterFileError(f"The file has more than {MAX_ROWS:,} people; split it into smaller files.")
    if line > MAX_LINES:
        raise RosterFileError(f"The file has more than {MAX_LINES:,} lines; delete the empty ones at the end.")


# -- the header ---------------------------------------------------------------

IGNORED = ""  # a header cell naming an unknown column: reported once, its values skipped


def read_header(
    cells: list[str],
    *,
    names: dict[str, str] = HEADER_NAMES,
    labels: dict[str, str] = LABELS,
    order: tuple[str, ...] = COLUMNS,
    required: tuple[str, ...] = REQUIRED,
) -> tuple[list[str | None], list[str]]:
    """The column each position holds (None for a blank header cell) and the header's errors.

    The defaults describe a programme's roster; the directory's HR export passes its own
    columns (`names` maps header_key(alias) to a column)."""
    columns: list[str | None] = []
    errors, unknown = [], []
    for cell in cells:
        text = cell.strip().replace("\x00", "")
        if not text:
            columns.append(None)
            continue
        column = names.get(header_key(text))
        if column is None:
            unknown.append(text[:60])
            columns.append(IGNORED)
        elif column in columns:
            errors.append(f"The column “{labels[column]}” appears twice.")
            columns.append(IGNORED)
        else:
            columns.append(column)
    expected = ", ".join(labels[column] for column in order)
    if unknown and not any(columns):
        return columns, [f"The first line must name the columns: {expected}."]
    errors += [f"Unknown column “{text}”; the columns are: {expected}." for text in unknown]
    errors += [f"The required column “{labels[column]}” is missing." for column in required if column not in columns]
    return columns, errors


# -- checking rows and planning the changes --------------------------------------


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    action: str = ""  # "create", "update" or "unchanged" once the row has no errors
    changes: list[str] = field(default_factory=list)
    # Worked out for apply:
    email: str = ""
    manager_email: str = ""
    role: str = ""
    department_key: str = ""
    seniority: SeniorityLevel | None = None
    user: User | None = None
    profile_updates: list[str] = field(default_factory=list)
    set_name: bool = False
    enrol: bool = False
    hired_on: date | None = None

    def as_json(self) -> dict:
        return {
            "line": self.line,
            "values": {key: value for key, value in self.values.items() if value},
            "errors": self.errors,
            "action": self.action,
            "changes": self.changes,
        }


@dataclass
class _Plan:
    rows: list[_Row]
    users: dict[str, User]  # existing people, by lowercased email
    profiles: dict[int, Profile]  # their profiles, by user id
    departments: dict[str, Department]  # by lowercased name
    new_departments: dict[str, str]  # lowercased name -> the name as first written

    @property
    def valid(self) -> list[_Row]:
        return [row for row in self.rows if not row.errors]


def _cell_errors(values: dict[str, str]) -> list[str]:
    """Problems with the raw text, found before it is cleaned for storing."""
    errors = []
    for column, value in values.items():
        if "\x00" in value:
            errors.append(f"The {LABELS[column]} contains a NUL character; remove it.")
        elif column in READ_BY_OTHERS and (problem := visible_text_problem(value, multiline=True)):
            errors.append(f"In the {LABELS[column]}, {problem[0].lower()}{problem[1:]}")
        if len(value) > MAX_LENGTHS[column]:
            errors.append(
                f"The {LABELS[column]} is {len(value):,} characters long; at most {MAX_LENGTHS[column]} are allowed."
            )
    return errors


def _cleaned(value: str) -> str:
    """The text as stored for the preview: JSON in PostgreSQL cannot hold NUL, an
    invisible or direction-changing character is shown as U+FFFD where the error
    says it is, and a screenful is enough to recognise a value that is too long anyway.
    (A row changed here has an error, so it is never applied.)"""
    value = value.replace("\x00", "\N{SYMBOL FOR NULL}")
    for position, _ in invisible_characters(value):
        value = value[:position] + "\N{REPLACEMENT CHARACTER}" + value[position + 1 :]
    return value if len(value) <= SHOWN_LENGTH else value[:SHOWN_LENGTH] + "…"


def is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _users_by_email(emails: set[str]) -> dict[str, User]:
    if not emails:
        return {}
    users = (
        User.objects.annotate(email_lower=Lower("email"))  # uses the case-insensitive unique index
        .filter(email_lower__in=emails)
        .only("pk", "email", "full_name", "is_active", "is_staff", "is_superuser")
    )
    return {user.email_lower: user for user in users}


def _reach_errors(by: User, users: dict[str, User]) -> dict[int, str]:
    """Why `by`'s roster may not touch each existing person it may not, by user id.

    A roster changes people's profiles and enrols and invites them, so it reaches
    only people already entrusted to the importer: a coordinator's roster reaches
    those taking part (in any status) in a programme they coordinate; staff's
    reaches everyone. Nobody's roster changes a staff account. New people are
    created by any roster. One read for a coordinator, none for staff."""
    errors = {
        user.pk: f"{email} is a staff account; a roster never changes staff accounts. Remove the line."
        for email, user in users.items()
        if user.is_staff or user.is_superuser
    }
    if by.is_staff:
        return errors
    others = [user.pk for user in users.values() if user.pk not in errors]
    in_reach = (
        set(
            Participant.objects.filter(user_id__in=others, programme__coordinators__user=by).values_list(
                "user_id", flat=True
            )
        )
        if others
        else set()
    )
    for email, user in users.items():
        if user.pk not in errors and user.pk not in in_reach:
            errors[user.pk] = (
                f"{email} has an account but takes part in none of the programmes you coordinate, so your roster "
                "may not change or enrol them. Remove the line, or invite them from the programme's Invite page."
            )
    return errors


# Dates in a roster: ISO (2021-03-31, as Excel's cells and most HR systems write
# them) or day first (31/03/2021, 31.03.2021, 31-03-2021). Never month first:
# 03/04/2021 is the 3rd of April. A four-digit year, always.
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%Y")
DATE_FORMATS_IN_WORDS = "2021-03-31 or 31/03/2021 (day first)"
_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ]00:00(:00)?$")  # an Excel date cell read as a datetime
EARLIEST_DATE = date(1900, 1, 1)


def read_date(text: str, label: str) -> date:
    """The date a roster cell holds; ValueError saying what to write instead.
    `label` names the column in the message ("hire date")."""
    value = text.strip()
    if midnight := _MIDNIGHT.match(value):
        value = midnight.group(1)
    for pattern in DATE_FORMATS:
        try:
            parsed = datetime.strptime(value, pattern).date()  # a calendar date, no time zone
        except ValueError:
            continue
        if parsed < EARLIEST_DATE:
            break
        return parsed
    shown = value if len(value) <= 40 else value[:40] + "…"
    raise ValueError(f"The {label} “{shown}” is not a date; write it as {DATE_FORMATS_IN_WORDS}.")


def seniority_lookup() -> tuple[dict[str, SeniorityLevel], str]:
    levels = list(SeniorityLevel.objects.all())
    lookup = {level.name.casefold(): level for level in levels} | {str(level.rank): level for level in levels}
    described = ", ".join(f"{level.name} ({level.rank})" for level in levels)
    return lookup, described


def employment_dates(values: dict, errors: list[str], today: date) -> tuple[date | None, date | None]:
    """A roster row's hire and leave dates, readable and possible (this import's and the
    roster sync's): each unreadable or impossible one is an error of the row, read as absent."""
    hired_on = left_on = None
    try:
        hired_on = read_date(values["hire_date"], "hire date") if values.get("hire_date") else None
    except ValueError as error:
        errors.append(str(error))
    try:
        left_on = read_date(values["leave_date"], "leave date") if values.get("leave_date") else None
    except ValueError as error:
        errors.append(str(error))
    if hired_on and hired_on > today:
        errors.append(f"The hire date {hired_on:%Y-%m-%d} is in the future; list people from their first day.")
        hired_on = None
    if hired_on and left_on and left_on < hired_on:
        errors.append(f"The leave date {left_on:%Y-%m-%d} is before the hire date {hired_on:%Y-%m-%d}.")
        left_on = None
    return hired_on, left_on


def _check_dates(programme: Programme, row: _Row, today: date) -> str:
    """The hire and leave dates: readable and possible. Someone who has left is not
    enrolled; a leave date before the programme's end is noted for the preview."""
    hired_on, left_on = employment_dates(row.values, row.errors, today)
    if left_on and left_on <= today:
        row.errors.append(
            f"The leave date {left_on:%Y-%m-%d} has passed: people who have left are not enrolled. Remove the line."
        )
    row.hired_on = hired_on
    if left_on and left_on > today and programme.ends_on and left_on < programme.ends_on:
        return f"leaves on {left_on:%Y-%m-%d}, before the programme ends"
    return ""


def _evaluate(programme: Programme, rows: list[_Row], present: set[str], by: User) -> _Plan:
    """Check every row against the file and the database, and work out what applying
    it would change. Six reads (five for staff), whatever the number of rows."""
    seniority_by_key, levels_described = seniority_lookup()
    today = timezone.localdate()
    leaving_notes: dict[int, str] = {}

    # First, what the file alone can tell.
    first_line_of: dict[str, int] = {}
    for row in rows:
        values, errors = row.values, row.errors
        name, email = values.get("name", ""), values.get("email", "").lower()
        role, manager_email = values.get("role", "").lower(), values.get("manager_email", "").lower()
        seniority, department = values.get("seniority", ""), values.get("department", "")
        if "name" in present and not name:
            errors.append("The name is empty.")
        if "email" in present and not email:
            errors.append("The email is empty.")
        elif email and not is_email(email):
            errors.append(f"“{values['email']}” is not a valid email address.")
        elif email in first_line_of:
            errors.append(f"{email} appears already on line {first_line_of[email]}; list each person once.")
        elif email:
            first_line_of[email] = row.line
            row.email = email
        if "role" in present and not role:
            errors.append("The role is empty; write mentor or mentee.")
        elif role and role not in ROLES:
            errors.append(f"“{values['role']}” is not a role; write mentor or mentee.")
        else:
            row.role = role
        if seniority:
            row.seniority = seniority_by_key.get(seniority.casefold())
            if row.seniority is None:
                known = f"use one of: {levels_described}" if levels_described else "no levels are set up yet"
                errors.append(f"Unknown seniority “{seniority}”; {known}, or leave it empty.")
        if manager_email:
            if not is_email(manager_email):
                errors.append(f"The manager email “{values['manager_email']}” is not a valid email address.")
            elif manager_email == email:
                errors.append("A person cannot be their own manager.")
            else:
                row.manager_email = manager_email
        row.department_key = department.casefold()
        if note := _check_dates(programme, row, today):
            leaving_notes[row.line] = note

    # Then the database: everyone the file names, their profiles and enrolments.
    users = _users_by_email(set(first_line_of) | {row.manager_email for row in rows if row.manager_email})
    user_ids = [user.pk for user in users.values()]
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(user_id__in=user_ids).only(
            "pk", "user_id", "department_id", "job_title", "seniority_id", "manager_id"
        )
    }
    enrolled = dict(programme.participants.filter(user_id__in=user_ids).values_list("user_id", "role"))
    departments = {department.name.casefold(): department for department in Department.objects.all()}
    out_of_reach = _reach_errors(by, {email: users[email] for email in first_line_of if email in users})

    new_departments: dict[str, str] = {}
    for row in rows:
        if row.manager_email and row.manager_email not in first_line_of and row.manager_email not in users:
            row.errors.append(
                f"Unknown manager {row.manager_email}: nobody with that address is in the file or has an account."
            )
        row.user = users.get(row.email) if row.email else None
        if row.user is not None and row.user.pk in out_of_reach:
            row.errors.append(out_of_reach[row.user.pk])
            continue  # nothing about them is planned, so nothing about them can change
        if row.user is not None and row.role:
            current_role = enrolled.get(row.user.pk)
            if current_role and current_role != row.role:
                row.errors.append(
                    f"{row.email} is already enrolled in this programme as a {current_role}; "
                    "a person takes one role per programme."
                )
            row.enrol = current_role is None
            if row.enrol and not row.user.is_active:
                row.errors.append(f"The account of {row.email} is deactivated; remove the line or reactivate it.")
        if row.errors or not row.email or not row.role:
            continue  # nothing to plan; a missing column is reported once, for the header

        if row.department_key and row.department_key not in departments and row.department_key not in new_departments:
            new_departments[row.department_key] = row.values["department"]
            row.changes.append(f"new department: {row.values['department']}")
        if row.user is None:
            row.action, row.enrol = "create", True
            row.changes[:0] = ["create person", f"enrol as {row.role}"]
            continue

        row.profile_updates = _profile_updates(row, profiles.get(row.user.pk), departments, users)
        row.set_name = not row.user.full_name and bool(row.values.get("name"))
        updated = [PROFILE_FIELD_LABELS.get(name, name) for name in row.profile_updates] + (
            ["name"] if row.set_name else []
        )
        planned = ([f"update {', '.join(updated)}"] if updated else []) + (
            [f"enrol as {row.role}"] if row.enrol else []
        )
        row.changes[:0] = planned
        row.action = "update" if planned else "unchanged"
    for row in rows:
        if row.line in leaving_notes and not row.errors:
            row.changes.append(leaving_notes[row.line])
    return _Plan(rows, users, profiles, departments, new_departments)


def _profile_updates(row: _Row, profile: Profile | None, departments: dict, users: dict) -> list[str]:
    """The profile fields the row changes. An empty cell leaves what is recorded alone."""
    updates = []
    title = row.values.get("title", "")
    if row.department_key:
        department = departments.get(row.department_key)
        if profile is None or department is None or profile.department_id != department.pk:
            updates.append("department")
    if title and (profile is None or profile.job_title != title):
        updates.append("job_title")
    if row.seniority and (profile is None or profile.seniority_id != row.seniority.pk):
        updates.append("seniority")
    if row.manager_email:
        manager = users.get(row.manager_email)
        if profile is None or manager is None or profile.manager_id != manager.pk:
            updates.append("manager")
    return updates


def _summary(plan: _Plan, header_errors: list[str]) -> dict:
    valid = plan.valid
    enrolled_roles = [row.role for row in valid if row.enrol]
    return {
        "rows": len(plan.rows),
        "errors": len(header_errors) + sum(len(row.errors) for row in plan.rows),
        "rows_with_errors": len(plan.rows) - len(valid),
        "header_errors": header_errors,
        "created": sum(row.action == "create" for row in valid),
        "updated": sum(row.action == "update" for row in valid),
        "unchanged": sum(row.action == "unchanged" for row in valid),
        "enrolled_mentors": enrolled_roles.count(Participant.Role.MENTOR),
        "enrolled_mentees": enrolled_roles.count(Participant.Role.MENTEE),
        "new_departments": list(plan.new_departments.values()),
    }


# -- the two steps ---------------------------------------------------------------


def roster_parse(*, programme: Programme, uploaded_file: IO[bytes], filename: str, by: User) -> RosterImport:
    """Read and check a roster and store what applying it would do, for the preview.

    Raises RosterFileError, storing nothing, when the file cannot be read at all
    (wrong type, empty, not UTF-8, too large). Problems with the header or rows are
    stored with the rows, so the preview can show all of them at once."""
    data = read_bytes(uploaded_file)
    table = read_table(data, filename)
    if not table:
        raise RosterFileError("The file is empty.")
    (_, header_cells), body = table[0], table[1:]
    if not body:
        raise RosterFileError("The file has a header line but nobody under it.")

    columns, header_errors = read_header(header_cells)
    rows, unnamed_columns = [], {}
    for line, cells in body:
        values = {}
        for position, cell in enumerate(cells):
            column = columns[position] if position < len(columns) else None
            if column:
                values[column] = cell.strip()
            elif column is None and cell.strip():
                unnamed_columns.setdefault(position, line)
        errors = _cell_errors(values)
        rows.append(_Row(line=line, values={key: _cleaned(value) for key, value in values.items()}, errors=errors))
    header_errors += [
        f"Column {position + 1} has values (first on line {line}) but no name in the header line."
        for position, line in sorted(unnamed_columns.items())
    ]

    plan = _evaluate(programme, rows, present={column for column in columns if column}, by=by)
    return RosterImport.objects.create(
        programme=programme,
        uploaded_by=by,
        filename=Path(filename).name.replace("\x00", "")[:255],
        rows=[row.as_json() for row in plan.rows],
        summary=_summary(plan, header_errors),
    )


def roster_can_apply(roster_import: RosterImport) -> bool:
    return roster_import.status == RosterImport.Status.PREVIEWED and not roster_import.summary.get("errors")


def roster_apply(*, roster_import: RosterImport, by: User) -> dict:
    """Apply a previewed roster: create the people who have no account, create or
    update profiles, enrol everyone approved and invite those newly enrolled.

    All or nothing: the rows are checked again against the database as it is now,
    and any problem, then or while writing, leaves everything as it was and raises
    ProgrammeError saying what to do."""
    try:
        with transaction.atomic():
            summary = _apply(roster_import, by)
    except IntegrityError:
        # Someone enrolled or created one of these people between our check and our write.
        raise ProgrammeError(
            "Someone changed these people while the roster was being imported; nothing was imported. "
            "Upload the file again to see the changes."
        ) from None
    return summary


def _apply(roster_import: RosterImport, by: User) -> dict:
    # Locked, so two clicks on Confirm cannot apply the same roster twice.
    locked = RosterImport.objects.select_for_update().select_related("programme").get(pk=roster_import.pk)
    if locked.status == RosterImport.Status.APPLIED:
        raise ProgrammeError("This roster has been imported already.")
    if locked.summary.get("errors"):
        raise ProgrammeError("This roster has errors; fix the file and upload it again.")
    programme = locked.programme
    rows = [_Row(line=row["line"], values=dict(row["values"])) for row in locked.rows]
    plan = _evaluate(programme, rows, present=set(REQUIRED), by=by)
    problems = [row for row in plan.rows if row.errors]
    if problems:
        listed = " ".join(f"Line {row.line}: {' '.join(row.errors)}" for row in problems[:5])
        more = f" And {len(problems) - 5:,} more lines have problems." if len(problems) > 5 else ""
        raise ProgrammeError(
            f"Things changed since the preview, so nothing was imported. {listed}{more} "
            "Upload the file again to see the current state."
        )
    valid, now = plan.valid, timezone.now()

    # 1. New departments.
    created_departments = [Department(name=name) for name in plan.new_departments.values()]
    Department.objects.bulk_create(created_departments)
    departments = plan.departments | {department.name.casefold(): department for department in created_departments}

    # 2. Everyone without an account, before any profile, since managers may be rows of this file too.
    new_users = []
    for row in valid:
        if row.user is None:
            user = User(email=row.email, full_name=row.values["name"], date_joined=now)
            user.set_unusable_password()  # they come in through the invitation link
            new_users.append(user)
    User.objects.bulk_create(new_users)
    users = plan.users | {user.email: user for user in new_users}
    named = [row.user for row in valid if row.set_name]
    for row in valid:
        if row.set_name:
            row.user.full_name = row.values["name"]
    User.objects.bulk_update(named, ["full_name"], batch_size=1000)

    # 3. Profiles: new ones in one insert; changed ones grouped by the fields they change,
    # so each UPDATE writes only what changed.
    new_profiles, updates_by_fields = [], {}
    for row in valid:
        if row.user is not None and not row.profile_updates:
            continue  # someone who had an account, and nothing to record for them
        user = users[row.email]
        profile = plan.profiles.get(user.pk)
        if profile is None:
            profile = Profile(user=user)
            new_profiles.append(profile)
        else:
            updates_by_fields.setdefault(tuple(row.profile_updates), []).append(profile)
        # An empty cell leaves the field alone; a filled one equal to what is there is a no-op.
        if row.department_key:
            profile.department = departments[row.department_key]
        if row.values.get("title"):
            profile.job_title = row.values["title"]
        if row.seniority:
            profile.seniority = row.seniority
        if row.manager_email:
            profile.manager = users[row.manager_email]
        profile.updated_at = now
    Profile.objects.bulk_create(new_profiles)
    for fields, profiles in updates_by_fields.items():
        Profile.objects.bulk_update(profiles, [*fields, "updated_at"], batch_size=1000)

    # 3b. The hire dates, for the workforce history (the directory's recorder).
    hire_dates = {users[row.email].pk: row.hired_on for row in valid if row.hired_on}
    for recorder in EMPLOYMENT_RECORDERS if hire_dates else []:
        recorder(hire_dates=hire_dates)

    # 4. Enrolment, approved: the coordinator chose these people.
    enrolling = [row for row in valid if row.enrol]
    Participant.objects.bulk_create(
        Participant(
            programme=programme,
            user=users[row.email],
            role=row.role,
            status=Participant.Status.APPROVED,
            capacity=programme.default_mentor_capacity if row.role == Participant.Role.MENTOR else None,
            applied_at=now,
            decided_at=now,
            decided_by=by,
        )
        for row in enrolling
    )

    # 5. Invitations, mailed after commit by the worker.
    invitations = (
        invitations_create(programme=programme, people=[(row.email, row.role) for row in enrolling], by=by)
        if enrolling
        else []
    )

    summary = _summary(plan, header_errors=[]) | {"invited": len(invitations)}
    if any(invitation.queued_at is None for invitation in invitations):
        summary["invitations_wait"] = invitation_waits(programme, None, now)
    locked.status, locked.applied_at, locked.summary = RosterImport.Status.APPLIED, now, summary
    locked.save(update_fields=["status", "applied_at", "summary"])
    roster_import.status, roster_import.applied_at, roster_import.summary = locked.status, now, summary
    return summary


def roster_summary_in_words(summary: dict) -> str:
    """“3 people created, 1 updated, 2 unchanged; 4 enrolled (3 mentees, 1 mentor), 4 invited.”"""

    def count(n: int, one: str, many: str) -> str:
        return f"{n:,} {one if n == 1 else many}"

    mentors, mentees = summary.get("enrolled_mentors", 0), summary.get("enrolled_mentees", 0)
    words = (
        f"{count(summary.get('created', 0), 'person', 'people')} created, {summary.get('updated', 0):,} updated, "
        f"{summary.get('unchanged', 0):,} unchanged; {mentors + mentees:,} enrolled "
        f"({count(mentees, 'mentee', 'mentees')}, {count(mentors, 'mentor', 'mentors')})"
    )
    if "invited" in summary:
        words += f", {summary['invited']:,} invited"
    if summary.get("invitations_wait"):
        words += f" (the invitations wait {summary['invitations_wait']})"
    return words + "."

"""Roster sync: keep people's department, job title, manager and seniority in
step with the organisation's HR export, and deactivate the people who left.

`roster_sync` reads one CSV (or .xlsx) file, works out every change against the
database as it is, and applies them in one transaction, all or nothing; with
`dry_run` it only reports them. Rows with errors are skipped and reported, but
the person they name still counts as present, so a typo never makes someone a
leaver. The rules (columns, leavers, the safety limit, re-joining) are in
docs/roster-sync.md.

It also keeps the workforce history of everyone it manages, participants or
not (directory.models.WorkforceEvent, docs/workforce-history.md): one event per
change it applies (hired, left, department, seniority, title), each holding the
state after it, and the first sight of a person as a `hired` event on their hire
date (the date of the run when the file has none).

A fixed number of queries whatever the number of rows (one read per table, bulk
writes); only what leavers cause (ending each of their matches, an audit event
each) grows with the number of leavers.
"""

import logging
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.functions import Lower
from django.utils import timezone

from matching.models import Match
from people.models import Department, Profile, SeniorityLevel, User
from people.validators import strip_invisible
from programmes.models import Coordinator
from programmes.roster import (
    RosterFileError,
    employment_dates,
    header_key,
    is_email,
    read_bytes,
    read_header,
    read_table,
    seniority_lookup,
)

from .models import RosterEntry, SyncRun, WorkforceEvent
from .onboarding import is_recent_hire, new_joiners_enrol
from .services import active_matches_of, people_leave

logger = logging.getLogger(__name__)

# The columns, in the order the docs and the sample file use.
COLUMNS = (
    "employee_id", "email", "full_name", "department", "job_title", "manager_email", "seniority", "status",
    "hire_date", "leave_date",
)  # fmt: skip
REQUIRED = ("employee_id", "email")
LABELS = {column: column.replace("_", " ") for column in COLUMNS}
ALIASES = {
    "employee_id": ["employee id", "employee number", "employee no", "staff id", "staff number", "person id",
                    "worker id", "personnel number"],
    "email": ["email", "e-mail", "email address", "e-mail address", "work email", "mail"],
    "full_name": ["full name", "name", "employee name", "display name"],
    "department": ["department", "dept", "team", "business unit"],
    "job_title": ["job title", "title", "position", "job"],
    "manager_email": ["manager email", "manager", "manager e-mail", "line manager", "line manager email",
                      "manager email address", "reports to"],
    "seniority": ["seniority", "seniority level", "level", "grade", "band"],
    "status": ["status", "employment status", "employee status"],
    "hire_date": ["hire date", "date of hire", "hired on", "hired", "start date", "employment start date",
                  "original hire date", "date joined", "joined", "joining date", "entry date"],
    "leave_date": ["leave date", "termination date", "date of termination", "terminated on", "end date",
                   "employment end date", "leaving date", "date left", "left on", "exit date", "last day",
                   "last working day"],
}  # fmt: skip
HEADER_NAMES = {header_key(alias): column for column, aliases in ALIASES.items() for alias in aliases}
MAX_LENGTHS = {
    "employee_id": RosterEntry._meta.get_field("employee_id").max_length,
    "email": User._meta.get_field("email").max_length,
    "full_name": User._meta.get_field("full_name").max_length,
    "department": Department._meta.get_field("name").max_length,
    "job_title": Profile._meta.get_field("job_title").max_length,
    "manager_email": User._meta.get_field("email").max_length,
    "seniority": SeniorityLevel._meta.get_field("name").max_length,
    "status": 40,
    "hire_date": 40,
    "leave_date": 40,
}
# The status column: an empty cell means employed.
STATUS_ACTIVE = {"", "active", "employed", "current", "working", "on leave"}
STATUS_LEFT = {"left", "leaver", "terminated", "inactive", "former", "departed", "ended"}
READ_BY_OTHERS = ("full_name", "department", "job_title")  # text people read (people.validators)
# The profile fields the sync keeps, with the column that feeds each.
SYNCED = {"department": "department", "job_title": "job_title", "manager": "manager_email", "seniority": "seniority"}
FIELD_LABELS = {"department": "department", "job_title": "job title", "manager": "manager", "seniority": "seniority"}
LOCK_KEY = 7_240_311  # pg_advisory_xact_lock: one sync at a time, whichever process runs it
MAX_REPORTED_ROW_ERRORS = 1000  # kept on a SyncRun; the count is always exact


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    employee_id: str = ""
    email: str = ""
    left: bool = False
    user: User | None = None
    entry: RosterEntry | None = None
    manager_email: str = ""
    manager: User | None = None
    seniority: SeniorityLevel | None = None
    department_key: str = ""
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)  # profile field -> (old, new) in words
    hired_on: date | None = None
    left_on: date | None = None  # a leave date on or before the run's day (a later one changes nothing yet)
    hire_change: tuple[date | None, date | None] | None = None  # the entry's hire date (old, new)


@dataclass
class SyncResult:
    """What a run did (or, dry, would do): counts, the report's lines, problems."""

    path: str
    dry_run: bool
    outcome: str = SyncRun.Outcome.APPLIED
    rows: int = 0
    created: int = 0  # people the sync starts managing
    updated: int = 0
    unchanged: int = 0
    left: int = 0
    rejoined: int = 0
    no_account: int = 0
    matches_ended: int = 0
    coordinators_told: int = 0
    new_joiners_enrolled: int = 0  # enrolments in onboarding programmes (directory.onboarding)
    events: int = 0  # workforce history events recorded (docs/workforce-history.md)
    new_departments: list[str] = field(default_factory=list)
    header_errors: list[str] = field(default_factory=list)
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    refusal: str = ""
    lines: list[str] = field(default_factory=list)
    run: SyncRun | None = None

    @property
    def rows_with_errors(self) -> int:
        return len({line for line, _ in self.row_errors})

    def summary(self) -> dict:
        return {
            "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
            "left": self.left, "rejoined": self.rejoined, "no_account": self.no_account,
            "matches_ended": self.matches_ended, "coordinators_told": self.coordinators_told, "events": self.events,
            "new_departments": self.new_departments, "rows_with_errors": self.rows_with_errors,
            "header_errors": len(self.header_errors), "warnings": len(self.warnings),
        }  # fmt: skip

    def in_words(self) -> str:
        """“120 rows: 2 people updated, …; matches ended: 1; rows with errors (skipped): 0.”"""
        if self.outcome == SyncRun.Outcome.REFUSED:
            return f"Refused, nothing changed: {self.refusal}"
        words = (
            f"{self.rows:,} rows: {self.updated:,} people updated, {self.unchanged:,} unchanged, "
            f"{self.created:,} newly managed, {self.left:,} left, {self.rejoined:,} rejoined, "
            f"{self.no_account:,} without an account; matches ended: {self.matches_ended:,}; "
            f"workforce history events: {self.events:,}; "
            f"rows with errors (skipped): {self.rows_with_errors:,}."
        )
        return f"Dry run, nothing changed. It would do: {words}" if self.dry_run else words


# -- reading ------------------------------------------------------------------


def _read(path: Path) -> tuple[list[str | None], list[_Row], list[str]]:
    """The file's columns, its rows and its header errors; RosterFileError if it
    cannot be read at all."""
    try:
        with path.open("rb") as handle:
            data = read_bytes(handle)
    except FileNotFoundError:
        raise RosterFileError(f"There is no file at {path}.") from None
    except (IsADirectoryError, PermissionError) as error:
        raise RosterFileError(f"{path} cannot be read: {error.strerror}.") from None
    table = read_table(data, path.name)
    if not table:
        raise RosterFileError("The file is empty.")
    (_, header_cells), body = table[0], table[1:]
    columns, header_errors = read_header(
        header_cells, names=HEADER_NAMES, labels=LABELS, order=COLUMNS, required=REQUIRED
    )
    if not body:
        header_errors.append("The file has a header line but nobody under it.")
    rows, unnamed = [], {}
    for line, cells in body:
        values = {}
        for position, cell in enumerate(cells):
            column = columns[position] if position < len(columns) else None
            if column in READ_BY_OTHERS and "\x00" not in cell:  # a NUL is reported below
                # The HR system cannot be sent a form: invisible and direction-changing characters are removed.
                values[column] = strip_invisible(cell).strip()
            elif column:
                values[column] = cell.strip()
            elif column is None and cell.strip():
                unnamed.setdefault(position, line)
        row = _Row(line=line, values=values)
        for column, value in values.items():
            if "\x00" in value:
                row.errors.append(f"The {LABELS[column]} contains a NUL character.")
            elif len(value) > MAX_LENGTHS[column]:
                row.errors.append(f"The {LABELS[column]} is longer than {MAX_LENGTHS[column]} characters.")
        rows.append(row)
    header_errors += [
        f"Column {position + 1} has values (first on line {line}) but no name in the header line."
        for position, line in sorted(unnamed.items())
    ]
    return columns, rows, header_errors


# -- planning -------------------------------------------------------------------


@dataclass
class _Plan:
    rows: list[_Row]
    present: set[str]  # the columns the file has
    entries: dict[str, RosterEntry]  # every entry, by employee id
    profiles: dict[int, Profile]
    departments: dict[str, Department]
    new_departments: dict[str, str]  # casefolded -> as first written
    new_entries: list[_Row]  # rows of people the sync starts managing
    seen_entry_ids: set[int]
    leavers: list[tuple[User, RosterEntry | None, str]]  # (person, their entry or None if new, why)
    rejoining: list[RosterEntry]
    managed_before: int  # people managed and not left, before this run
    events: list["_Event"] = field(default_factory=list)  # the workforce history to record


@dataclass
class _Event:
    """A workforce event to record; the state after it is given as the file or profile has it."""

    user: User
    kind: str
    on: date
    department_key: str  # casefolded name, "" for none
    department_name: str
    seniority: SeniorityLevel | None
    job_title: str


def _describe(value) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, User):
        return value.email
    return str(value)


def _plan(rows: list[_Row], present: set[str], result: SyncResult, today: date) -> _Plan:
    seniority_by_key, levels_described = seniority_lookup()
    entries = {entry.employee_id: entry for entry in RosterEntry.objects.select_related("user")}
    entry_of_user = {entry.user_id: entry for entry in entries.values()}

    # What the file alone can tell.
    line_of_id: dict[str, int] = {}
    line_of_email: dict[str, int] = {}
    for row in rows:
        values, errors = row.values, row.errors
        employee_id, email = values.get("employee_id", ""), values.get("email", "").lower()
        status = values.get("status", "").casefold()
        if not employee_id:
            errors.append("The employee id is empty.")
        elif employee_id in line_of_id:
            errors.append(f"Employee id {employee_id} appears already on line {line_of_id[employee_id]}.")
        else:
            line_of_id[employee_id] = row.line
            row.employee_id = employee_id
        if not email:
            errors.append("The email is empty.")
        elif not is_email(email):
            errors.append(f"“{values['email']}” is not a valid email address.")
        elif email in line_of_email:
            errors.append(f"{email} appears already on line {line_of_email[email]}.")
        else:
            line_of_email[email] = row.line
            row.email = email
        if status in STATUS_LEFT:
            row.left = True
        elif status not in STATUS_ACTIVE:
            errors.append(f"Unknown status “{values['status']}”; write active or left (or leave it empty).")
        manager_email = values.get("manager_email", "").lower()
        if manager_email:
            if not is_email(manager_email):
                errors.append(f"The manager email “{values['manager_email']}” is not a valid email address.")
            elif manager_email == email:
                errors.append("A person cannot be their own manager.")
            else:
                row.manager_email = manager_email
        seniority = values.get("seniority", "")
        if seniority:
            row.seniority = seniority_by_key.get(seniority.casefold())
            if row.seniority is None:
                known = f"use one of: {levels_described}" if levels_described else "no levels are set up yet"
                errors.append(f"Unknown seniority “{seniority}”; {known}, or leave it empty.")
        row.department_key = values.get("department", "").casefold()
        _check_dates(row, status, today)

    # The database: everyone the file names by email, and their profiles.
    wanted = set(line_of_email) | {row.manager_email for row in rows if row.manager_email}
    users = {
        user.email_lower: user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=wanted)
    } if wanted else {}  # fmt: skip

    seen_entry_ids: set[int] = set()
    unidentified = 0
    for row in rows:
        entry = entries.get(row.employee_id) if row.employee_id else None
        by_email = users.get(row.email) if row.email else None
        if entry is not None:
            seen_entry_ids.add(entry.pk)
            row.user, row.entry = entry.user, entry
            if row.email and entry.user.email.lower() != row.email:
                row.errors.append(
                    f"Employee {row.employee_id} is the account {entry.user.email}, but the file says {row.email}; "
                    "change the account's address in the admin, or correct the file."
                )
        elif by_email is not None and by_email.is_guest:
            # A guest from outside (programmes.Guest) is no employee: the sync never manages them.
            row.errors.append(
                f"{row.email} is a guest account from outside the organisation; the sync leaves it alone."
            )
        elif by_email is not None:
            other = entry_of_user.get(by_email.pk)
            if other is not None:
                # Present under another id: never a leaver because HR re-keyed them.
                seen_entry_ids.add(other.pk)
                if row.employee_id:
                    row.errors.append(
                        f"{row.email} is recorded as employee {other.employee_id}, but the file says "
                        f"{row.employee_id}; correct the file, or the entry in the admin."
                    )
            row.user, row.entry = by_email, other
        elif not row.employee_id:
            unidentified += 1
        if row.manager_email and row.manager_email not in line_of_email and row.manager_email not in users:
            row.errors.append(
                f"Unknown manager {row.manager_email}: nobody with that address is in the file or has an account."
            )
        if row.manager_email:
            row.manager = users.get(row.manager_email)  # in the file but without an account: no manager recorded
            if row.manager is not None and row.manager.is_guest:
                row.errors.append(f"The manager {row.manager_email} is a guest from outside; a guest manages nobody.")

    known = [row for row in rows if row.user is not None and not row.errors]
    profiles = {
        profile.user_id: profile
        for profile in Profile.objects.filter(user_id__in=[row.user.pk for row in known])
        .select_related("department", "seniority", "manager")
        .only("pk", "user_id", "job_title", "department__name", "seniority__name", "manager__email")
    }
    departments = {department.name.casefold(): department for department in Department.objects.all()}
    new_departments: dict[str, str] = {}
    new_entries: list[_Row] = []
    rejoining: list[RosterEntry] = []
    leavers: list[tuple[User, RosterEntry | None, str]] = []

    for row in rows:
        for error in row.errors:
            result.row_errors.append((row.line, error))
        if row.user is None:
            if row.email and not row.errors:
                result.no_account += 1
            continue
        if row.errors:
            continue
        user, entry = row.user, row.entry
        if entry is None:
            new_entries.append(row)
        if "hire_date" in present and (entry.hired_on if entry else None) != row.hired_on:
            row.hire_change = (entry.hired_on if entry else None, row.hired_on)
        profile = profiles.get(user.pk)
        if "department" in present:
            old_department = profile.department if profile else None
            department = departments.get(row.department_key) if row.department_key else None
            if row.department_key and department is None:
                new_departments.setdefault(row.department_key, row.values["department"])
                row.changes["department"] = (_describe(old_department), new_departments[row.department_key])
            elif (old_department.pk if old_department else None) != (department.pk if department else None):
                row.changes["department"] = (_describe(old_department), _describe(department))
        if "job_title" in present:
            old, new = (profile.job_title if profile else ""), row.values.get("job_title", "")
            if old != new:
                row.changes["job_title"] = (old, new)
        if "seniority" in present:
            old_level = profile.seniority if profile else None
            if (old_level.pk if old_level else None) != (row.seniority.pk if row.seniority else None):
                row.changes["seniority"] = (_describe(old_level), _describe(row.seniority))
        if "manager_email" in present:
            old_manager = profile.manager if profile else None
            if (old_manager.pk if old_manager else None) != (row.manager.pk if row.manager else None):
                new = _describe(row.manager) if row.manager or not row.manager_email else (
                    f"(none: {row.manager_email} has no account)"
                )  # fmt: skip
                row.changes["manager"] = (_describe(old_manager), new)
        staff = user.is_staff or user.is_superuser
        if row.left:
            if staff:
                result.warnings.append(f"{user.email} is marked as left but is a staff account; it stays active.")
            elif entry is None or entry.left_at is None:
                leavers.append((user, entry, "marked as left in the file"))
        elif entry is not None and entry.left_at is not None:
            rejoining.append(entry)

    # Managed people the file no longer lists.
    missing = [entry for entry in entries.values() if entry.left_at is None and entry.pk not in seen_entry_ids]
    if missing and unidentified:
        result.warnings.append(
            f"{unidentified:,} rows have neither an employee id nor the address of a managed person, so nobody "
            f"missing from the file is treated as having left this time ({len(missing):,} would be)."
        )
    else:
        for entry in missing:
            if entry.user.is_staff or entry.user.is_superuser:
                result.warnings.append(
                    f"{entry.user.email} (employee {entry.employee_id}) is missing from the file but is a staff "
                    "account; it stays active."
                )
            else:
                leavers.append((entry.user, entry, "missing from the file"))

    managed_before = sum(entry.left_at is None for entry in entries.values())
    return _Plan(rows, present, entries, profiles, departments, new_departments, new_entries, seen_entry_ids,
                 leavers, rejoining, managed_before)  # fmt: skip


def _check_dates(row: _Row, status: str, today: date) -> None:
    """The hire and leave dates: readable, possible, and in step with the status.
    A leave date on or before today means the person has left (as the status
    `left` does); a later one changes nothing until it has passed."""
    values, errors = row.values, row.errors
    hired_on, left_on = employment_dates(values, errors, today)
    if left_on and left_on <= today:
        if status and status in STATUS_ACTIVE:
            errors.append(
                f"The status says “{values['status']}” but the leave date {left_on:%Y-%m-%d} has passed; "
                "correct one of them."
            )
        else:
            row.left, row.left_on = True, left_on
    elif left_on and row.left:
        errors.append(f"The status says “{values['status']}” but the leave date {left_on:%Y-%m-%d} is still to come.")
    row.hired_on = hired_on


def _plan_history(plan: _Plan, today: date) -> None:
    """The workforce events this run records: a person seen for the first time is
    `hired` (on their hire date, else today) in the state the run leaves them in; a
    known person gets an event per field the run changes (department, seniority,
    title) on today; a returning one is `hired` again; a leaver `left` on their
    leave date (else today). Two reads whatever the number of rows."""
    # Each person's latest recorded event: a later event is never dated before it.
    with_history = dict(
        WorkforceEvent.objects.values("entry_id").annotate(last=Max("on")).values_list("entry_id", "last")
    )
    leaving = {user.pk for user, _, _ in plan.leavers}
    rejoining = {entry.pk for entry in plan.rejoining}
    new_names = plan.new_departments
    events = plan.events

    for row in plan.rows:
        if row.user is None or row.errors:
            continue
        profile, entry = plan.profiles.get(row.user.pk), row.entry
        if "department" in plan.present:
            key = row.department_key
            name = plan.departments[key].name if key in plan.departments else new_names.get(key, "")
        else:
            department = profile.department if profile else None
            key, name = (department.name.casefold(), department.name) if department else ("", "")
        seniority = row.seniority if "seniority" in plan.present else (profile.seniority if profile else None)
        title = profile.job_title if profile else ""
        if "job_title" in plan.present:
            title = row.values.get("job_title", "")

        def event(kind: str, on: date, row=row, key=key, name=name, seniority=seniority, title=title) -> None:
            events.append(_Event(row.user, kind, on, key, name, seniority, title))

        left_before = entry.left_at.date() if entry and entry.left_at and entry.pk not in rejoining else None
        if entry is None or entry.pk not in with_history:
            left_on = row.left_on or left_before or today
            event(WorkforceEvent.Kind.HIRED, row.hired_on or min(today, left_on))
            if left_before:  # left before the history began: their leaving is part of it
                event(WorkforceEvent.Kind.LEFT, row.left_on or left_before)
        elif entry.pk in rejoining:
            came_back = row.hired_on if row.hired_on and row.hired_on > with_history[entry.pk] else today
            event(WorkforceEvent.Kind.HIRED, came_back)
        else:
            for changed, kind in (("department", "department"), ("seniority", "seniority"), ("job_title", "title")):
                if changed in row.changes:
                    event(kind, today)
        if row.user.pk in leaving:
            left_on = row.left_on or today
            if entry is not None and entry.pk in with_history:
                left_on = max(left_on, with_history[entry.pk])
            event(WorkforceEvent.Kind.LEFT, left_on)

    # Leavers missing from the file: their state as their profile has it.
    listed = {row.user.pk for row in plan.rows if row.user is not None}
    missing = [user for user, _, _ in plan.leavers if user.pk not in listed]
    if missing:
        profiles = {
            profile.user_id: profile
            for profile in Profile.objects.filter(user__in=missing).select_related("department", "seniority")
        }
        for user in missing:
            profile = profiles.get(user.pk)
            department = profile.department if profile else None
            events.append(_Event(
                user, WorkforceEvent.Kind.LEFT, today, department.name.casefold() if department else "",
                department.name if department else "", profile.seniority if profile else None,
                profile.job_title if profile else "",
            ))  # fmt: skip


def _check_safety(plan: _Plan, share: float, allow_mass_leave: bool) -> str:
    """A refusal when the file would deactivate more than `share` of the people
    managed: a truncated export must not wipe the organisation."""
    managed = plan.managed_before + sum(not row.left for row in plan.new_entries)
    leaving = len(plan.leavers)
    if allow_mass_leave or not leaving or not managed:
        return ""
    if leaving / managed > share:
        return (
            f"The file would deactivate {leaving:,} of the {managed:,} people the sync manages "
            f"({leaving / managed:.0%}), more than the limit of {share:.0%}. Check that the export is complete; "
            "if these people really left, run `manage.py sync_roster --allow-mass-leave` once."
        )
    return ""


def _warn_of_programmes_left_without_coordinators(plan: _Plan, result: SyncResult) -> None:
    """A leaver may be the last active coordinator of a programme: a person must add one."""
    leaving = {user.pk for user, _, _ in plan.leavers}
    if not leaving:
        return
    teams: dict[int, list[Coordinator]] = {}
    for coordinator in Coordinator.objects.filter(
        programme_id__in=Coordinator.objects.filter(user_id__in=leaving).values("programme_id")
    ).select_related("programme", "user"):
        teams.setdefault(coordinator.programme_id, []).append(coordinator)
    for team in teams.values():
        if not any(c.user.is_active and c.user_id not in leaving for c in team):
            result.warnings.append(
                f"{team[0].programme} has no active coordinator once this file is applied "
                f"({', '.join(c.user.email for c in team)}); add one."
            )


def _report(plan: _Plan, result: SyncResult, matches: list[Match]) -> None:
    lines = result.lines
    for row in plan.rows:
        if row.user is None or row.errors:
            continue
        said = [f"now managed by the sync (employee {row.employee_id})"] if row.entry is None else []
        said += [
            f"{field_label} {_describe(row.changes[name][0])} → {_describe(row.changes[name][1])}"
            for name, field_label in FIELD_LABELS.items()
            if name in row.changes
        ]
        if row.hire_change:
            said.append(f"hire date {_describe(row.hire_change[0])} → {_describe(row.hire_change[1])}")
        if said:
            lines.append(f"line {row.line}: {row.user.email}: {'; '.join(said)}")
    for name in plan.new_departments.values():
        lines.append(f"new department: {name}")
    for event in plan.events:
        state = ", ".join(
            [event.department_name or "no department", _describe(event.seniority), event.job_title or "no title"]
        )
        lines.append(f"history: {event.user.email}: {event.kind} on {event.on:%Y-%m-%d} ({state})")
    ending = {}
    for match in matches:
        ending.setdefault(match.mentor.user_id, []).append(match)
        ending.setdefault(match.mentee.user_id, []).append(match)
    for user, _entry, why in plan.leavers:
        ended = ending.get(user.pk, [])
        pairs = ", ".join(f"{m.mentor.user} mentoring {m.mentee.user} in {m.programme}" for m in ended)
        lines.append(f"left: {user.email} ({why}); deactivated" + (f"; match ended: {pairs}" if pairs else ""))
    for entry in plan.rejoining:
        again = "account reactivated" if entry.deactivated else "the account was not deactivated by the sync"
        lines.append(f"rejoined: {entry.user.email} (left {entry.left_at:%Y-%m-%d}); {again}")
    for line, error in result.row_errors:
        lines.append(f"error, line {line}: {error}")
    for warning in result.header_errors:
        lines.append(f"error in the header: {warning}")
    for warning in result.warnings:
        lines.append(f"warning: {warning}")


# -- applying -------------------------------------------------------------------


def _apply(plan: _Plan, result: SyncResult, matches: list[Match], now) -> None:
    # 1. New departments.
    created = [Department(name=name) for name in plan.new_departments.values()]
    Department.objects.bulk_create(created)
    departments = plan.departments | {department.name.casefold(): department for department in created}

    # 2. Profiles: new ones in one insert, changed ones grouped by the fields they change.
    new_profiles, by_fields = [], {}
    for row in plan.rows:
        if not row.changes:
            continue
        profile = plan.profiles.get(row.user.pk)
        if profile is None:
            profile = Profile(user=row.user)
            new_profiles.append(profile)
        else:
            by_fields.setdefault(tuple(row.changes), []).append(profile)
        for name in row.changes:
            if name == "department":
                profile.department = departments.get(row.department_key)
            elif name == "job_title":
                profile.job_title = row.values.get("job_title", "")
            elif name == "seniority":
                profile.seniority = row.seniority
            elif name == "manager":
                profile.manager = row.manager
        profile.updated_at = now
    Profile.objects.bulk_create(new_profiles)
    for fields, profiles in by_fields.items():
        _update_all(profiles, [*fields, "updated_at"])

    # 3. Who the sync manages, and when it saw them.
    leaving_now = {user.pk for user, _, _ in plan.leavers}
    new_entries = RosterEntry.objects.bulk_create(
        RosterEntry(
            user=row.user, employee_id=row.employee_id, first_seen=now, last_seen=now,
            left_at=now if row.user.pk in leaving_now else None,
            deactivated=row.user.pk in leaving_now and row.user.is_active, hired_on=row.hired_on,
        )
        for row in plan.new_entries
    )  # fmt: skip
    RosterEntry.objects.filter(pk__in=plan.seen_entry_ids).update(last_seen=now)
    hire_dates = []
    for row in plan.rows:
        if row.hire_change and row.entry is not None and not row.errors:
            row.entry.hired_on = row.hire_change[1]
            hire_dates.append(row.entry)
    RosterEntry.objects.bulk_update(hire_dates, ["hired_on"], batch_size=1000)

    # 3b. The workforce history: one insert.
    entry_of_user = {entry.user_id: entry for entry in plan.entries.values()} | {
        entry.user_id: entry for entry in new_entries
    }
    WorkforceEvent.objects.bulk_create(
        [
            WorkforceEvent(
                entry=entry_of_user[event.user.pk], kind=event.kind, on=event.on,
                department=departments.get(event.department_key) if event.department_key else None,
                seniority=event.seniority, job_title=event.job_title, recorded_at=now,
            )
            for event in plan.events
            if event.user.pk in entry_of_user
        ],
        batch_size=1000,
    )  # fmt: skip

    # 4. Re-joiners: the accounts the sync turned off come back on; matches stay ended.
    if plan.rejoining:
        User.objects.filter(pk__in=[entry.user_id for entry in plan.rejoining if entry.deactivated]).update(
            is_active=True
        )
        RosterEntry.objects.filter(pk__in=[entry.pk for entry in plan.rejoining]).update(
            left_at=None, deactivated=False
        )

    # 5. Leavers: deactivated (never deleted), open enrolments withdrawn, matches ended, coordinators told.
    if plan.leavers:
        known_leavers = [entry.pk for _, entry, _ in plan.leavers if entry is not None]
        active_ids = [user.pk for user, _, _ in plan.leavers if user.is_active]
        RosterEntry.objects.filter(pk__in=known_leavers, user_id__in=active_ids).update(left_at=now, deactivated=True)
        RosterEntry.objects.filter(pk__in=known_leavers).exclude(user_id__in=active_ids).update(left_at=now)
        leaving = people_leave(
            leavers=[(user, why) for user, _, why in plan.leavers], source="the roster sync", matches=matches, now=now
        )
        result.coordinators_told = leaving.coordinators_told


def _update_all(profiles: list[Profile], fields: list[str], batch_size: int = 1000) -> None:
    """Write `fields` of every profile. On PostgreSQL one UPDATE ... FROM (VALUES ...)
    per thousand rows: Django's bulk_update builds a CASE per row and field, which
    takes seconds of Python for a few thousand people."""
    if connection.vendor != "postgresql":
        Profile.objects.bulk_update(profiles, fields, batch_size=batch_size)
        return
    model_fields = [Profile._meta.get_field(name) for name in fields]
    table, pk = Profile._meta.db_table, Profile._meta.pk
    quote = connection.ops.quote_name
    casts = [f"%s::{pk.db_type(connection)}"] + [
        f"%s::{(f.target_field if f.is_relation else f).db_type(connection)}" for f in model_fields
    ]
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields)
    names = ", ".join(quote(column) for column in ["pk", *(f.column for f in model_fields)])
    with connection.cursor() as cursor:
        for start in range(0, len(profiles), batch_size):
            batch = profiles[start : start + batch_size]
            rows = ", ".join(f"({', '.join(casts)})" for _ in batch)
            params = [
                value
                for profile in batch
                for value in [profile.pk, *(f.get_db_prep_save(getattr(profile, f.attname), connection)
                                            for f in model_fields)]
            ]  # fmt: skip
            cursor.execute(
                # Identifiers come from the model and are quoted; every value is a parameter.
                f"UPDATE {quote(table)} SET {assignments} FROM (VALUES {rows}) AS v({names}) "  # noqa: S608  # nosec B608
                f"WHERE {quote(table)}.{quote(pk.column)} = v.{quote('pk')}",
                params,
            )


# -- the run --------------------------------------------------------------------


def roster_sync(
    *,
    path: str | Path,
    dry_run: bool = False,
    allow_mass_leave: bool = False,
    trigger: str = SyncRun.Trigger.COMMAND,
) -> SyncResult:
    """Read the HR export at `path` and bring the people it names up to date.

    Refused, changing nothing, when the file cannot be read, its header is wrong,
    or it would deactivate more than ROSTER_SYNC_MAX_LEAVER_SHARE of the people
    the sync manages (unless `allow_mass_leave`). Every run but a dry one is
    recorded as a SyncRun, refused ones included."""
    path = Path(path)
    result = SyncResult(path=str(path), dry_run=dry_run)
    started = timezone.now()
    try:
        columns, rows, header_errors = _read(path)
    except RosterFileError as error:
        return _refuse(result, str(error), started, trigger)
    result.rows = len(rows)
    if header_errors:
        result.header_errors = header_errors
        return _refuse(result, "the header line is wrong: " + " ".join(header_errors), started, trigger)

    share = settings.ROSTER_SYNC_MAX_LEAVER_SHARE
    with transaction.atomic():
        if connection.vendor == "postgresql" and not dry_run:
            with connection.cursor() as cursor:  # a second sync waits, then sees this one's work
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        today = timezone.localdate()
        plan = _plan(rows, {column for column in columns if column}, result, today)
        matches = active_matches_of([user.pk for user, _, _ in plan.leavers], lock=not dry_run)
        _plan_history(plan, today)
        _warn_of_programmes_left_without_coordinators(plan, result)
        _count(plan, result, matches)
        _report(plan, result, matches)
        refusal = _check_safety(plan, share, allow_mass_leave)
        if not refusal and not dry_run:
            _apply(plan, result, matches, timezone.now())
            enrolled = new_joiners_enrol(_new_joiners(plan, today))
            result.new_joiners_enrolled = len(enrolled)
            result.lines += [f"new joiner: {p.user.email} enrolled in {p.programme} (told once)" for p in enrolled]
            result.run = _record(result, started, trigger)
    if refusal:
        return _refuse(result, refusal, started, trigger)
    logger.info("Roster sync of %s: %s", path, result.in_words())
    return result


def _new_joiners(plan: _Plan, today: date) -> list[User]:
    """People who joined the organisation: the sync starts managing them and their hire
    date is recent (directory.onboarding). A first run meets everyone, so a new
    entry without a recent hire date is not a joiner."""
    return [row.user for row in plan.new_entries if not row.left and is_recent_hire(row.hired_on, today)]


def _count(plan: _Plan, result: SyncResult, matches: list[Match]) -> None:
    valid = [row for row in plan.rows if row.user is not None and not row.errors]
    result.created = len(plan.new_entries)
    result.updated = sum(bool(row.changes or row.hire_change) for row in valid)
    result.unchanged = sum(not (row.changes or row.hire_change) for row in valid)
    result.events = len(plan.events)
    result.left = len(plan.leavers)
    result.rejoined = len(plan.rejoining)
    result.matches_ended = len(matches)
    result.new_departments = list(plan.new_departments.values())


def _refuse(result: SyncResult, reason: str, started, trigger: str) -> SyncResult:
    result.outcome, result.refusal = SyncRun.Outcome.REFUSED, reason
    result.created = result.updated = result.unchanged = result.left = result.rejoined = 0
    result.matches_ended = result.no_account = result.events = 0
    result.new_departments = []
    logger.warning("Roster sync of %s refused: %s", result.path, reason)
    if not result.dry_run:
        result.run = _record(result, started, trigger)
    return result


def _record(result: SyncResult, started, trigger: str) -> SyncRun:
    problems = [f"Refused: {result.refusal}"] if result.refusal else []
    problems += [f"Header: {error}" for error in result.header_errors]
    problems += [f"Line {line}: {error}" for line, error in result.row_errors[:MAX_REPORTED_ROW_ERRORS]]
    if len(result.row_errors) > MAX_REPORTED_ROW_ERRORS:
        problems.append(f"… and {len(result.row_errors) - MAX_REPORTED_ROW_ERRORS:,} more row errors.")
    problems += [f"Warning: {warning}" for warning in result.warnings]
    return SyncRun.objects.create(
        started_at=started, finished_at=timezone.now(), path=result.path[:500], trigger=trigger,
        outcome=result.outcome, rows=result.rows, updated=result.updated, left=result.left,
        rejoined=result.rejoined, errors=result.rows_with_errors + len(result.header_errors),
        summary=result.summary(), problems=problems, report="\n".join([result.in_words(), *result.lines]),
    )  # fmt: skip

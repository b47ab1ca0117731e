"""The exports: programme figures, per-match progress and the meeting log, as CSV
or Excel, built from generators so memory stays flat however many rows there
are. CSV streams to the browser row by row; Excel is written by openpyxl's
write-only workbook to a temporary file on disk, which is then streamed. The
figures come as one sheet per table (Excel) or one CSV per table (a zip, or one
table per request); the per-pair lists show labels, not codes, and times in the
viewer's own time zone beside the same moment in UTC (ISO 8601).

What an export never holds: recap, goal-note, feedback or survey text, agendas,
or any other words a participant wrote; nor, in the per-pair exports, any rating
or anything drawn from consented attributes. Each column below is a count, a
date, a name, a status or a number. Every cell goes through reports.cells, so no
text is ever run as a formula."""

import csv
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from audit.models import AuditEvent
from audit.services import audit_record
from engagement.health import STATUS_LABELS
from matching.models import Match
from sessions_log.models import Goal, Meeting, MeetingFormat
from sessions_log.services import timezone_name_of, zone_of

from . import figures
from .cells import csv_value, xlsx_cell
from .disclosure import Cell
from .models import ExportAudit
from .objectives import objectives_report

CHUNK = 2000  # matches per batch of the per-match sheet: its queries are per batch, not per row


@dataclass
class Sheet:
    key: str  # the table's name: `?table=` and the file name in the zip of CSVs
    title: str
    header: list[str]
    rows: Iterable[list]
    counted: bool = True  # its rows count in the export log (a notes sheet's do not)
    widths: Sequence[int] = ()  # a streamed sheet's column widths (a list of rows is measured instead)


# The marker column beside each row of figures: which of its cells are hidden. One wording for
# both reasons (reports.disclosure: telling them apart would give the small ones away).
HIDDEN_COLUMN = "Hidden (fewer than 5, or protecting one)"
HIDDEN_NOTE = (
    "An empty figure is hidden: it rests on fewer than 5 people or pairs, or it is hidden so that one that does "
    "cannot be worked out from the totals and the other figures. An empty average may also mean there was "
    "nothing to average."
)


# -- the sheets -----------------------------------------------------------


def figure_sheets(user, report_filter: figures.ReportFilter) -> list[Sheet]:
    """A notes sheet, one sheet per breakdown and the end reasons: the same protected
    report as the reports page (a hidden figure is an empty cell, and the marker
    column beside it names it)."""
    report = figures.build_report(user, report_filter, attributes=True)
    has_reverse = figures.attribute_programmes(user).exists()
    notes = [
        [HIDDEN_NOTE],
        [f"The column \"{HIDDEN_COLUMN}\" names the empty figures of its row that are hidden."],
        ["Departments of fewer than 5 people are counted together as \"Other\"."],
        ["Each figure is defined in the sheet \"What the figures mean\"."],
    ]  # fmt: skip
    if has_reverse:
        cutoff = f"{report.attribute_cutoff:%-d %B %Y}"
        notes.append([f"Breakdowns by a consented attribute count only the people who answered it, in every reverse "
                      f"programme (or programme matching on attributes) you may see, up to {cutoff}, whatever the "
                      "filters. Their rows are the organisation's lists; \"Self-described\" counts every "
                      "self-description together (never its text); \"Prefer not to say\" is a row of its own. "
                      "By staff network, someone in two networks counts in each."])  # fmt: skip
    glossary = [[figure.label, figure.definition] for figure in figures.FIGURES.values()]
    glossary += [["The period", figures.GLOSSARY_INTRO[0]], ["Groups", figures.GLOSSARY_INTRO[1]]]
    sheets = [Sheet("notes", "Notes", ["Notes"], notes, counted=False),
              Sheet("definitions", "What the figures mean", ["Figure", "What it counts"], glossary,
                    counted=False)]  # fmt: skip
    for by, label in figures.breakdowns().items():
        if figures.is_attribute(by) and not has_reverse:
            continue
        table = report.tables[by]
        notes.extend([f"By {label.lower()}: {note}"] for note in figures.table_notes(table))
        header = [label, *(column_label for _key, column_label in table.columns), HIDDEN_COLUMN]
        rows = [[row.label, *(_figure(cell) for cell in cells), _hidden(zip(header[1:-1], cells, strict=True))]
                for row, cells in table.grid]  # fmt: skip
        sheets.append(Sheet(by, f"By {label.lower()}", header, rows))
    reasons = [[row.label, _figure(row.cells["n"]), _hidden([("Matches ended", row.cells["n"])])]
               for row in report.tables["reasons"].rows[:-1]]  # fmt: skip
    sheets.append(Sheet("end_reasons", "End reasons", ["Reason", "Matches ended", HIDDEN_COLUMN], reasons))
    sheets += objective_sheets(user, report_filter, attributes=has_reverse)
    notes.append(["The objectives' values are as of the end of the dates chosen (or today); \"Rests on\" is a band "
                  "(5-9, 10-19, 20-49, 50-99, 100 or more), never an exact count."])  # fmt: skip
    return name_sheets(sheets)


def objective_sheets(user, report_filter: figures.ReportFilter, *, attributes: bool) -> list[Sheet]:
    """The objectives (reports.objectives): each programme's, and the measures by department
    and by consented attribute; a hidden value is an empty cell, its band empty too."""
    report = objectives_report(user, report_filter, attributes=attributes)
    rows = [[row.programme, row.measure.label, row.question, row.target, _figure(row.value), row.rests_on,
             row.status, _hidden([("Value", row.value)])] for row in report.objectives]  # fmt: skip
    sheets = [Sheet("objectives", "Objectives", ["Programme", "Objective", "Question", "Target", "Value", "Rests on",
                                                 "Status", HIDDEN_COLUMN], rows)]  # fmt: skip
    for table in report.tables():
        header = [table.title]
        for measure in table.measures:
            header += [f"{measure.label} ({measure.unit or 'NPS'})", f"{measure.label}: rests on"]
        body = [[label, *(value for item in items for value in (_figure(item.cell), item.rests_on)),
                 _hidden((measure.label, item.cell) for measure, item in zip(table.measures, items, strict=True))]
                for label, items in table.rows]  # fmt: skip
        key = "measures_by_" + re.sub(r"[^a-z0-9]+", "_", table.title.lower()).strip("_")
        sheets.append(Sheet(key, f"Measures by {table.title.lower()}", [*header, HIDDEN_COLUMN], body))
    return sheets


def _figure(cell: Cell):
    """A figure as a spreadsheet value: empty when hidden (never text in a number column)."""
    return cell.value if cell.shown else None


def _hidden(labelled: Iterable[tuple[str, Cell]]) -> str | None:
    """The marker beside a row: the labels of its hidden figures, or nothing."""
    return ", ".join(label for label, cell in labelled if cell.hidden) or None


# Characters Excel refuses in a sheet's name, and its length limit.
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_TITLE_MAX = 31


def name_sheets(sheets: list[Sheet]) -> list[Sheet]:
    """Titles Excel accepts (no forbidden characters, at most 31 long, none twice
    whatever the case), and keys unique too: a long attribute heading is cut, and a
    cut that meets another gets a number."""
    titles, keys = set(), set()
    for sheet in sheets:
        base = SHEET_FORBIDDEN.sub(" ", sheet.title).strip(" '") or "Sheet"
        title, number = base[:SHEET_TITLE_MAX], 1
        while title.lower() in titles:
            number += 1
            suffix = f" ({number})"
            title = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
        titles.add(title.lower())
        key, number = sheet.key, 1
        while key in keys:
            number += 1
            key = f"{sheet.key}_{number}"
        keys.add(key)
        sheet.title, sheet.key = title, key
    return sheets


# No rating, no check-in and nothing from consented attributes: a row names a pair.
# Health here is judged from meetings, goals and actions only (figures.hr_health).
UTC_ISO = "(UTC, ISO 8601)"


def match_header(zone: tzinfo) -> list[str]:
    return [
        "Match", "Programme", "Cohort", "Mentor", "Mentee", "Status", f"Matched on ({zone})",
        f"Matched at {UTC_ISO}", f"Ended on ({zone})", f"Ended at {UTC_ISO}", "End reason", "Meetings held", "Hours",
        "Goals set", "Goals achieved", "Health",
    ]  # fmt: skip


MATCH_WIDTHS = [8, 28, 14, 24, 24, 8, 14, 22, 14, 22, 24, 10, 8, 10, 10, 16]


def viewer_zone(user) -> tzinfo:
    """The time zone of the person exporting (their profile's; UTC without one)."""
    return zone_of(timezone_name_of(user))


def _start_of(day: date | None) -> datetime | None:
    """Midnight starting `day` in the site's time zone (what `__date` compares in), as
    a bound the index on the time can use; None for a day at the edge of the calendar
    (year 1 or 9999), which bounds nothing."""
    try:
        return timezone.make_aware(datetime.combine(day, time.min)).astimezone(UTC) if day else None
    except OverflowError:
        return None


def _within(field: str, first: date | None, last: date | None) -> Q:
    """`field`'s day is in [first, last] (either may be missing)."""
    start = _start_of(first)
    end = _start_of(last + timedelta(days=1)) if last and last < date.max else None
    return Q(**{f"{field}__gte": start} if start else {}) & Q(**{f"{field}__lt": end} if end else {})


def _matches_in_scope(user, report_filter: figures.ReportFilter):
    """The pairs made by the end of the range and not ended before its start."""
    matches = Match.objects.filter(programme__in=figures.scoped_programmes(user, report_filter))
    matches = matches.filter(_within("created_at", None, report_filter.date_to))
    if report_filter.date_from:
        matches = matches.filter(Q(ended_at__isnull=True) | _within("ended_at", report_filter.date_from, None))
    return matches


def match_rows(user, report_filter: figures.ReportFilter, zone: tzinfo = UTC) -> Iterator[list]:
    """Per-match progress, CHUNK matches at a time (about a dozen queries a chunk)."""
    ids = _matches_in_scope(user, report_filter).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        yield from _match_chunk(chunk, report_filter, zone)


def _match_chunk(ids: list[int], report_filter: figures.ReportFilter, zone: tzinfo) -> Iterator[list]:
    matches = Match.objects.filter(pk__in=ids).select_related("programme", "mentor__user", "mentee__user")
    health = figures.hr_health(matches.filter(status=Match.Status.ACTIVE))
    meetings = Meeting.objects.filter(match_id__in=ids, status=Meeting.Status.HELD).filter(
        _within("starts_at", report_filter.date_from, report_filter.date_to)
    )
    held = {row["match_id"]: row for row in meetings.values("match_id").annotate(n=Count("pk"), minutes=Sum("minutes"))}
    goals = {
        row["match_id"]: row
        for row in Goal.objects.filter(match_id__in=ids).exclude(status=Goal.Status.DROPPED).values("match_id")
        .annotate(n=Count("pk"), achieved=Count("pk", filter=Q(status=Goal.Status.ACHIEVED)))
    }  # fmt: skip
    for match in matches.order_by("pk"):
        meeting, goal = held.get(match.pk, {}), goals.get(match.pk, {})
        state = health.get(match.pk)
        yield [
            match.pk, match.programme.name, match.programme.cohort, match.mentor.user.full_name,
            match.mentee.user.full_name, match.get_status_display(), _local_day(match.created_at, zone),
            _utc_iso(match.created_at), _local_day(match.ended_at, zone), _utc_iso(match.ended_at),
            match.get_end_reason_display() or None, meeting.get("n", 0), round((meeting.get("minutes") or 0) / 60, 2),
            goal.get("n", 0), goal.get("achieved", 0), state.label if state else STATUS_LABELS["ended"],
        ]  # fmt: skip


def meeting_header(zone: tzinfo) -> list[str]:
    return ["Meeting", "Programme", "Match", "Mentor", "Mentee", f"Start ({zone})", f"Start {UTC_ISO}", "Minutes",
            "Status", "Format", "Kind"]  # fmt: skip


MEETING_WIDTHS = [10, 30, 8, 24, 24, 18, 22, 8, 12, 12, 16]
MEETING_STATUS = dict(Meeting.Status.choices)
MEETING_FORMAT = dict(MeetingFormat.choices)
PAIR_MEETING, ONE_OFF_SESSION = "Pair meeting", "One-off session"


def meeting_rows(user, report_filter: figures.ReportFilter, zone: tzinfo = UTC) -> Iterator[list]:
    """Every meeting in scope and range (no agenda, no recap, no purpose): one query,
    read from a server-side cursor in chunks. A one-off session has no match: its
    kind says so. The range is of days in the site's time zone, like the figures'."""
    meetings = Meeting.objects.filter(programme__in=figures.scoped_programmes(user, report_filter)).filter(
        _within("starts_at", report_filter.date_from, report_filter.date_to)
    )
    rows = meetings.order_by("starts_at", "pk").values_list(
        "pk", "programme__name", "programme__cohort", "match_id", "mentor__user__full_name",
        "mentee__user__full_name", "starts_at", "minutes", "status", "format",
    )  # fmt: skip
    for pk, name, cohort, match_id, mentor, mentee, starts_at, minutes, status, meeting_format in rows.iterator(
        chunk_size=5000
    ):
        yield [pk, figures.programme_label(name, cohort), match_id, mentor, mentee, _local(starts_at, zone),
               _utc_iso(starts_at), minutes, MEETING_STATUS[status], MEETING_FORMAT.get(meeting_format, meeting_format),
               PAIR_MEETING if match_id else ONE_OFF_SESSION]  # fmt: skip


def _local(moment: datetime, zone: tzinfo) -> datetime:
    """The wall-clock time in `zone`, without its offset: spreadsheets hold no zones
    (the column's heading names it)."""
    return moment.astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)


def _local_day(moment: datetime | None, zone: tzinfo):
    return moment.astimezone(zone).date() if moment else None


def _utc_iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


class UnknownTable(ValueError):
    """`?table=` names no table of the export; the message lists those it has."""


def table_of(sheets: list[Sheet], key: str) -> Sheet:
    for sheet in sheets:
        if sheet.key == key:
            return sheet
    choices = ", ".join(sheet.key for sheet in sheets)
    raise UnknownTable(f'This export has no table called "{key[:40]}". Its tables are: {choices}.')


# -- writing -----------------------------------------------------------------


class _Line:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(sheet: Sheet, counter: list[int]) -> Iterator[str]:
    """One sheet as CSV, row by row. `counter[0]` counts the data rows written."""
    writer = csv.writer(_Line())
    yield "\ufeff"  # a byte-order mark, so Excel opens the file as UTF-8
    yield writer.writerow([csv_value(value) for value in sheet.header])
    for row in sheet.rows:
        counter[0] += sheet.counted
        yield writer.writerow([csv_value(value) for value in row])


def csv_zip(sheets: list[Sheet], counter: list[int]) -> bytes:
    """The figures as a zip: one CSV per table, and README.txt (the notes, and which
    file holds what). Small: the figures are tables of groups, never of people."""
    notes = next(sheet for sheet in sheets if sheet.key == "notes")
    tables = [sheet for sheet in sheets if sheet is not notes]
    readme = ["Programme figures, one table per file.", "",
              *(f"{sheet.key}.csv: {sheet.title}" for sheet in tables), "",
              *(row[0] for row in notes.rows)]  # fmt: skip
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", "\r\n".join(readme) + "\r\n")
        for sheet in tables:
            archive.writestr(f"{sheet.key}.csv", "".join(csv_lines(sheet, counter)))
    return output.getvalue()


HEADER_FONT = Font(bold=True)
WIDEST = 60  # characters: a longer text wraps in the reader's eye, not across the screen


def _widths(sheet: Sheet) -> list[int]:
    """The streamed sheet's own widths, or those its header and rows need."""
    if sheet.widths:
        return [max(width, len(label) + 2) for width, label in zip(sheet.widths, sheet.header, strict=True)]
    widths = [len(str(label)) + 2 for label in sheet.header]
    for row in sheet.rows:
        for position, value in enumerate(row):
            if value is not None:
                widths[position] = max(widths[position], len(str(value)) + 2)
    return [min(width, WIDEST) for width in widths]


def xlsx_file(sheets: list[Sheet], counter: list[int]):
    """The sheets as an Excel workbook in a temporary file (deleted when closed),
    written row by row: openpyxl's write-only mode keeps no rows in memory. Each
    sheet has a bold, frozen header row, fitted widths and a filter over its table."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title)
        # A write-only sheet writes its panes and columns before the first row.
        worksheet.freeze_panes = "A2"
        for position, width in enumerate(_widths(sheet), start=1):
            worksheet.column_dimensions[get_column_letter(position)].width = width
        worksheet.append([_header_cell(worksheet, label) for label in sheet.header])
        rows = 0
        for row in sheet.rows:
            rows += 1
            counter[0] += sheet.counted
            worksheet.append([xlsx_cell(worksheet, value) for value in row])
        # ... and its filter after the last one, when the table's extent is known.
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(sheet.header))}{rows + 1}"
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (returned open; FileResponse closes it)
    workbook.save(output)
    output.seek(0)
    return output


def _header_cell(worksheet, label: str) -> WriteOnlyCell:
    cell = xlsx_cell(worksheet, label)
    cell.font = HEADER_FONT
    return cell


# -- the audit log -----------------------------------------------------------


@transaction.atomic
def audit_start(*, user, kind: str, file_format: str, report_filter: figures.ReportFilter, request=None,
                token=None) -> ExportAudit:  # fmt: skip
    """The export log row (rows filled in when the file ends) and the security audit event
    (which names the API token's prefix when the export came through the API)."""
    audit = ExportAudit.objects.create(user=user, kind=kind, file_format=file_format, filters=report_filter.as_dict())
    audit_record(
        action=AuditEvent.Action.EXPORT, actor=user, target=audit,
        summary=f"{audit.get_kind_display()} exported ({file_format}{', through the API' if token else ''})",
        detail=audit.filters | ({"token": token.prefix} if token else {}), request=request,
    )  # fmt: skip
    return audit


def audit_finish(audit: ExportAudit, rows: int) -> None:
    with transaction.atomic():
        ExportAudit.objects.filter(pk=audit.pk).update(rows=rows, finished_at=timezone.now())


def matches_sheets(user, report_filter: figures.ReportFilter) -> list[Sheet]:
    zone = viewer_zone(user)
    return [Sheet("matches", "Matches", match_header(zone), match_rows(user, report_filter, zone),
                  widths=MATCH_WIDTHS)]  # fmt: skip


def meetings_sheets(user, report_filter: figures.ReportFilter) -> list[Sheet]:
    zone = viewer_zone(user)
    return [Sheet("meetings", "Meetings", meeting_header(zone), meeting_rows(user, report_filter, zone),
                  widths=MEETING_WIDTHS)]  # fmt: skip


SHEETS = {
    ExportAudit.Kind.FIGURES: figure_sheets,
    ExportAudit.Kind.MATCHES: matches_sheets,
    ExportAudit.Kind.MEETINGS: meetings_sheets,
}

"""The exports: programme figures, per-match progress and the meeting log, as CSV
or Excel, built from generators so memory stays flat however many rows there
are. CSV streams to the browser row by row; Excel is written by openpyxl's
write-only workbook to a temporary file on disk, which is then streamed.

What an export never holds: recap, goal-note, feedback or survey text, agendas,
or any other words a participant wrote; nor, in the per-pair exports, any rating
or anything drawn from consented attributes. Each column below is a count, a
date, a name, a status or a number. Every cell goes through reports.cells, so no
text is ever run as a formula."""

import csv
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from openpyxl import Workbook

from audit.models import AuditEvent
from audit.services import audit_record
from engagement.health import STATUS_LABELS
from matching.models import Match
from sessions_log.models import Goal, Meeting

from . import figures
from .cells import csv_value, xlsx_cell
from .models import ExportAudit
from .objectives import objectives_report

CHUNK = 2000  # matches per batch of the per-match sheet: its queries are per batch, not per row


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: Iterable[list]
    counted: bool = True  # its rows count in the export log (a notes sheet's do not)


HIDDEN_NOTE = (
    "An empty figure is hidden: it rests on fewer than 5 people or pairs, or it is hidden so that one that does "
    "cannot be worked out from the totals and the other figures. An empty average may also mean there was "
    "nothing to average."
)


# -- the sheets -----------------------------------------------------------


def figure_sheets(user, report_filter: figures.ReportFilter) -> list[Sheet]:
    """A notes sheet, one sheet per breakdown and the end reasons: the same protected
    report as the reports page (a hidden figure is an empty cell)."""
    report = figures.build_report(user, report_filter, attributes=True)
    has_reverse = figures.attribute_programmes(user).exists()
    notes = [
        [HIDDEN_NOTE],
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
    sheets = [Sheet("Notes", ["Notes"], notes, counted=False),
              Sheet("What the figures mean", ["Figure", "What it counts"], glossary, counted=False)]  # fmt: skip
    for by, label in figures.breakdowns().items():
        if figures.is_attribute(by) and not has_reverse:
            continue
        table = report.tables[by]
        notes.extend([f"By {label.lower()}: {note}"] for note in figures.table_notes(table))
        header = [label, *(column_label for _key, column_label in table.columns)]
        rows = [[row.label, *(_figure(cell) for cell in cells)] for row, cells in table.grid]
        sheets.append(Sheet(f"By {label.lower()}"[:31], header, rows))
    reasons = report.tables["reasons"].rows[:-1]
    sheets.append(Sheet("End reasons", ["Reason", "Matches ended"], [[row.label, _figure(row.cells["n"])]
                                                                    for row in reasons]))  # fmt: skip
    sheets += objective_sheets(user, report_filter, attributes=has_reverse)
    notes.append(["The objectives' values are as of the end of the dates chosen (or today); \"Rests on\" is a band "
                  "(5-9, 10-19, 20-49, 50-99, 100 or more), never an exact count."])  # fmt: skip
    return sheets


def objective_sheets(user, report_filter: figures.ReportFilter, *, attributes: bool) -> list[Sheet]:
    """The objectives (reports.objectives): each programme's, and the measures by department
    and by consented attribute; a hidden value is an empty cell, its band empty too."""
    report = objectives_report(user, report_filter, attributes=attributes)
    rows = [[row.programme, row.measure.label, row.question, row.target, _figure(row.value), row.rests_on,
             row.status] for row in report.objectives]  # fmt: skip
    sheets = [Sheet("Objectives", ["Programme", "Objective", "Question", "Target", "Value", "Rests on", "Status"],
                    rows)]  # fmt: skip
    for table in report.tables():
        header = [table.title]
        for measure in table.measures:
            header += [f"{measure.label} ({measure.unit or 'NPS'})", f"{measure.label}: rests on"]
        body = [[label, *(value for item in items for value in (_figure(item.cell), item.rests_on))]
                for label, items in table.rows]  # fmt: skip
        sheets.append(Sheet(f"Measures by {table.title.lower()}"[:31], header, body))
    return sheets


def _figure(cell):
    """A figure as a spreadsheet value: empty when hidden (never text in a number column)."""
    return cell.value if cell.shown else None


# No rating, no check-in and nothing from consented attributes: a row names a pair.
# Health here is judged from meetings, goals and actions only (figures.hr_health).
MATCH_HEADER = [
    "Match", "Programme", "Cohort", "Mentor", "Mentee", "Matched on", "Ended on", "End reason", "Meetings held",
    "Hours", "Goals set", "Goals achieved", "Health",
]  # fmt: skip


def _matches_in_scope(user, report_filter: figures.ReportFilter):
    matches = Match.objects.filter(programme__in=figures.scoped_programmes(user, report_filter))
    if report_filter.date_to:
        matches = matches.filter(created_at__date__lte=report_filter.date_to)
    if report_filter.date_from:
        matches = matches.filter(Q(ended_at__isnull=True) | Q(ended_at__date__gte=report_filter.date_from))
    return matches


def match_rows(user, report_filter: figures.ReportFilter) -> Iterator[list]:
    """Per-match progress, CHUNK matches at a time (about a dozen queries a chunk)."""
    ids = _matches_in_scope(user, report_filter).order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        yield from _match_chunk(chunk, report_filter)


def _match_chunk(ids: list[int], report_filter: figures.ReportFilter) -> Iterator[list]:
    matches = Match.objects.filter(pk__in=ids).select_related("programme", "mentor__user", "mentee__user")
    health = figures.hr_health(matches.filter(status=Match.Status.ACTIVE))
    meetings = Meeting.objects.filter(match_id__in=ids, status=Meeting.Status.HELD)
    if report_filter.date_from:
        meetings = meetings.filter(starts_at__date__gte=report_filter.date_from)
    if report_filter.date_to:
        meetings = meetings.filter(starts_at__date__lte=report_filter.date_to)
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
            match.mentee.user.full_name, _day(match.created_at), _day(match.ended_at), match.get_end_reason_display(),
            meeting.get("n", 0), round((meeting.get("minutes") or 0) / 60, 2), goal.get("n", 0),
            goal.get("achieved", 0), state.label if state else STATUS_LABELS["ended"],
        ]  # fmt: skip


MEETING_HEADER = [
    "Meeting",
    "Programme",
    "Match",
    "Mentor",
    "Mentee",
    "Date",
    "Start (UTC)",
    "Minutes",
    "Status",
    "Format",
    "Kind",
]
MEETING_STATUS = dict(Meeting.Status.choices)
PAIR_MEETING, ONE_OFF_SESSION = "Pair meeting", "One-off session"


def meeting_rows(user, report_filter: figures.ReportFilter) -> Iterator[list]:
    """Every meeting in scope and range (no agenda, no recap, no purpose): one query,
    read from a server-side cursor in chunks. A one-off session has no match: its
    kind says so."""
    meetings = Meeting.objects.filter(programme__in=figures.scoped_programmes(user, report_filter))
    if report_filter.date_from:
        meetings = meetings.filter(starts_at__date__gte=report_filter.date_from)
    if report_filter.date_to:
        meetings = meetings.filter(starts_at__date__lte=report_filter.date_to)
    rows = meetings.order_by("starts_at", "pk").values_list(
        "pk", "programme__name", "programme__cohort", "match_id", "mentor__user__full_name",
        "mentee__user__full_name", "starts_at", "minutes", "status", "format",
    )  # fmt: skip
    for pk, name, cohort, match_id, mentor, mentee, starts_at, minutes, status, meeting_format in rows.iterator(
        chunk_size=5000
    ):
        utc = starts_at.astimezone(UTC)
        yield [pk, figures.programme_label(name, cohort), match_id, mentor, mentee, utc.date(), utc.strftime("%H:%M"),
               minutes, MEETING_STATUS[status], meeting_format,
               PAIR_MEETING if match_id else ONE_OFF_SESSION]  # fmt: skip


def _day(moment: datetime | None):
    return timezone.localdate(moment) if moment else None


# -- writing -----------------------------------------------------------------


class _Line:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(sheets: list[Sheet], counter: list[int]) -> Iterator[str]:
    """The sheets as one CSV: a sheet's title line before its header when there are
    several. `counter[0]` counts the data rows written."""
    writer = csv.writer(_Line())
    yield "\ufeff"  # a byte-order mark, so Excel opens the file as UTF-8
    for sheet in sheets:
        if len(sheets) > 1:
            yield writer.writerow([csv_value(sheet.title)])
        yield writer.writerow([csv_value(value) for value in sheet.header])
        for row in sheet.rows:
            counter[0] += sheet.counted
            yield writer.writerow([csv_value(value) for value in row])
        if len(sheets) > 1:
            yield writer.writerow([])


def xlsx_file(sheets: list[Sheet], counter: list[int]):
    """The sheets as an Excel workbook in a temporary file (deleted when closed),
    written row by row: openpyxl's write-only mode keeps no rows in memory."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        worksheet.append([xlsx_cell(worksheet, value) for value in sheet.header])
        for row in sheet.rows:
            counter[0] += sheet.counted
            worksheet.append([xlsx_cell(worksheet, value) for value in row])
    output = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (returned open; FileResponse closes it)
    workbook.save(output)
    output.seek(0)
    return output


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


SHEETS = {
    ExportAudit.Kind.FIGURES: figure_sheets,
    ExportAudit.Kind.MATCHES: lambda user, f: [Sheet("Matches", MATCH_HEADER, match_rows(user, f))],
    ExportAudit.Kind.MEETINGS: lambda user, f: [Sheet("Meetings", MEETING_HEADER, meeting_rows(user, f))],
}

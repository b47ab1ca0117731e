"""Exports, the export log and the monthly report subscription. Every export
is recorded (who, when, which filters) before it streams, and its row count
when it ends. Bad input (filters, a table the export has not) gets a page
saying what is wrong, with status 400, and is not logged."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from mentoring.db_routers import reads_from_reports_database

from . import exports
from .forms import report_filter_from
from .models import ExportAudit, ReportSubscription
from .permissions import require_reports_access

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
ZIP = "application/zip"


@login_required
@require_GET
@reads_from_reports_database
def export(request: HttpRequest, kind: str, file_format: str) -> HttpResponse:
    require_reports_access(request.user)
    if kind not in exports.SHEETS or file_format not in CONTENT_TYPES:
        raise Http404("No such export.")
    report_filter, errors = report_filter_from(request.user, request.GET)
    if errors:
        return _refused(request, errors)
    try:
        return export_response(request, user=request.user, kind=kind, file_format=file_format,
                               report_filter=report_filter, table=request.GET.get("table", ""))  # fmt: skip
    except exports.UnknownTable as error:
        return _refused(request, [str(error)])


def _refused(request: HttpRequest, errors: list[str]) -> HttpResponse:
    query = request.GET.copy()
    query.pop("table", None)
    return render(request, "reports/export_refused.html", {"errors": errors, "query": query.urlencode()}, status=400)


def export_response(request, *, user, kind: str, file_format: str, report_filter, token=None,
                    table: str = "") -> HttpResponse:  # fmt: skip
    """The export as a download, recorded before it streams: the browser's export
    and the API's (`token`: the API token it came through, named in the log) alike.
    `table` narrows it to one of its tables (exports.UnknownTable if it has none
    of that name); the figures as CSV without one are a zip of one CSV per table."""
    sheets = exports.SHEETS[kind](user, report_filter)
    if table:
        sheets = [exports.table_of(sheets, table)]
    audit = exports.audit_start(
        user=user, kind=kind, file_format=file_format, report_filter=report_filter, request=request, token=token
    )
    filename = f"mentoring-{kind}{'-' + sheets[0].key if table else ''}-{timezone.localdate():%Y-%m-%d}"
    counter = [0]
    if file_format == "csv" and len(sheets) > 1:
        content = exports.csv_zip(sheets, counter)
        exports.audit_finish(audit, counter[0])
        response = HttpResponse(content, content_type=ZIP)
        response["Content-Disposition"] = f'attachment; filename="{filename}.zip"'
        return response
    if file_format == "csv":
        lines = exports.csv_lines(sheets[0], counter)
        response = StreamingHttpResponse(_audited(lines, audit, counter), content_type=CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    output = exports.xlsx_file(sheets, counter)
    exports.audit_finish(audit, counter[0])
    return FileResponse(output, as_attachment=True, filename=f"{filename}.xlsx", content_type=CONTENT_TYPES["xlsx"])


def _audited(lines, audit: ExportAudit, counter: list[int]):
    """Pass the lines on; record the row count once the last one is out (an export
    broken off midway keeps an empty count, which the log shows)."""
    yield from lines
    exports.audit_finish(audit, counter[0])


@login_required
def export_log(request: HttpRequest) -> HttpResponse:
    if not request.user.is_staff:
        raise Http404("No such page.")
    page = Paginator(ExportAudit.objects.select_related("user"), 50).get_page(request.GET.get("page"))
    return render(request, "reports/export_log.html", {"page": page})


@login_required
@require_POST
def subscription(request: HttpRequest) -> HttpResponse:
    """Turn the monthly report by email on or off for oneself."""
    require_reports_access(request.user)
    if request.POST.get("subscribe") == "1":
        ReportSubscription.objects.get_or_create(user=request.user)
        messages.success(request, "You will receive the report by email on the first of each month.")
    else:
        ReportSubscription.objects.filter(user=request.user).delete()
        messages.success(request, "You will no longer receive the monthly report.")
    return redirect("reports:dashboard")

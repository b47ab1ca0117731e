"""HR's reports page: headline figures, a breakdown table, end reasons and four
charts, for the programmes and dates chosen. Participants and coordinators who
are not HR get 404 (reports.permissions)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import figures
from .charts import Chart
from .forms import ReportFilterForm
from .permissions import require_reports_access

HEADLINE = ["people", "active", "stalled", "meetings_held", "hours", "goals_achieved"]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_reports_access(request.user)
    form = ReportFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if request.GET else True
    report_filter = form.report_filter() if request.GET and valid else figures.ReportFilter()
    by = form.breakdown() if request.GET and valid else "programme"
    health = figures.health_today(request.user, report_filter)  # once for the table and the charts
    rows = figures.figure_rows(request.user, report_filter, by=by, health=health)
    # The month breakdown is the charts' own: computed once when it is also the table.
    series = figures.chart_series(
        request.user, report_filter, health=health, month_rows=rows if by == "month" else None
    )
    total = rows[-1]
    labels = dict(figures.COLUMNS)
    return render(request, "reports/dashboard.html", {
        "form": form, "valid": valid, "by_label": figures.BREAKDOWNS[by], "columns": figures.COLUMNS, "rows": rows,
        "headline": [(labels[key], total.values.get(key)) for key in HEADLINE], "total": total,
        "suppressed_text": figures.SUPPRESSED_TEXT, "end_reasons": figures.end_reasons(request.user, report_filter),
        "charts": [
            Chart("participation", "People enrolled, by month (running total)", series["participation"], "line"),
            Chart("meetings", "Meetings held per month", series["meetings"]),
            Chart("health", "Active matches by health today", series["health"]),
            Chart("goals", "Goals by outcome", series["goals"]),
        ],
    })  # fmt: skip

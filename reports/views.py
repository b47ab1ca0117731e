"""HR's reports page: headline figures, a breakdown table, end reasons and four
charts, for the programmes and dates chosen. Participants and coordinators who
are not HR get 404 (reports.permissions). Every figure comes from one protected
report (reports.figures.build_report), the same the exports and the mail use."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import figures
from .charts import Chart
from .forms import ReportFilterForm
from .objectives import objectives_report
from .permissions import require_reports_access

HEADLINE = [
    "people",
    "active",
    "stalled",
    "meetings_held",
    "hours",
    "oneoff_sessions",
    "oneoff_hours",
    "goals_achieved",
]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    require_reports_access(request.user)
    form = ReportFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if request.GET else True
    report_filter = form.report_filter() if request.GET and valid else figures.ReportFilter()
    by = form.breakdown() if request.GET and valid else "programme"
    report = figures.build_report(request.user, report_filter, attributes=by in figures.ATTRIBUTES)
    table = report.tables[by]
    series = figures.chart_series(report)
    headline = report.headline
    return render(request, "reports/dashboard.html", {
        "form": form, "valid": valid, "by": by, "by_label": figures.BREAKDOWNS[by], "table": table,
        "table_notes": figures.table_notes(table),
        "headline": [(key, figures.FIGURES[key].label, headline[key]) for key in HEADLINE],
        "attribute_cutoff": report.attribute_cutoff if by in figures.ATTRIBUTES else None,
        "hidden_text": figures.HIDDEN_TEXT,
        "end_reasons": report.tables["reasons"].rows[:-1],
        "charts": [
            Chart("participation", figures.FIGURES["participation"].label, series["participation"], "line"),
            Chart("meetings", figures.FIGURES["meetings_per_month"].label, series["meetings"],
                  glossary_key="meetings_per_month"),
            Chart("health", figures.FIGURES["health"].label, series["health"]),
            Chart("goals", figures.FIGURES["goals_by_outcome"].label, series["goals"], glossary_key="goals_by_outcome"),
        ],
        "glossary": figures.FIGURES, "glossary_intro": figures.GLOSSARY_INTRO,
        "objectives": objectives_report(request.user, report_filter, attributes=by in figures.ATTRIBUTES),
    })  # fmt: skip

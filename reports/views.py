"""HR's reports page: headline figures, a breakdown table, end reasons and four
charts, for the programmes and dates chosen. Participants and coordinators who
are not HR get 404 (reports.permissions). Every figure comes from one protected
report (reports.figures.build_report), the same the exports and the mail use."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from mentoring.db_routers import reads_from_reports_database

from . import figures
from .charts import Chart
from .forms import ReportFilterForm
from .network_figures import COLUMNS as NETWORK_COLUMNS
from .network_figures import DEFINITIONS as NETWORK_DEFINITIONS
from .network_figures import network_figures as build_network_figures
from .objectives import objectives_report
from .permissions import network_for_figures, programmes_for_network_figures, require_reports_access
from .rollups import freshness

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
@reads_from_reports_database
def dashboard(request: HttpRequest) -> HttpResponse:
    require_reports_access(request.user)
    form = ReportFilterForm(request.GET or None, user=request.user)
    valid = form.is_valid() if request.GET else True
    report_filter = form.report_filter() if request.GET and valid else figures.ReportFilter()
    by = form.breakdown() if request.GET and valid else "programme"
    attribute = figures.is_attribute(by)
    report = figures.build_report(request.user, report_filter, attributes=attribute)
    table = report.tables[by]
    series = figures.chart_series(report)
    headline = report.headline
    return render(request, "reports/dashboard.html", {
        "form": form, "valid": valid, "by": by, "by_label": table.title, "table": table,
        "table_notes": figures.table_notes(table),
        "headline": [(key, figures.FIGURES[key].label, headline[key]) for key in HEADLINE],
        "attribute_cutoff": report.attribute_cutoff if attribute else None,
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
        "objectives": objectives_report(request.user, report_filter, attributes=attribute),
        "freshness": freshness(),
    })  # fmt: skip


@login_required
@reads_from_reports_database
def network_figures(request: HttpRequest, network_pk: int) -> HttpResponse:
    """A staff network's participation, k >= 5 in every cell, for its leads, HR and staff."""
    network = network_for_figures(request.user, network_pk)
    found = build_network_figures(network, programmes_for_network_figures(request.user))
    return render(request, "reports/network_figures.html", {
        "network": network, "cutoff": found.cutoff, "table": found.table, "hidden_text": figures.HIDDEN_TEXT,
        "as_of": timezone.now(),
        "definitions": [(label, NETWORK_DEFINITIONS[key]) for key, label in NETWORK_COLUMNS],
    })  # fmt: skip

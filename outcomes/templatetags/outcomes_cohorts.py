"""The programme page's cohorts panel (templates/outcomes/_cohorts_panel.html):
`{% cohort_panel programme as panel %}` measures the cohort before the
programme and its line once (outcomes.cohorts.cohort_panel)."""

from django import template

from outcomes.cohorts import CohortPanel
from outcomes.cohorts import cohort_panel as panel_of
from programmes.models import Programme

register = template.Library()


@register.simple_tag
def cohort_panel(programme: Programme) -> CohortPanel:
    return panel_of(programme)


@register.filter
def measure_format(value, measure) -> str:
    """A figure in its measure's words ("72%", "+0.8 points", "4.1/5", "+35")."""
    return measure.format(None if value is None else float(value))


@register.filter
def point_text(series, point) -> str:
    return series.shown(point)

"""`{% objective_results programme as results %}`: a programme's objectives with
their figures, for the include templates that show them on pages whose views
belong to other apps (the programme's page, the health dashboard)."""

from django import template

from outcomes.measures import objective_results as results_of

register = template.Library()


@register.simple_tag
def objective_results(programme):
    return results_of(programme)


@register.filter
def measure_format(measure, value) -> str:
    """A value (a target, say) as the measure shows it: `{{ objective.definition|measure_format:objective.target }}`."""
    return measure.format(float(value)) if value is not None else measure.format(None)


@register.filter
def lookup(mapping: dict, key):
    """`{{ errors|lookup:objective.pk }}`: the value under `key`, or "" when none."""
    return mapping.get(key, "") if mapping else ""


@register.filter
def measure_range(measure) -> str:
    """The values a measure (and so a target) can take, in words: "0 to 100%", "1 to 5", "-4 to +4 points"."""
    low, high = f"{measure.low.normalize():f}", f"{measure.high.normalize():f}"
    if measure.unit == "%":
        return f"{low} to {high}%"
    if measure.unit == "points":
        return f"{low} to +{high} points"
    return f"{low} to {high}"

"""{% sponsors_line programme %}: "Co-sponsored by the X and Y networks", public on a programme's page."""

from django import template

from networks.selectors import sponsors_of

register = template.Library()


@register.inclusion_tag("networks/_sponsors_line.html")
def sponsors_line(programme, manage: bool = False) -> dict:
    return {"sponsors": sponsors_of(programme), "programme": programme, "manage": manage}

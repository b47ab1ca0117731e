"""{{ offer|helper_record }}: a helper's stored record in the same words on every page."""

from django import template

from dropin.record import record_lines

register = template.Library()


@register.filter
def helper_record(offer) -> str:
    return " · ".join(record_lines(offer))

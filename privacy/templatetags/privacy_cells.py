"""How a value of the data page is shown: the same values as the download, in words."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def label(key: str) -> str:
    words = str(key).replace("_", " ")
    return words[:1].upper() + words[1:]


@register.filter
def cell(value, zone: str = "UTC") -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return formats.date_format(value.astimezone(ZoneInfo(zone)), "j M Y, H:i")
    if isinstance(value, date):
        return formats.date_format(value, "j M Y")
    if isinstance(value, dict):
        return "; ".join(f"{label(key)}: {cell(item, zone)}" for key, item in value.items())
    if isinstance(value, list):
        if all(isinstance(item, dict) for item in value):
            return " · ".join(cell(item, zone) for item in value)
        return ", ".join(cell(item, zone) for item in value)
    return str(value)

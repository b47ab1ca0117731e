"""The reports app's notice: the monthly report (registered in monthly.py)."""

from . import monthly  # noqa: F401

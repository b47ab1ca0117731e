"""Browser date and time pickers. An <input type="date"> only understands ISO
dates (2026-12-13); Django would otherwise render the locale's format (13/12/2026
in en-gb), which the browser shows as empty, so a saved date seemed to vanish."""

from django import forms


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")

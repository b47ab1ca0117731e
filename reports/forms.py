from django import forms

from mentoring.widgets import DateInput

from .figures import ReportFilter, breakdowns, programme_label
from .permissions import programmes_for_reports


class ReportFilterForm(forms.Form):
    """The reports' filters, read from the query string (the page and its exports
    share them)."""

    programme = forms.ModelMultipleChoiceField(
        label="Programmes", queryset=None, required=False, help_text="None chosen: every programme you may see.",
    )  # fmt: skip
    date_from = forms.DateField(label="From", required=False, widget=DateInput())
    date_to = forms.DateField(label="To", required=False, widget=DateInput())
    by = forms.ChoiceField(
        label="Break down by", required=False,
        error_messages={"invalid_choice": "There is no breakdown called %(value)s: choose one from the list."},
    )  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The fixed breakdowns, then one per active attribute (the organisation's lists) and staff network.
        self.fields["by"].choices = list(breakdowns().items())
        self.fields["programme"].queryset = programmes_for_reports(user).order_by("name", "cohort")
        self.fields["programme"].label_from_instance = lambda programme: programme_label(
            programme.name, programme.cohort
        )
        self.fields["programme"].error_messages["invalid_choice"] = (
            "One of the chosen programmes is not one you may report on."
        )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        return ReportFilter(
            programme_ids=tuple(sorted(p.pk for p in data.get("programme") or [])),
            date_from=data.get("date_from"), date_to=data.get("date_to"),
        )  # fmt: skip

    def breakdown(self) -> str:
        return self.cleaned_data.get("by") or "programme"


def report_filter_from(user, data) -> tuple[ReportFilter, list[str]]:
    """The filter in `data`, or the sentences saying what is wrong with it."""
    form = ReportFilterForm(data, user=user)
    if not form.is_valid():
        return ReportFilter(), [str(message) for messages in form.errors.values() for message in messages]
    return form.report_filter(), []

from django import forms

from .models import AuditEvent


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Every action"), *AuditEvent.Action.choices], required=False)
    actor = forms.CharField(required=False, max_length=254, label="Person (email)")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data

from datetime import timedelta

from django import forms
from django.utils import timezone

from matching.models import Match
from mentoring.widgets import DateInput
from people.validators import VisibleTextFormMixin

from .escalation import MAX_EXTENSION_DAYS


class MessageForm(VisibleTextFormMixin, forms.Form):
    message = forms.CharField(
        label="Message to both people", max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Sent by email to the mentor and the mentee, from you; they can reply to you directly.",
    )  # fmt: skip


class ExtendForm(VisibleTextFormMixin, forms.Form):
    until = forms.DateField(
        label="Give them until", widget=DateInput(),
        help_text=f"The ladder waits until this day (at most {MAX_EXTENSION_DAYS} days).",
    )  # fmt: skip
    note = forms.CharField(label="Why (for the record)", max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = timezone.localdate() + timedelta(days=21)


class EndForm(VisibleTextFormMixin, forms.Form):
    reason = forms.ChoiceField(label="Reason", choices=Match.EndReason.choices)
    note = forms.CharField(
        label="Note (for the record)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rematch = forms.BooleanField(label="Find the mentee a new mentor", required=False, initial=True)

"""The pair agreement's forms: proposing (or revising) a version, and signing one.
They say the programme's bounds; the services check them again and write."""

from django import forms

from matching.models import Match
from mentoring.widgets import DateInput
from people.validators import VisibleTextFormMixin

from .agreements import minutes_bounds, rhythm_bounds
from .models import MeetingFormat


def _text(label: str, max_length: int, missing: str, rows: int = 2) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"required": missing},
    )  # fmt: skip


class AgreementForm(VisibleTextFormMixin, forms.Form):
    mentee_wants = _text("What the mentee wants from the pairing", 1000, "Say what the mentee wants from the pairing.")
    mentor_wants = _text("What the mentor wants from the pairing", 1000, "Say what the mentor wants from the pairing.")
    every_days = forms.IntegerField(label="Meet every (days)", error_messages={"required": "Say how often you meet."})
    minutes = forms.IntegerField(label="For about (minutes)", error_messages={"required": "Say how long you meet."})
    format = forms.ChoiceField(label="How you meet", choices=MeetingFormat.choices)
    location = forms.CharField(label="Place or video link", max_length=300, required=False)
    ground_rules = _text("Ground rules", 2000, "Write your ground rules.", rows=3)
    shared_with_coordinator = _text(
        "What may be shared with the coordinator", 1000, "Say what may be shared with the coordinator."
    )
    if_not_working = _text(
        "How either of you says it is not working", 1000, "Say how either of you says it is not working."
    )
    review_on = forms.DateField(
        label="Review it on", widget=DateInput(), error_messages={"required": "Choose a review date after today."}
    )
    shares_text = forms.BooleanField(
        label="The coordinators may read this agreement", required=False,
        help_text="They always see whether you have one and your rhythm; the text only if you both tick this.",
    )  # fmt: skip

    def __init__(self, *args, match: Match, **kwargs):
        super().__init__(*args, **kwargs)
        # The bounds are said here and checked by agreement_propose, whose error names them.
        programme = match.programme
        low, high = rhythm_bounds(programme)
        cadence = programme.get_cadence_display().lower()
        self.fields["every_days"].help_text = f"Between {low} and {high} days: the programme expects {cadence}."
        low, high = minutes_bounds(programme)
        self.fields["minutes"].help_text = f"Between {low} and {high} minutes."


class AgreementSignForm(forms.Form):
    shares_text = forms.BooleanField(
        label="The coordinators may read this agreement", required=False,
        help_text="They always see whether you have one and your rhythm; the text only if you both tick this.",
    )  # fmt: skip

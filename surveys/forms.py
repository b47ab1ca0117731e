"""Survey forms: they turn input into clean values and say what is missing; the
services in surveys.services decide whether the answer is due and save it once."""

from django import forms

from people.validators import VisibleTextFormMixin

from .models import PulseResponse

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
RATING_ERROR = "Choose a rating from 1 to 5."
YES_NO = [("yes", "Yes"), ("no", "No")]
STALE_FORM = "This form is out of date: reload the page and answer again."


def _yes(value: str) -> bool:
    return value == "yes"


def rating_field(label: str, hint: str, error: str = RATING_ERROR) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, help_text=hint, choices=RATING_CHOICES, coerce=int,
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": error, "invalid_choice": error},
    )  # fmt: skip


def yes_no_field(label: str, error: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=_yes, widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": error, "invalid_choice": error},
    )  # fmt: skip


def text_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"max_length": "Keep it to 2000 characters at most (it has %(show_value)d)."},
    )  # fmt: skip


class PulseForm(VisibleTextFormMixin, forms.Form):
    # The wave the form was shown for: answering after a newer wave came due is refused, not misfiled.
    due_on = forms.DateField(widget=forms.HiddenInput, error_messages={"required": STALE_FORM, "invalid": STALE_FORM})
    rating = rating_field("How is your mentoring going?", "1 = not well at all, 5 = very well")
    meeting_as_planned = yes_no_field(
        "Are you meeting as often as you planned?", "Say whether you are meeting as often as you planned."
    )
    obstacle = forms.ChoiceField(
        label="What, if anything, gets in the way?", choices=PulseResponse.Obstacle.choices,
        initial=PulseResponse.Obstacle.NONE, widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose what, if anything, gets in the way.",
                        "invalid_choice": "Choose what, if anything, gets in the way."},
    )  # fmt: skip
    comment = text_field(
        "Anything the coordinators should know? (optional)",
        "Only the programme's coordinators read this, never your pair.",
    )


class ProgrammeFeedbackForm(VisibleTextFormMixin, forms.Form):
    overall = rating_field(
        "How useful is the programme to you?", "1 = not at all, 5 = very useful",
        "Choose a rating from 1 to 5 for how useful the programme is.",
    )  # fmt: skip
    matching = rating_field(
        "How well were you matched?", "1 = badly, 5 = very well",
        "Choose a rating from 1 to 5 for how well you were matched.",
    )  # fmt: skip
    support = rating_field(
        "How well supported do you feel by the coordinators?", "1 = not at all, 5 = very well",
        "Choose a rating from 1 to 5 for how supported you feel.",
    )  # fmt: skip
    would_recommend = yes_no_field(
        "Would you recommend the programme to a colleague?", "Say whether you would recommend the programme."
    )
    keep = text_field("What should we keep? (optional)")
    change = text_field("What should we change? (optional)")

"""Survey forms: they turn input into clean values and say what is missing; the
services in surveys.services decide whether the answer is due and save it once."""

from django import forms

from outcomes.commitments import COMMITMENT_LIMIT, MAX_COMMITMENTS
from people.validators import VisibleTextFormMixin

from .models import PulseResponse

RECOMMEND_CHOICES = [(n, str(n)) for n in range(0, 11)]
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
    # The relationship items, worded as the model words them; their average is the
    # relationship quality the programme's objectives measure.
    open_with = rating_field(
        PulseResponse._meta.get_field("open_with").verbose_name, "1 = not at all, 5 = completely",
        "Rate “I can be open with the other person” from 1 to 5.",
    )  # fmt: skip
    understood = rating_field(
        PulseResponse._meta.get_field("understood").verbose_name, "1 = not at all, 5 = completely",
        "Rate “We understand what each of us wants from this” from 1 to 5.",
    )  # fmt: skip
    progress = rating_field(
        PulseResponse._meta.get_field("progress").verbose_name, "1 = not at all, 5 = completely",
        "Rate “Our meetings help me make progress” from 1 to 5.",
    )  # fmt: skip
    worth_time = rating_field(
        PulseResponse._meta.get_field("worth_time").verbose_name, "1 = not at all, 5 = completely",
        "Rate “Our meetings are worth the time” from 1 to 5.",
    )  # fmt: skip
    comment = text_field(
        "Anything the coordinators should know? (optional)",
        "Only the programme's coordinators read this, never your pair.",
    )

    RELATIONSHIP_ITEMS = PulseResponse.RELATIONSHIP_ITEMS


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

    def __init__(self, *args, stage: str = "midpoint", questions=(), may_share: bool = False, **kwargs):
        """At the close: would-recommend 0-10 (required), the programme's own
        questions (1-5, required) and up to three commitments (optional)."""
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        self.closing = stage == "close"
        if not self.closing:
            return
        error = "Say how likely you are to recommend the programme, from 0 (not at all) to 10 (extremely)."
        self.fields["recommend_score"] = forms.TypedChoiceField(
            label="How likely are you to recommend the programme to a colleague?",
            help_text="0 = not at all likely, 10 = extremely likely", choices=RECOMMEND_CHOICES, coerce=int,
            widget=forms.RadioSelect(attrs={"class": "btn-check"}),
            error_messages={"required": error, "invalid_choice": error},
        )  # fmt: skip
        for question in self.questions:
            self.fields[f"question_{question.pk}"] = rating_field(
                question.question, "1 = not at all, 5 = fully", f"Answer “{question.question}” from 1 to 5."
            )
        for number in range(1, MAX_COMMITMENTS + 1):
            self.fields[f"commitment_{number}"] = forms.CharField(
                label=f"Commitment {number}", required=False, max_length=COMMITMENT_LIMIT,
                widget=forms.TextInput(attrs={"class": "form-control"}),
                error_messages={"max_length": f"Keep each to {COMMITMENT_LIMIT} characters (it has %(show_value)d)."},
            )  # fmt: skip
        if may_share:
            self.fields["share_commitments"] = forms.BooleanField(
                label="Share my commitments with the programme's coordinators", required=False,
                widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
                help_text="Only the coordinators read them, never HR, and never in a report.",
            )  # fmt: skip

    def question_fields(self):
        return [self[f"question_{question.pk}"] for question in self.questions]

    def commitment_fields(self):
        return [self[f"commitment_{number}"] for number in range(1, MAX_COMMITMENTS + 1)] if self.closing else []

    def closing_values(self) -> dict:
        """The close's extra answers as the service takes them (empty at the midpoint)."""
        if not self.closing:
            return {}
        data = self.cleaned_data
        return {
            "recommend_score": data["recommend_score"],
            "answers": {question.pk: data[f"question_{question.pk}"] for question in self.questions},
            "commitments": [data[f"commitment_{number}"] for number in range(1, MAX_COMMITMENTS + 1)],
            "share_commitments": data.get("share_commitments", False),
        }

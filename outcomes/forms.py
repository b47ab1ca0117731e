"""The instruments' forms: they turn input into clean values and say what is
missing; the services (outcomes.assessments, outcomes.commitments) decide
whether the answer is asked and save it once."""

from django import forms

from .assessments import RATING_WORDS, Item
from .models import AssessmentPlan, Commitment

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


def _rating_field(label: str) -> forms.TypedChoiceField:
    error = f"Rate yourself from 1 to 5 on “{label}”."
    return forms.TypedChoiceField(
        label=label, choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        help_text=f"1 = {RATING_WORDS[1].lower()}, 5 = {RATING_WORDS[5].lower()}",
        error_messages={"required": error, "invalid_choice": error},
    )  # fmt: skip


class SelfAssessmentForm(forms.Form):
    """One required rating 1-5 per item; field names are the items' keys."""

    def __init__(self, *args, items: list[Item], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[item.key] = _rating_field(item.label)

    def ratings(self) -> dict[str, int]:
        return {item.key: self.cleaned_data[item.key] for item in self.items}


class CommitmentFollowUpForm(forms.Form):
    """For each commitment asked about: kept yes, partly or not yet."""

    def __init__(self, *args, commitments: list[Commitment], **kwargs):
        super().__init__(*args, **kwargs)
        self.commitments = commitments
        for commitment in commitments:
            error = "Say whether you kept it: yes, partly or not yet."
            self.fields[f"kept_{commitment.pk}"] = forms.ChoiceField(
                label=commitment.text, choices=Commitment.Kept.choices,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": error, "invalid_choice": error},
            )  # fmt: skip

    def answers(self) -> dict[int, str]:
        return {commitment.pk: self.cleaned_data[f"kept_{commitment.pk}"] for commitment in self.commitments}


class AssessmentPlanForm(forms.ModelForm):
    class Meta:
        model = AssessmentPlan
        fields = ["midway"]
        widgets = {"midway": forms.CheckboxInput(attrs={"class": "form-check-input"})}

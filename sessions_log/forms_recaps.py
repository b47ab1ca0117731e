"""Forms after a meeting. They turn input into clean values and say what is missing;
the services in sessions_log.recaps enforce the rules (held meeting, own pair, once)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from matching.models import Match
from mentoring.widgets import DateInput
from people.validators import VisibleTextFormMixin
from programmes.models import Participant

from .forms import SubmitOnceForm
from .models import Recap
from .recaps import MAX_ACTIONS_PER_RECAP, QUICK_LOG_MINUTES

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
RATING_ERROR = "Choose a rating from 1 to 5."


def _owner_choices(match: Match, me: Participant) -> list[tuple[str, str]]:
    other = match.mentor if me.pk == match.mentee_id else match.mentee
    return [("", "Who?"), (str(me.pk), f"Me ({me.user})"), (str(other.pk), str(other.user))]


class ActionRowsMixin:
    """One or two optional action rows: owner (me or my pair), description, due date.
    A row is either empty or complete; a half-filled row is an error, not ignored."""

    action_rows = MAX_ACTIONS_PER_RECAP

    def add_action_fields(self, match: Match, me: Participant) -> None:
        self.pair = {str(match.mentee_id): match.mentee, str(match.mentor_id): match.mentor}
        for n in range(1, self.action_rows + 1):
            self.fields[f"action_{n}_description"] = forms.CharField(
                label=f"Action {n}", max_length=300, required=False,
                widget=forms.TextInput(attrs={"placeholder": "e.g. Read chapter 2"}),
            )  # fmt: skip
            self.fields[f"action_{n}_owner"] = forms.ChoiceField(
                label=f"Action {n}: who", choices=_owner_choices(match, me), required=False
            )
            self.fields[f"action_{n}_due_on"] = forms.DateField(
                label=f"Action {n}: due", required=False, widget=DateInput()
            )

    def action_row_fields(self):
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due_on"])
            for n in range(1, self.action_rows + 1)
        ]

    def clean_actions(self, cleaned: dict) -> list:
        actions = []
        for n in range(1, self.action_rows + 1):
            description = (cleaned.get(f"action_{n}_description") or "").strip()
            owner = cleaned.get(f"action_{n}_owner") or ""
            due_on = cleaned.get(f"action_{n}_due_on")
            if not (description or owner or due_on):
                continue
            if not description:
                self.add_error(f"action_{n}_description", f"Describe action {n}, or clear its other fields.")
            if not owner:
                self.add_error(f"action_{n}_owner", f"Say who will do action {n}.")
            if description and owner:
                actions.append((self.pair[owner], description, due_on))
        return actions


class RecapForm(VisibleTextFormMixin, ActionRowsMixin, forms.Form):
    discussed = forms.CharField(
        label="What we discussed", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    learned = forms.CharField(
        label="What I learned", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Mentoring is a two-way street: mentors learn too.",
    )  # fmt: skip
    goal_progress = forms.CharField(
        label="Progress on our goals", max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    visibility = forms.ChoiceField(
        label="Who may read this recap", choices=Recap.Visibility.choices, initial=Recap.Visibility.PAIR,
        widget=forms.RadioSelect,
    )  # fmt: skip

    def __init__(self, *args, match: Match, me: Participant, with_actions: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_actions = with_actions
        if with_actions:
            self.add_action_fields(match, me)

    def clean_discussed(self) -> str:
        discussed = self.cleaned_data["discussed"].strip()
        if not discussed:
            raise forms.ValidationError("Say briefly what you discussed: a recap cannot be empty.")
        return discussed

    def clean(self):
        cleaned = super().clean()
        cleaned["actions"] = self.clean_actions(cleaned) if self.with_actions else []
        return cleaned


class FeedbackForm(VisibleTextFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was this meeting? (1 = not at all, 5 = very)", choices=RATING_CHOICES, coerce=int,
        widget=forms.RadioSelect, error_messages={"required": RATING_ERROR, "invalid_choice": RATING_ERROR},
    )  # fmt: skip
    comment = forms.CharField(
        label="Comment (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Read by the programme's coordinators, never by your pair.",
    )  # fmt: skip


class ExitSurveyForm(VisibleTextFormMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label="How useful was the pairing? (1 = not at all, 5 = very)", choices=RATING_CHOICES, coerce=int,
        widget=forms.RadioSelect, error_messages={"required": RATING_ERROR, "invalid_choice": RATING_ERROR},
    )  # fmt: skip
    goals_met = forms.BooleanField(label="I reached my goals", required=False)
    would_recommend = forms.BooleanField(label="I would recommend the programme", required=False, initial=True)
    comment = forms.CharField(
        label="Anything else (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Read by the programme's coordinators.",
    )  # fmt: skip


class QuickLogForm(VisibleTextFormMixin, ActionRowsMixin, SubmitOnceForm):
    """A 30-minute one-off in under a minute: when, what we discussed, maybe one action."""

    action_rows = 1

    started_at = forms.DateTimeField(
        label="Started at", input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    minutes = forms.IntegerField(label="Minutes", min_value=10, max_value=480, initial=QUICK_LOG_MINUTES)
    discussed = forms.CharField(
        label="What we discussed", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, match: Match, me: Participant, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown in the server's time zone (the site has no per-person zone yet).
        start = timezone.localtime() - timedelta(minutes=QUICK_LOG_MINUTES)
        self.fields["started_at"].initial = start.replace(second=0, microsecond=0)
        self.add_action_fields(match, me)

    clean_discussed = RecapForm.clean_discussed

    def clean(self):
        cleaned = super().clean()
        cleaned["actions"] = self.clean_actions(cleaned)
        return cleaned

"""Forms after a meeting. They turn input into clean values and say what is missing;
the services in sessions_log.recaps enforce the rules (held meeting, own pair, once)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from matching.models import Match
from mentoring.widgets import DateInput
from people.validators import VisibleTextFormMixin
from programmes.models import Participant

from .forms import MeetingTimeForm, SubmitOnceForm
from .models import ActionItem, MeetingFormat, Recap
from .recaps import MAX_ACTIONS_PER_RECAP
from .services import zone_of

RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]
RATING_ERROR = "Choose a rating from 1 to 5."


def _owner_choices(match: Match, me: Participant) -> list[tuple[str, str]]:
    other = match.mentor if me.pk == match.mentee_id else match.mentee
    return [("", "Who?"), (str(me.pk), f"Me ({me.user})"), (str(other.pk), str(other.user))]


class ActionRowsMixin:
    """One or two optional action rows: owner (me or my pair), description, due date.
    A row is either empty or complete; a half-filled row is an error, not ignored.

    With `existing` actions (a recap being edited), the first rows show them and
    at least one more row is offered up to the limit: a filled row changes its
    action, a cleared one removes it. Cleaned, the form has `actions` (new rows)
    and `action_changes` ({action id: row, or None to remove})."""

    def add_action_fields(self, match: Match, me: Participant, existing: list[ActionItem] = ()) -> None:
        self.pair = {str(match.mentee_id): match.mentee, str(match.mentor_id): match.mentor}
        self.existing_actions = list(existing)
        self.action_rows = max(MAX_ACTIONS_PER_RECAP, len(self.existing_actions))
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
        for n, action in enumerate(self.existing_actions, start=1):
            self.initial.setdefault(f"action_{n}_description", action.description)
            self.initial.setdefault(f"action_{n}_owner", str(action.owner_id))
            self.initial.setdefault(f"action_{n}_due_on", action.due_on)

    def action_row_fields(self):
        return [
            (self[f"action_{n}_description"], self[f"action_{n}_owner"], self[f"action_{n}_due_on"])
            for n in range(1, self.action_rows + 1)
        ]

    def clean_actions(self, cleaned: dict) -> None:
        actions, changes = [], {}
        for n in range(1, self.action_rows + 1):
            description = (cleaned.get(f"action_{n}_description") or "").strip()
            owner = cleaned.get(f"action_{n}_owner") or ""
            due_on = cleaned.get(f"action_{n}_due_on")
            action = self.existing_actions[n - 1] if n <= len(self.existing_actions) else None
            if not (description or owner or due_on):
                if action is not None:
                    changes[action.pk] = None  # a cleared row removes its action
                continue
            if not description:
                self.add_error(f"action_{n}_description", f"Describe action {n}, or clear its other fields.")
            if not owner:
                self.add_error(f"action_{n}_owner", f"Say who will do action {n}.")
            if description and owner:
                row = (self.pair[owner], description, due_on)
                if action is None:
                    actions.append(row)
                else:
                    changes[action.pk] = row
        cleaned["actions"], cleaned["action_changes"] = actions, changes


class RecapFieldsMixin(VisibleTextFormMixin, forms.Form):
    """The recap's own fields, shared by the recap form and the log of a past meeting."""

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

    def clean_discussed(self) -> str:
        discussed = self.cleaned_data["discussed"].strip()
        if not discussed:
            raise forms.ValidationError("Say briefly what you discussed: a recap cannot be empty.")
        return discussed


class RecapForm(ActionRowsMixin, RecapFieldsMixin):
    """A new recap with its actions, or one's recap edited with `existing` actions."""

    def __init__(self, *args, match: Match, me: Participant, existing: list[ActionItem] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.add_action_fields(match, me, existing)

    def clean(self):
        cleaned = super().clean()
        self.clean_actions(cleaned)
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


class PastMeetingForm(ActionRowsMixin, RecapFieldsMixin, MeetingTimeForm, SubmitOnceForm):
    """A meeting that already happened, in one form: when (on the person's own
    clock), how the pair met, the recap and up to two actions. Nothing is
    assumed: the format is the person's choice."""

    format = forms.ChoiceField(
        label="How did you meet?", choices=MeetingFormat.choices, widget=forms.RadioSelect,
        error_messages={"required": "Say whether you met in person or by video call."},
    )  # fmt: skip
    location = forms.CharField(label="Place or video link (optional)", required=False, max_length=300)

    field_order = ["date", "start_time", "end_time", "format", "location", "discussed", "learned", "goal_progress"]
    # Set by clean() when the meeting is still to come: the page then offers scheduling.
    not_over = False

    def __init__(self, *args, match: Match, me: Participant, zone_name: str, minutes: int = 60, **kwargs):
        super().__init__(*args, zone_name=zone_name, **kwargs)
        self.add_action_fields(match, me)
        # Unless given: a meeting of the programme's usual length that ended within the hour.
        start = timezone.now().astimezone(zone_of(zone_name)) - timedelta(minutes=minutes)
        start = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
        for name, value in self.initial_for(starts_at=start, minutes=minutes, zone_name=zone_name).items():
            self.initial.setdefault(name, value)

    def clean(self):
        cleaned = super().clean()
        starts_at, minutes = cleaned.get("starts_at"), cleaned.get("minutes")
        if starts_at is not None and minutes and starts_at + timedelta(minutes=minutes) > timezone.now():
            self.not_over = True
            self.add_error("date", "This meeting has not ended yet: log it once it is over, or schedule it.")
        self.clean_actions(cleaned)
        return cleaned

    @staticmethod
    def initial_from_query(query) -> dict:
        """A log started from the scheduling form's "already passed" error: the
        time and place typed there (each checked again when the form is posted)."""
        initial = {name: query[name] for name in ("date", "start_time", "end_time", "location") if query.get(name)}
        if query.get("format") in MeetingFormat.values:
            initial["format"] = query["format"]
        return initial

"""Forms of the workspace: goals, progress notes and meetings. They check what a
person can correct and turn their wall-clock time into UTC; the services check
again and write."""

from datetime import datetime, timedelta
from uuid import UUID

from django import forms
from django.utils import timezone

from matching.models import Match
from mentoring.widgets import DateInput, TimeInput
from people.validators import VisibleTextFormMixin

from .models import Goal, MeetingFormat
from .once import new_submission_key
from .services import MAX_MINUTES, MIN_MINUTES, goal_owners, local_to_utc, zone_of


class SubmitOnceForm(forms.Form):
    """A create form with a one-time key: posted twice (a double click, a retried
    request), it creates one row; the services look the key up (sessions_log/once.py).
    A form without a valid key (an old page) still works, without that protection:
    the key never stands between a person and their form."""

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = new_submission_key()  # fresh for each rendering

    def clean_submission_key(self) -> UUID | None:
        try:
            return UUID(self.cleaned_data["submission_key"])
        except ValueError:
            return None


class GoalForm(VisibleTextFormMixin, forms.Form):
    objective = forms.CharField(max_length=200, help_text="What you want to achieve, in a sentence.")
    measure = forms.CharField(
        label="How you will know", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What will be different when the goal is reached.",
    )  # fmt: skip
    target_date = forms.DateField(required=False, widget=DateInput())
    owner = forms.ChoiceField(label="Whose goal", required=False)

    def __init__(self, *args, match: Match, **kwargs):
        super().__init__(*args, **kwargs)
        self.match = match
        # Both people learn, so either may own a goal (services.goal_owners).
        self.owners = goal_owners(match)
        self.fields["owner"].choices = [
            (person.pk, f"{person.user} ({'mentee' if person.pk == match.mentee_id else 'mentor'})")
            for person in self.owners
        ]
        self.fields["owner"].initial = match.mentee_id

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        if not value:
            return self.match.mentee
        return next(person for person in self.owners if str(person.pk) == str(value))


class NewGoalForm(SubmitOnceForm, GoalForm):
    pass


class GoalNoteForm(VisibleTextFormMixin, SubmitOnceForm):
    text = forms.CharField(label="Progress note", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    status_after = forms.ChoiceField(
        label="Status", required=False, choices=[("", "Keep the status"), *Goal.Status.choices]
    )

    def clean(self):
        data = super().clean()
        if not (data.get("text") or "").strip() and not data.get("status_after"):
            raise forms.ValidationError("Write a note on the progress, or choose a new status.")
        return data


class MeetingTimeForm(VisibleTextFormMixin, forms.Form):
    """Date, start and end in the person's own zone (from their profile), the
    format and the place: what scheduling a meeting and logging a past one share.
    Cleaned, it adds `starts_at` (aware, UTC) and `minutes`."""

    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(label="Starts", widget=TimeInput())
    end_time = forms.TimeField(label="Ends", widget=TimeInput())
    format = forms.ChoiceField(choices=MeetingFormat.choices, widget=forms.RadioSelect, initial=MeetingFormat.VIDEO)
    location = forms.CharField(
        label="Place or video link", required=False, max_length=300,
        help_text="For a video call, the link; in person, the room or the café.",
    )  # fmt: skip

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone_name = zone_of(zone_name).key
        self.fields["start_time"].help_text = f"Your time ({self.zone_name})."

    def clean(self):
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day is None or start is None or end is None:
            return data
        starts_at = local_to_utc(day, start, self.zone_name)
        minutes = int((datetime.combine(day, end) - datetime.combine(day, start)) / timedelta(minutes=1))
        if minutes <= 0:
            self.add_error("end_time", "The meeting must end after it starts.")
        elif minutes < MIN_MINUTES:
            self.add_error("end_time", f"A meeting lasts at least {MIN_MINUTES} minutes.")
        elif minutes > MAX_MINUTES:
            self.add_error("end_time", f"A meeting lasts at most {MAX_MINUTES // 60} hours.")
        data["starts_at"], data["minutes"] = starts_at, minutes
        return data

    @classmethod
    def initial_for(cls, *, starts_at: datetime, minutes: int, zone_name: str, **rest) -> dict:
        local = starts_at.astimezone(zone_of(zone_name))
        return {"date": local.date(), "start_time": local.time(),
                "end_time": (local + timedelta(minutes=minutes)).time(), **rest}  # fmt: skip


class MeetingForm(MeetingTimeForm):
    """Schedule or change a meeting to come; both calendars get it."""

    agenda = forms.CharField(required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text="Goes into both calendars. Open actions are carried over.")  # fmt: skip

    # Set by clean() when the time has passed: the page then offers the log of a past meeting.
    in_the_past = False

    def clean(self):
        data = super().clean()
        starts_at = data.get("starts_at")
        if starts_at is not None and starts_at <= timezone.now():
            self.in_the_past = True
            self.add_error("date", "That time has already passed: choose a time in the future.")
        if data.get("format") == MeetingFormat.IN_PERSON and not (data.get("location") or "").strip():
            self.add_error("location", "Say where you will meet.")
        return data

    def past_meeting_query(self) -> dict[str, str]:
        """What the person typed, for the log of a past meeting to start from."""
        return {name: self.data.get(name, "") for name in ("date", "start_time", "end_time", "format", "location")}


class NewMeetingForm(SubmitOnceForm, MeetingForm):
    pass


class MeetingCancelForm(VisibleTextFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is the meeting cancelled?", max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say briefly why the meeting is cancelled: your pair will read it."},
    )  # fmt: skip

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say briefly why the meeting is cancelled: your pair will read it.")
        return reason


class MeetingMarkForm(forms.Form):
    status = forms.ChoiceField(choices=[("held", "We met"), ("missed", "We missed it")], widget=forms.RadioSelect)

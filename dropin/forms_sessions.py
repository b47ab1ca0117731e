"""Forms after a one-off session: the recap with its actions and the feedback,
reusing the pairs' forms (sessions_log.forms_recaps) with the session's words.
The services in dropin.after enforce the rules (started, once, its two people)."""

from django import forms

from programmes.models import Participant
from sessions_log.forms_recaps import FeedbackForm, RecapForm
from sessions_log.models import Meeting, Recap


class SessionRecapForm(RecapForm):
    """What we discussed, what I learned, who may read it, and one or two actions
    owned by me or the other person. A session has no goals, so no goal progress."""

    def __init__(self, *args, meeting: Meeting, me: Participant, **kwargs):
        # A meeting names its two people as a match does (mentor, mentee).
        super().__init__(*args, match=meeting, me=me, **kwargs)
        del self.fields["goal_progress"]
        other = meeting.mentor if me.pk == meeting.mentee_id else meeting.mentee
        name = other.user.get_full_name() or str(other.user)
        self.fields["visibility"].choices = [
            (Recap.Visibility.PRIVATE, "Private note (only me)"),
            (Recap.Visibility.PAIR, f"Shared with {name}"),
            (Recap.Visibility.COORDINATOR, f"Shared with {name} and the programme's coordinators"),
        ]
        self.fields["discussed"].label = "What we talked about"

    def clean(self):
        cleaned = super().clean()
        cleaned.setdefault("goal_progress", "")
        return cleaned


class SessionFeedbackForm(FeedbackForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = "How useful was this session? (1 = not at all, 5 = very)"
        self.fields["comment"].help_text = "Read by the programme's coordinators, never by the other person."


class HappenedForm(forms.Form):
    happened = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes",
        error_messages={"required": "Say yes or no.", "invalid_choice": "Say yes or no."},
    )  # fmt: skip

"""Forms of the library and of office hours. They validate input only; the
services in resources.py and office_hours.py decide what is allowed."""

from django import forms

from matching.models import Match
from mentoring.widgets import DateInput, TimeInput
from people.validators import VisibleTextFormMixin

from .models import MeetingFormat, Resource, ResourceTag
from .office_hours import MAX_SLOTS_AT_ONCE


class ResourceForm(VisibleTextFormMixin, forms.ModelForm):
    url = forms.URLField(label="Link (URL)", max_length=500, required=False, assume_scheme="https")
    tags = forms.ModelMultipleChoiceField(
        label="Themes", queryset=ResourceTag.objects.order_by("name"), required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    class Meta:
        model = Resource
        fields = ["title", "kind", "url", "author_or_source", "description", "tags"]
        labels = {"author_or_source": "Author or source"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("kind") in (Resource.Kind.LINK, Resource.Kind.ARTICLE) and not data.get("url"):
            self.add_error("url", "Links and articles need their address.")
        return data


class TagForm(VisibleTextFormMixin, forms.Form):
    name = forms.CharField(label="New theme", max_length=60)


class ShareForm(VisibleTextFormMixin, forms.Form):
    match = forms.ModelChoiceField(label="Share with", queryset=Match.objects.none(), empty_label=None)
    note = forms.CharField(label="Note (optional)", max_length=300, required=False)

    def __init__(self, *args, matches, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].queryset = matches
        # "Alice Adams" for her mentor; "Bob Brown (my mentor)" for his mentee.
        self.fields["match"].label_from_instance = lambda match: (
            match.mentee.user.get_full_name()
            if match.mentor.user_id == user.pk
            else f"{match.mentor.user.get_full_name()} (my mentor)"
        )
        roles = {"mentor" if match.mentor.user_id == user.pk else "mentee" for match in matches}
        self.share_label = {"mentor": "Share with my mentee", "mentee": "Share with my mentor"}.get(
            next(iter(roles)) if len(roles) == 1 else "", "Share with my pair"
        )


class SlotPublishForm(VisibleTextFormMixin, forms.Form):
    day = forms.DateField(label="Date", widget=DateInput())
    start = forms.TimeField(label="Start time", widget=TimeInput(attrs={"step": 900}))
    count = forms.TypedChoiceField(
        label="Number of 30-minute slots", coerce=int, initial=2,
        choices=[(n, f"{n} ({n * 30} minutes)") for n in range(1, MAX_SLOTS_AT_ONCE + 1)],
    )  # fmt: skip
    format = forms.ChoiceField(choices=MeetingFormat.choices, initial=MeetingFormat.VIDEO)
    location = forms.CharField(
        label="Place or video link", max_length=300, required=False,
        help_text="A room for in-person sessions, or your video-call link.",
    )  # fmt: skip


class CancelBookingForm(VisibleTextFormMixin, forms.Form):
    reason = forms.CharField(label="Why are you cancelling?", max_length=300)

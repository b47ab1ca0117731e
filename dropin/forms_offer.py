"""Forms of the helper's pages. They validate input only; the services in
offer.py, availability.py and requests.py decide what is allowed and show their
refusals beside the field they concern (add_service_error)."""

from django import forms

from mentoring.widgets import DateInput, TimeInput
from people.models import Tag
from people.validators import VisibleTextFormMixin
from people.widgets import TagPicker
from programmes.models import Participant, Programme
from sessions_log.models import WEEKDAYS, MeetingFormat

from .availability import AWAY_MAX_DAYS
from .models import HelperOffer
from .offer import ABOUT_MAX, CAP_MAX, CAP_MIN
from .requests import REASON_MAX


def add_service_error(form: forms.Form, error) -> None:
    """A service's refusal beside its field (or above the form)."""
    field = error.field if getattr(error, "field", None) in form.fields else None
    form.add_error(field, str(error))


class OfferForm(VisibleTextFormMixin, forms.Form):
    about = forms.CharField(
        label=HelperOffer._meta.get_field("about").verbose_name.capitalize(), max_length=ABOUT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}), help_text=HelperOffer._meta.get_field("about").help_text,
    )  # fmt: skip
    skills = forms.ModelMultipleChoiceField(
        label="Skills and topics people can book you for", queryset=Tag.objects.order_by("name"), required=False,
        widget=TagPicker("skills"),
    )  # fmt: skip
    weekly_cap = forms.TypedChoiceField(
        label="At most this many sessions a week", coerce=int, initial=3,
        choices=[(n, str(n)) for n in range(CAP_MIN, CAP_MAX + 1)],
    )  # fmt: skip
    listed = forms.BooleanField(label="Show me in “Find someone to learn from”", required=False, initial=True)
    join = forms.ModelMultipleChoiceField(
        label="Also help in", queryset=Programme.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="People book you in these office-hours programmes. Some take you at once; others ask their "
        "coordinator first.",
    )  # fmt: skip

    def __init__(self, *args, joinable: list[Programme], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["join"].queryset = Programme.objects.filter(pk__in=[p.pk for p in joinable]).order_by("name")
        approves = {p.pk for p in joinable if p.approve_automatically}
        self.fields["join"].label_from_instance = lambda programme: (
            f"{programme.name}" + ("" if programme.pk in approves else " (the coordinator approves)")
        )
        if not joinable:
            del self.fields["join"]


class AvailabilityForm(VisibleTextFormMixin, forms.Form):
    helper = forms.ModelChoiceField(label="Programme", queryset=Participant.objects.none(), empty_label=None)
    weekday = forms.TypedChoiceField(label="Every", coerce=int, choices=WEEKDAYS, initial=3)
    starts_at = forms.TimeField(label="From", widget=TimeInput(attrs={"step": 1800}))
    ends_at = forms.TimeField(label="To", widget=TimeInput(attrs={"step": 1800}))
    format = forms.ChoiceField(choices=MeetingFormat.choices, initial=MeetingFormat.VIDEO, widget=forms.RadioSelect)
    location = forms.CharField(
        label="Place (in person)", max_length=300, required=False,
        help_text="The room or office; only colleagues at your location see in-person slots.",
    )  # fmt: skip
    until = forms.DateField(label="Until", widget=DateInput(), help_text="At most 12 months ahead.")

    def __init__(self, *args, enrolments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["helper"].queryset = enrolments
        self.fields["helper"].label_from_instance = lambda participant: participant.programme.name


class AwayForm(VisibleTextFormMixin, forms.Form):
    first = forms.DateField(label="Away on", widget=DateInput())
    last = forms.DateField(
        label="Until (optional)", widget=DateInput(), required=False,
        help_text=f"For a range: the last day away, at most {AWAY_MAX_DAYS} days in all.",
    )  # fmt: skip


class DeclineForm(VisibleTextFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why can you not take it?", max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person who asked reads this.",
    )  # fmt: skip
    suggested_helper = forms.TypedChoiceField(
        label="Suggest someone else to ask (optional)", coerce=int, required=False, empty_value=None,
        widget=forms.RadioSelect,
    )  # fmt: skip

    # The answer the page showed (pending or accepted): an answer given meanwhile
    # in another tab makes the service refuse rather than act twice.
    seen = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Nobody")] + [(user.pk, user.get_full_name()) for user in candidates]
        self.fields["suggested_helper"].choices = choices
        if len(choices) == 1:
            del self.fields["suggested_helper"]

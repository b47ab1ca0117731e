"""Forms of the booking pages. They validate input only; dropin.booking decides
what may be booked."""

from django import forms

from people.models import Tag
from people.validators import VisibleTextFormMixin
from sessions_log.forms_resources import CancelBookingForm

from .booking import PURPOSE_MAX

__all__ = ["BookingForm", "CancelBookingForm"]


class BookingForm(VisibleTextFormMixin, forms.Form):
    purpose = forms.CharField(
        label="What would you like help with?", max_length=PURPOSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "e.g. “I am planning my first survey analysis and "
                                                                "would like a second pair of eyes on the approach.”"}),
        help_text=f"A sentence or two ({PURPOSE_MAX} characters at most). Only the helper reads it, before you meet.",
        error_messages={"required": "Say what you would like help with: the helper reads it before the session."},
    )  # fmt: skip
    topic = forms.ModelChoiceField(
        label="Skill or topic", queryset=Tag.objects.none(), required=False, empty_label="(none in particular)"
    )

    def __init__(self, *args, skills=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the helper offers: the service refuses anything else too.
        self.fields["topic"].queryset = skills if skills is not None else Tag.objects.none()

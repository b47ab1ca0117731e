"""Forms of messages. They check the shape of the input only; services.py
decides what is allowed (and says so in the same words)."""

from django import forms

from people.validators import VisibleTextFormMixin

from .models import MESSAGE_MAX, Announcement
from .services import SUBJECT_MAX

TOO_LONG = f"A message can be {MESSAGE_MAX:,} characters at most."


class MessageForm(VisibleTextFormMixin, forms.Form):
    body = forms.CharField(
        label="Your message", max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"Plain text, up to {MESSAGE_MAX:,} characters; line breaks are kept. No attachments.",
        error_messages={"required": "Write something before sending.", "max_length": TOO_LONG},
    )  # fmt: skip


class AnnouncementForm(VisibleTextFormMixin, forms.Form):
    audience = forms.ChoiceField(label="Who gets it", choices=Announcement.Audience.choices)
    subject = forms.CharField(
        label="Subject", max_length=SUBJECT_MAX,
        error_messages={"required": "Give the announcement a subject."},
    )  # fmt: skip
    body = forms.CharField(
        label="Announcement", max_length=MESSAGE_MAX, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Plain text; line breaks are kept. It is mailed as written, to each person once.",
        error_messages={"required": "Write the announcement.",
                        "max_length": f"An announcement can be {MESSAGE_MAX:,} characters at most."},
    )  # fmt: skip

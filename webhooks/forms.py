from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from .models import Delivery, Endpoint, EventKind


class EndpointForm(forms.ModelForm):
    """The address, a note and the kinds of event; the model validates both (one
    place for the rules: https, no private address in production, a kind chosen)."""

    url = forms.URLField(
        label="Address", max_length=500, assume_scheme="https",
        error_messages={"invalid": "Enter a full web address starting with https://, such as https://example.org/hooks."},
        help_text="Where deliveries are POSTed: an https:// address.",
    )  # fmt: skip
    event_kinds = forms.MultipleChoiceField(
        label="Events to send", choices=EventKind.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of event."},
    )  # fmt: skip

    class Meta:
        model = Endpoint
        fields = ["url", "description", "event_kinds"]

    def __init__(self, *args, submit: str = "Save", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["url"].widget.attrs["placeholder"] = "https://example.org/hooks/mentoring"
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", submit))


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "Every status"), *Delivery.Status.choices], required=False)

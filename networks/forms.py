"""Forms of the network pages: the shape of the input only; services decide."""

from django import forms

from people.validators import VisibleTextFormMixin

from .models import Network
from .services import DESCRIPTION_MAX, JOIN_WORDING, NAME_MAX


class JoinForm(forms.Form):
    consent = forms.BooleanField(
        label=JOIN_WORDING, required=True,
        error_messages={"required": "Tick the box to confirm you agree to us keeping that you are a member."},
    )  # fmt: skip
    visible_to_leads = forms.BooleanField(
        label="The network's leads may see that I am a member", required=False,
        help_text="So they can put you forward for programmes. Nobody else sees it, and you can change this later.",
    )  # fmt: skip


class VisibilityForm(forms.Form):
    visible_to_leads = forms.BooleanField(label="The network's leads may see that I am a member", required=False)


class NetworkForm(VisibleTextFormMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX,
                           error_messages={"required": "Give the network a name."})  # fmt: skip
    description = forms.CharField(
        label="Description", max_length=DESCRIPTION_MAX, required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What the network is for; everyone signed in reads it.",
    )  # fmt: skip
    leads = forms.CharField(
        label="Leads (emails)", required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One email a line (or separated by commas). Leads are shown to everyone.",
    )  # fmt: skip
    is_active = forms.BooleanField(
        label="Active", required=False, initial=True,
        help_text="A deactivated network takes no members or nominations and cannot co-sponsor; nothing is deleted.",
    )  # fmt: skip

    def lead_emails(self) -> list[str]:
        return self.cleaned_data["leads"].replace(",", "\n").split()


class SponsorsForm(forms.Form):
    networks = forms.ModelMultipleChoiceField(
        label="Co-sponsoring networks", queryset=Network.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Shown on the programme's page to everyone. Their leads may nominate members, "
        "and each gets a channel in the mentors' circle.",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["networks"].queryset = Network.objects.filter(is_active=True).order_by("name", "pk")

"""The forms of nominations: a lead's, a manager's, and the nominee's answer."""

from django import forms
from django.utils.text import capfirst

from people.validators import VisibleTextFormMixin

from .models import Nomination, Participant, Programme
from .nominations import NOTE_MAX

NOTE_HELP = "Only the person you put forward reads it: not the coordinators, nor HR. Say why you thought of them."


class _ProgrammeChoice(forms.ModelChoiceField):
    def label_from_instance(self, programme: Programme) -> str:
        return f"{programme} ({programme.kind_name_for_participants})"


class NominateForm(VisibleTextFormMixin, forms.Form):
    """Shared fields; the lead's and the manager's forms add whom."""

    programme = _ProgrammeChoice(queryset=Programme.objects.none(), empty_label=None)
    role = forms.ChoiceField(choices=Participant.Role.choices, widget=forms.RadioSelect, initial="mentee",
                             help_text="The role you suggest; the programme page says who mentors whom.")  # fmt: skip
    note = forms.CharField(label="A note to them (optional)", required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}), help_text=NOTE_HELP)  # fmt: skip

    def __init__(self, *args, programmes: list[Programme], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(pk__in=[p.pk for p in programmes]).order_by(
            "name", "pk"
        )


class NetworkNominateForm(NominateForm):
    member = forms.ModelChoiceField(
        queryset=None, required=False, label="A member of the network",
        help_text="Members who let the network's leads see them.",
    )  # fmt: skip
    email = forms.EmailField(label="Or a colleague's email address", required=False)
    field_order = ["member", "email", "programme", "role", "note"]

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members

    def clean(self):
        from people.models import User

        data = super().clean()
        member, email = data.get("member"), (data.get("email") or "").strip()
        if member and email:
            raise forms.ValidationError("Choose a member or give an email address, not both.")
        if not member and not email:
            raise forms.ValidationError("Choose a member, or give a colleague's email address.")
        if email:
            person = User.objects.filter(email__iexact=email, is_active=True, is_guest=False).first()
            if person is None:
                self.add_error("email", "No current colleague has this email address.")
            data["nominee"] = person
        else:
            data["nominee"] = member
        return data


class ManagerNominateForm(NominateForm):
    person = forms.ModelChoiceField(queryset=None, label="Someone in your team", empty_label=None)
    field_order = ["person", "programme", "role", "note"]

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = reports


class AcceptForm(VisibleTextFormMixin, forms.Form):
    share_with_coordinator = forms.BooleanField(
        required=False, label=capfirst(Nomination._meta.get_field("share_with_coordinator").verbose_name),
        help_text="Otherwise the coordinators see your application as your own.",
    )  # fmt: skip
    tell_nominator = forms.BooleanField(
        required=False, label=capfirst(Nomination._meta.get_field("tell_nominator").verbose_name),
        help_text="Otherwise they are never told whether you joined.",
    )  # fmt: skip
    motivation = forms.CharField(
        label="Why you would like to take part (optional)", required=False, max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )  # fmt: skip

from datetime import datetime, time, timedelta

from django import forms
from django.utils import timezone

from mentoring.widgets import DateInput

from .models import ApiToken, ServiceAccount
from .scopes import SCOPES
from .services import MAX_LIFETIME, scopes_available_to

DEFAULT_LIFETIME = timedelta(days=90)


class TokenForm(forms.Form):
    """A new token: what it is for, what it may do (the scopes the person's roles
    can use), until when; staff may make it for a service account instead."""

    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “Analytics pull”.")
    acts_as = forms.ModelChoiceField(
        queryset=ServiceAccount.objects.none(), required=False, label="Acts as",
        empty_label="You", help_text="A service account's token acts with that account's roles, not yours.",
    )  # fmt: skip
    scopes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="What it may do")
    expires_on = forms.DateField(widget=DateInput(), label="Expires on", help_text="At most a year from today.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["scopes"].choices = [(scope, f"{scope}: {SCOPES[scope]}") for scope in scopes_available_to(user)]
        self.fields["expires_on"].initial = timezone.localdate() + DEFAULT_LIFETIME
        if user.is_staff:
            self.fields["acts_as"].queryset = ServiceAccount.objects.select_related("user")
        else:
            del self.fields["acts_as"]

    def clean_expires_on(self):
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError("Choose a day after today.")
        if day > today + MAX_LIFETIME - timedelta(days=1):
            raise forms.ValidationError("A token lives at most a year: choose an earlier day.")
        return day

    def clean(self):
        data = super().clean()
        account = data.get("acts_as")
        if account and data.get("scopes"):
            allowed = set(scopes_available_to(account.user))
            beyond = [scope for scope in data["scopes"] if scope not in allowed]
            if beyond:
                self.add_error("scopes", f"{account} has no role for {', '.join(beyond)}: give it the role first.")
        return data

    @property
    def acting_user(self):
        account = self.cleaned_data.get("acts_as")
        return account.user if account else self.user

    @property
    def kind(self) -> str:
        return ApiToken.Kind.SERVICE if self.cleaned_data.get("acts_as") else ApiToken.Kind.PERSONAL

    @property
    def expires_at(self) -> datetime:
        """The end of the chosen day, in the site's time zone."""
        day_end = datetime.combine(self.cleaned_data["expires_on"] + timedelta(days=1), time.min)
        return timezone.make_aware(day_end)


class ServiceAccountForm(forms.Form):
    name = forms.CharField(max_length=150, label="Service account's name", help_text="e.g. “HR analytics”.")

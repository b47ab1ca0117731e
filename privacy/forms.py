from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from people.models import User

# Typed by people who sign in without a password of ours (an invitation, a
# single sign-on), who have nothing else to re-type.
CONFIRM_PHRASE = "erase my data"


class ErasureConfirmForm(forms.Form):
    """Re-typing the password (or, without one, the phrase) proves it is the person
    at the keyboard, and that they mean it."""

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label="Your password", strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )  # fmt: skip
        else:
            self.fields["phrase"] = forms.CharField(
                label=f"Type “{CONFIRM_PHRASE}” to confirm", max_length=40,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )  # fmt: skip
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Erase my data in 7 days", css_class="btn-danger"))

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].lower().split())
        if phrase != CONFIRM_PHRASE:
            raise forms.ValidationError(f"Type “{CONFIRM_PHRASE}” exactly, or leave this page.")
        return phrase

from allauth.account.forms import SignupForm as AllauthSignupForm
from crispy_forms.bootstrap import InlineCheckboxes, InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Fieldset, Hidden, Layout, Row, Submit
from django import forms
from django.urls import reverse

from .attributes import PREFER_NOT_TO_SAY
from .models import (
    LANGUAGES,
    WEEKDAYS,
    Attribute,
    AttributeAnswer,
    Department,
    MeetingFormat,
    Profile,
    SeniorityLevel,
    Tag,
    TimeOfDay,
    User,
)
from .selectors import timezone_choices
from .services import attribute_consent_wording
from .validators import VisibleTextFormMixin
from .widgets import TagPicker


class SignupForm(VisibleTextFormMixin, AllauthSignupForm):
    """allauth's sign-up form, asking for the name colleagues know the person by."""

    full_name = forms.CharField(
        label="Full name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )

    field_order = ["full_name", "email", "password1", "password2"]

    def clean_full_name(self) -> str:
        name = " ".join(self.cleaned_data["full_name"].split())
        if not name:
            raise forms.ValidationError("Please enter your name.")
        return name

    def save(self, request):
        user = super().save(request)
        user.full_name = self.cleaned_data["full_name"]
        user.save(update_fields=["full_name"])
        return user


# -- the people pages ------------------------------------------------------------
# Forms validate what a person typed and turn it into the values the services
# take; the services (people.services) do the writing.


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class ProfileForm(VisibleTextFormMixin, forms.Form):
    """The signed-in person's own profile. The manager is picked by email address."""

    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label="— Not set —"
    )
    job_title = forms.CharField(max_length=_max_length(Profile, "job_title"), required=False)
    seniority = forms.ModelChoiceField(
        queryset=SeniorityLevel.objects.order_by("rank"), required=False, empty_label="— Not set —"
    )
    manager = forms.EmailField(
        label="Your line manager's email",
        required=False,
        help_text="So matching never pairs you inside your own reporting line. They must have an account here.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    location = forms.CharField(
        max_length=_max_length(Profile, "location"), required=False, help_text="City or office, e.g. “Leeds”."
    )
    timezone = forms.ChoiceField(
        label="Time zone",
        choices=timezone_choices,
        error_messages={"invalid_choice": "“%(value)s” is not a time zone we know; choose one from the list."},
    )
    languages = forms.MultipleChoiceField(
        label="Languages you can mentor in",
        choices=[(language, language) for language in LANGUAGES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.ModelMultipleChoiceField(
        label="Skills you can offer",
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=TagPicker("skills"),
    )
    skills_other = forms.CharField(
        label="Other skills",
        max_length=_max_length(Profile, "skills_other"),
        required=False,
        help_text="Anything not in the list, separated by commas.",
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics you want help with",
        queryset=Tag.objects.order_by("name"),
        required=False,
        widget=TagPicker("topics"),
    )
    topics_other = forms.CharField(
        label="Other topics",
        max_length=_max_length(Profile, "topics_other"),
        required=False,
        help_text="Anything not in the list, separated by commas.",
    )
    bio = forms.CharField(
        label="About you",
        max_length=_max_length(Profile, "bio"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="A few sentences a mentor or mentee would like to read before meeting you.",
    )
    preferred_days = forms.MultipleChoiceField(
        label="Days that suit you", choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    preferred_time = forms.ChoiceField(label="Time of day", choices=TimeOfDay.choices, widget=forms.RadioSelect)
    meeting_format = forms.ChoiceField(label="How you like to meet", choices=MeetingFormat.choices,
                                       widget=forms.RadioSelect)  # fmt: skip

    def __init__(self, *args, user: User, profile: Profile, **kwargs) -> None:
        self.user = user
        if "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(profile)
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("people:profile_edit")
        self.helper.attrs = {"novalidate": ""}  # the server's messages are the clear ones
        self.helper.layout = Layout(
            Fieldset(
                "Your role",
                Row(Column("department", css_class="col-md-6"), Column("job_title", css_class="col-md-6")),
                Row(Column("seniority", css_class="col-md-6"), Column("manager", css_class="col-md-6")),
            ),
            Fieldset(
                "Where you work",
                Row(Column("location", css_class="col-md-6"), Column("timezone", css_class="col-md-6")),
                InlineCheckboxes("languages"),
            ),
            Fieldset(
                "Skills and topics",
                InlineCheckboxes("skills"),
                "skills_other",
                InlineCheckboxes("topics"),
                "topics_other",
                Field("bio"),
            ),
            Fieldset(
                "When and how you meet",
                InlineCheckboxes("preferred_days"),
                InlineRadios("preferred_time"),
                InlineRadios("meeting_format"),
            ),
            Submit("save", "Save profile", css_class="mt-2"),
        )

    @staticmethod
    def initial_from(profile: Profile) -> dict:
        saved = profile.pk is not None
        return {
            "department": profile.department_id,
            "job_title": profile.job_title,
            "seniority": profile.seniority_id,
            "manager": profile.manager.email if profile.manager_id else "",
            "location": profile.location,
            "timezone": profile.timezone,
            "languages": profile.languages,
            "skills": list(profile.skills.all()) if saved else [],
            "skills_other": profile.skills_other,
            "topics": list(profile.topics.all()) if saved else [],
            "topics_other": profile.topics_other,
            "bio": profile.bio,
            "preferred_days": profile.preferred_days,
            "preferred_time": profile.preferred_time,
            "meeting_format": profile.meeting_format,
        }

    def clean_manager(self) -> User | None:
        email = self.cleaned_data["manager"].strip()
        if not email:
            return None
        manager = User.objects.filter(email__iexact=email, is_active=True).first()
        if manager is None:
            raise forms.ValidationError(
                f"Nobody with the address {email} has an account here. Check the spelling, or leave this empty."
            )
        if manager.pk == self.user.pk:
            raise forms.ValidationError("That is your own address; give your line manager's email instead.")
        return manager


class AttributeAnswerForm(forms.Form):
    """One self-description question: an option, "Prefer not to say" or the
    person's own words, saved only with consent to this question. Each question
    on the page is its own form (prefixed with the attribute's key) posting to
    its own URL, so consent is given and withdrawn per question."""

    PREFER_NOT = "prefer_not"
    SELF = "self"

    choice = forms.ChoiceField(label="Your answer", widget=forms.RadioSelect, required=False)
    self_description = forms.CharField(label="I describe it as", max_length=120, required=False)
    # Not `required=True`: the check is in clean_consent, so the wording is shown
    # without a "required" asterisk appended to what the person agrees to.
    consent = forms.BooleanField(required=False)

    def __init__(self, *args, attribute: Attribute, answer: AttributeAnswer | None = None, **kwargs) -> None:
        kwargs.setdefault("prefix", attribute.key)
        if answer is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(answer)
        super().__init__(*args, **kwargs)
        self.attribute = attribute
        options = [option for option in attribute.options.all() if option.is_active]
        choices = [(str(option.pk), option.label) for option in options]
        choices.append((self.PREFER_NOT, PREFER_NOT_TO_SAY))
        if attribute.allows_self_description:
            choices.append((self.SELF, "I describe it in my own words (below)"))
        else:
            del self.fields["self_description"]
        self.fields["choice"].choices = choices
        self.fields["choice"].label = attribute.question
        self.fields["choice"].help_text = attribute.help_text
        self.fields["consent"].label = attribute_consent_wording(attribute)
        self.options = {str(option.pk): option for option in options}
        self.helper = FormHelper()
        self.helper.form_action = reverse("people:attribute_answer", args=[attribute.key])
        self.helper.attrs = {"novalidate": "", "id": f"answer-{attribute.key}"}
        layout = ["choice"]
        if attribute.allows_self_description:
            layout.append("self_description")
        self.helper.layout = Layout(*layout, "consent", Submit("save", "Save this answer with my consent"))

    def clean_consent(self) -> bool:
        if not self.cleaned_data.get("consent"):
            raise forms.ValidationError("Tick the consent box to save this answer; without it nothing is stored.")
        return True

    def clean(self) -> dict:
        data = super().clean()
        choice = data.get("choice") or ""
        text = " ".join((data.get("self_description") or "").split())
        if choice == self.SELF or (not choice and text):
            if not text:
                self.add_error("self_description", "Describe it in your own words, or choose from the list.")
            data["answer"] = {"self_description": text}
        elif choice == self.PREFER_NOT:
            data["answer"] = {"prefer_not_to_say": True}
        elif choice in self.options:
            data["answer"] = {"option": self.options[choice]}
        else:
            self.add_error("choice", "Choose an answer from the list, “Prefer not to say”, or your own words.")
        return data

    @classmethod
    def initial_from(cls, answer: AttributeAnswer) -> dict:
        # The consent box is never pre-ticked: each save is a fresh, explicit consent.
        if answer.prefer_not_to_say:
            return {"choice": cls.PREFER_NOT}
        if answer.option_id:
            return {"choice": str(answer.option_id)}
        return {"choice": cls.SELF, "self_description": answer.self_description}


# -- the organisation's self-description lists (staff) ----------------------------------


class AttributeEditForm(VisibleTextFormMixin, forms.ModelForm):
    class Meta:
        model = Attribute
        fields = ["label", "question", "help_text", "allows_self_description", "is_active"]
        labels = {"is_active": "Asked"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_action = reverse("people:attribute_edit", args=[self.instance.pk])
        self.helper.attrs = {"novalidate": ""}
        self.helper.layout = Layout(
            "label", "question", "help_text", "allows_self_description", "is_active", Submit("save", "Save")
        )


class AttributeOptionLabelForm(VisibleTextFormMixin, forms.Form):
    """The label of a new option, or an option's new label (checked by the service:
    duplicates, case and spacing folded, are refused)."""

    label = forms.CharField(label="Option", max_length=80)


# -- the shared tag list -------------------------------------------------------------


def _tag_helper(action: str, submit_label: str, *fields) -> FormHelper:
    helper = FormHelper()
    helper.form_action = reverse("people:tags")
    helper.attrs = {"novalidate": ""}
    helper.layout = Layout(*fields, Hidden("action", action), Submit("submit", submit_label))
    return helper


class TagAddForm(VisibleTextFormMixin, forms.Form):
    name = forms.CharField(label="New tag", max_length=_max_length(Tag, "name"), help_text="e.g. “Public speaking”.")

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "add")
        super().__init__(*args, **kwargs)
        self.helper = _tag_helper("add", "Add tag", "name")


class TagRenameForm(VisibleTextFormMixin, forms.Form):
    tag = forms.ModelChoiceField(
        label="Tag to rename", queryset=Tag.objects.order_by("name"), empty_label="— Choose a tag —"
    )
    name = forms.CharField(label="New name", max_length=_max_length(Tag, "name"))

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "rename")
        super().__init__(*args, **kwargs)
        self.helper = _tag_helper("rename", "Rename", "tag", "name")


class TagMergeForm(forms.Form):
    source = forms.ModelChoiceField(
        label="Merge this tag",
        queryset=Tag.objects.order_by("name"),
        empty_label="— Choose a tag —",
        help_text="It is deleted after the merge.",
    )
    target = forms.ModelChoiceField(
        label="into this one",
        queryset=Tag.objects.order_by("name"),
        empty_label="— Choose a tag —",
        help_text="Profiles that used the first tag use this one instead.",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "merge")
        super().__init__(*args, **kwargs)
        self.helper = _tag_helper("merge", "Merge", "source", "target")

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            self.add_error("target", "Choose a different tag to merge into.")
        return cleaned


# -- roles ---------------------------------------------------------------------------


class RoleSearchForm(forms.Form):
    """The roles page's search: a name or address, and which role to list."""

    q = forms.CharField(label="Name or email", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "Everyone with a role"), ("coordinator", "Coordinators"), ("hr", "HR viewers"),
                 ("staff", "Support staff")],
    )  # fmt: skip


class RoleChangeForm(forms.Form):
    """One button of the roles page: give or take away one role of one person."""

    person = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    role = forms.ChoiceField(choices=[("coordinator", "coordinator"), ("hr", "HR viewer")])
    grant = forms.TypedChoiceField(choices=[("1", "give"), ("0", "take away")], coerce=lambda value: value == "1")

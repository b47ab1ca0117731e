import json

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row, Submit
from django import forms
from django.contrib.auth.password_validation import validate_password

from mentoring.widgets import DateInput
from people.models import LANGUAGES, Department, Profile, SeniorityLevel, Tag
from people.validators import VisibleTextFormMixin

from . import enrolment
from .models import Participant, Programme, programme_defaults

# Profile fields a programme's application form may ask for, in the form's words.
ASKABLE_PROFILE_FIELDS = [
    ("department", "Department"),
    ("job_title", "Job title"),
    ("seniority", "Seniority level"),
    ("skills", "Skills you can offer"),
    ("topics", "Topics you want help with"),
    ("languages", "Languages"),
    ("meeting_format", "Preferred meeting format"),
    ("bio", "A short bio"),
]


class ProgrammeForm(VisibleTextFormMixin, forms.ModelForm):
    questions = forms.CharField(
        label="Questions of your own",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, e.g. “What would make this programme a success for you?”",
    )
    asked_profile_fields = forms.MultipleChoiceField(
        label="Profile fields the application asks for",
        choices=ASKABLE_PROFILE_FIELDS,
        required=False,
        help_text="A new programme starts with what its kind needs for matching; untick what you would rather not ask.",
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Programme
        fields = [
            "name", "cohort", "kind", "purpose",
            "cadence", "meeting_minutes", "starts_on", "ends_on", "enrolment_opens_on", "enrolment_closes_on",
            "goals_expected", "goals_due_by_meeting",
            "matching_mode", "default_mentor_capacity", "rolling_enrolment", "approve_automatically",
            "demographics_use",
            "participant_kind_name", "seniority_check", "manager_nomination", "enrol_new_joiners", "admits_guests",
            "asked_profile_fields",
        ]  # fmt: skip
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "kind": forms.RadioSelect,
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "enrolment_opens_on": DateInput(),
            "enrolment_closes_on": DateInput(),
        }

    # Settings added after the form's first clients were written: a submission
    # without them keeps the programme's current value (a new one's default).
    KEPT_WHEN_LEFT_OUT = ("seniority_check", "manager_nomination")

    def __init__(self, *args, kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.KEPT_WHEN_LEFT_OUT:
            self.fields[name].required = False
        if self.instance.pk:
            self.fields["questions"].initial = "\n".join(self.instance.questions.values_list("text", flat=True))
        self.helper = FormHelper()
        if not self.instance.pk:
            # A new programme starts at its kind's defaults; static/js/app.js re-ticks
            # them when the kind changes, unless the coordinator has changed them.
            kind = kind if kind in Programme.Kind.values else Programme.Kind.TRADITIONAL
            self.initial.update(kind=kind, **programme_defaults(kind))
            self.helper.attrs = {
                "data-kind-defaults": json.dumps({k: programme_defaults(k) for k in Programme.Kind.values})
            }
        self.helper.layout = Layout(
            Fieldset("The programme", "name", "cohort", "kind", "purpose"),
            Fieldset(
                "The framework",
                Row(Column("cadence"), Column("meeting_minutes")),
                Row(Column("starts_on"), Column("ends_on")),
                Row(Column("enrolment_opens_on"), Column("enrolment_closes_on")),
                Row(Column("goals_expected"), Column("goals_due_by_meeting")),
            ),
            Fieldset(
                "Pairing",
                Row(Column("matching_mode"), Column("default_mentor_capacity")),
                "demographics_use",
                "rolling_enrolment",
                "approve_automatically",
            ),
            Fieldset(
                "Who takes part, and how they come in",
                "participant_kind_name",
                "seniority_check",
                "manager_nomination",
                "enrol_new_joiners",
                "admits_guests",
            ),
            Fieldset("The application", "asked_profile_fields", "questions"),
            Submit("save", "Save programme"),
        )

    def clean(self):
        cleaned = super().clean()
        for name in self.KEPT_WHEN_LEFT_OUT:
            if not cleaned.get(name) and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", "The programme must end after it starts.")
        opens, closes = cleaned.get("enrolment_opens_on"), cleaned.get("enrolment_closes_on")
        if opens and closes and closes < opens:
            self.add_error("enrolment_closes_on", "Enrolment must close on or after the day it opens.")
        return cleaned

    @property
    def question_texts(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data.get("questions", "").splitlines() if line.strip()]


SHARE_LABEL = "My match may read this answer"


class ApplicationForm(VisibleTextFormMixin, forms.Form):
    """Built from the programme's settings: the role, the mentor's capacity, the
    profile fields the programme asks for, and its own questions."""

    role = forms.ChoiceField(
        label="I would like to join as", choices=Participant.Role.choices, widget=forms.RadioSelect
    )
    capacity = forms.IntegerField(
        label="As a mentor, how many mentees can you take on at once?", min_value=1, max_value=5, required=False
    )
    motivation = forms.CharField(
        label="What do you hope to get from the programme?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=3000,
        required=False,
    )

    def __init__(
        self, *args, programme: Programme, profile_form: forms.Form | None = None,
        level: SeniorityLevel | None = None, **kwargs,
    ):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.who_mentors_whom = enrolment.who_mentors_whom(programme)
        # For the applicant's seniority (`level`), the roles it can never be matched in, and why
        # (templates/programmes/_role_fit.html): shown for the role chosen, before they send.
        scale = enrolment.Scale.current() if level is not None else None
        self.role_warnings = [
            (role, warning) for role, _ in Participant.Role.choices
            if (warning := enrolment.role_fit(programme, level, role, scale=scale))
        ]  # fmt: skip
        self.fields["capacity"].initial = programme.default_mentor_capacity
        self.question_fields = []
        for question in programme.questions.all():
            name = f"question_{question.pk}"
            self.fields[name] = forms.CharField(
                label=question.text, required=question.required, max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )  # fmt: skip
            self.question_fields.append((name, question))
        # Each answer is the coordinators' unless its author ticks that their match may read it too.
        for name in ("motivation", *(name for name, _ in self.question_fields)):
            self.fields[f"share_{name}"] = forms.BooleanField(label=SHARE_LABEL, required=False)
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The capacity question is for mentors: static/js/app.js shows it only while "Mentor" is chosen.
        self.helper.layout = Layout(
            "role", Div("capacity", data_show_if="role:mentor"), "motivation", "share_motivation",
            *(field for name, _ in self.question_fields for field in (name, f"share_{name}")),
        )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Participant.Role.MENTOR:
            if not cleaned.get("capacity") and "capacity" not in self.errors:
                self.add_error("capacity", "Say how many mentees you can take on (1 to 5).")
        else:
            # A mentee takes on nobody: whatever the hidden question holds is ignored.
            self.errors.pop("capacity", None)
            cleaned["capacity"] = None
        return cleaned

    @property
    def chosen_role(self) -> str:
        """The role ticked: as sent, or as asked for in the link (`?role=mentee`)."""
        return (self.data.get("role") if self.is_bound else self.initial.get("role")) or ""

    @property
    def answers(self) -> dict[str, str]:
        return {question.text: self.cleaned_data.get(name, "") for name, question in self.question_fields}

    @property
    def shared_answers(self) -> list[str]:
        """The answers marked "my match may read": "motivation" and question texts (the keys of `answers`)."""
        shared = ["motivation"] if self.cleaned_data.get("share_motivation") else []
        return shared + [question.text for name, question in self.question_fields
                         if self.cleaned_data.get(f"share_{name}")]  # fmt: skip


SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class ParticipantFilterForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "Any role"), *Participant.Role.choices], required=False, widget=SMALL_SELECT)
    status = forms.ChoiceField(
        choices=[("", "Any status"), *Participant.Status.choices], required=False, widget=SMALL_SELECT
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, empty_label="Any department", widget=SMALL_SELECT
    )
    q = forms.CharField(
        label="Name or email", required=False, max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}),
    )  # fmt: skip


class InviteForm(forms.Form):
    emails = forms.CharField(
        label="Email addresses",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One or more addresses, separated by commas or new lines.",
    )
    role = forms.ChoiceField(choices=Participant.Role.choices, widget=forms.RadioSelect)
    send_on = forms.DateField(
        label="Send on (optional)", required=False, widget=DateInput(),
        help_text="Empty: as soon as the programme is open for enrolment (at once if it is). "
        "A date: that day from 08:00, once the programme is open.",
    )  # fmt: skip

    def clean_send_on(self):
        from django.utils import timezone

        day = self.cleaned_data.get("send_on")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError("Choose today or a later date.")
        return day

    def clean_emails(self) -> list[str]:
        from django.core.validators import validate_email

        raw = [part.strip() for part in self.cleaned_data["emails"].replace(",", "\n").splitlines()]
        addresses, bad = [], []
        for address in filter(None, raw):
            try:
                validate_email(address)
                addresses.append(address.lower())
            except forms.ValidationError:
                bad.append(address)
        if bad:
            raise forms.ValidationError(f"These are not email addresses: {', '.join(bad)}")
        if not addresses:
            raise forms.ValidationError("Enter at least one email address.")
        return list(dict.fromkeys(addresses))


class CoordinatorAddForm(forms.Form):
    email = forms.EmailField(label="Email of the person to add as coordinator")


class RunAgainForm(VisibleTextFormMixin, forms.Form):
    """ "Run it again": the new cohort's name and what carries over (docs/cohorts.md).
    The choices' keys are outcomes.cohorts.CARRY's; `carry` lists the ticked ones."""

    cohort = forms.CharField(label="Name of the new cohort", max_length=60, help_text="e.g. “Autumn 2027”.")
    objectives = forms.BooleanField(
        label="Objectives",
        required=False,
        initial=True,
        help_text="The objectives and their targets, the self-assessment statements and the completion criteria.",
    )
    framework = forms.BooleanField(
        label="Framework",
        required=False,
        initial=True,
        help_text="Cadence, meeting length, goals expected, rolling enrolment and the meeting plan. "
        "Otherwise the new cohort starts at the defaults.",
    )
    matching = forms.BooleanField(
        label="Matching settings",
        required=False,
        initial=True,
        help_text="The matching mode, use of demographics, mentors' capacity, and the settings and weights. "
        "Never the pairs, nor the locks and forbids, which name this cohort's people.",
    )
    application = forms.BooleanField(
        label="Application questions",
        required=False,
        initial=True,
        help_text="The profile fields the application asks for and your own questions.",
    )
    library = forms.BooleanField(
        label="Resource library",
        required=False,
        initial=True,
        help_text="The programme's resources with their themes; not what mentors shared into pairs.",
    )
    circle = forms.BooleanField(
        label="Circles",
        required=False,
        initial=False,
        help_text="The mentors' circle and the mentees' circle, open or closed as now. Never the posts. "
        "Unticked, the new cohort's circles start when you open them.",
    )

    CARRY_FIELDS = ("objectives", "framework", "matching", "application", "library", "circle")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "cohort", Fieldset("What carries over", *self.CARRY_FIELDS), Submit("submit", "Start the new cohort")
        )

    @property
    def carry(self) -> list[str]:
        return [name for name in self.CARRY_FIELDS if self.cleaned_data.get(name)]


class ApplicationProfileForm(VisibleTextFormMixin, forms.ModelForm):
    """The profile fields a programme asks for on its application; saving
    updates the person's profile, so they answer once for every programme."""

    languages = forms.MultipleChoiceField(
        choices=[(name, name) for name in LANGUAGES], required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Profile
        fields = [name for name, _ in ASKABLE_PROFILE_FIELDS]
        widgets = {
            "skills": forms.CheckboxSelectMultiple,
            "topics": forms.CheckboxSelectMultiple,
            "bio": forms.Textarea(attrs={"rows": 3}),
        }
        labels = dict(ASKABLE_PROFILE_FIELDS)

    def __init__(self, *args, asked: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in asked:
                del self.fields[name]
        for name in ("skills", "topics"):
            if name in self.fields:
                self.fields[name].queryset = Tag.objects.all()
        self.helper = FormHelper()
        self.helper.form_tag = False


def application_profile_form(programme: Programme, *, data, instance: Profile) -> ApplicationProfileForm | None:
    asked = [name for name, _ in ASKABLE_PROFILE_FIELDS if name in programme.asked_profile_fields]
    if not asked:
        return None
    return ApplicationProfileForm(data, instance=instance, asked=asked, prefix="profile")


class InvitedAccountForm(VisibleTextFormMixin, forms.Form):
    """For an invited person without a password: their name and a password."""

    full_name = forms.CharField(label="Full name", max_length=150)
    password = forms.CharField(
        label="Choose a password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email: str, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        self.user = user
        if user is not None:
            self.fields["full_name"].initial = user.full_name

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password, user=self.user)
        return password


class GuideForm(VisibleTextFormMixin, forms.Form):
    """A coordinator's copy of a guide: plain text, shown escaped (programmes/guides.py)."""

    text = forms.CharField(
        label="Text of the guide", max_length=6000, required=False, widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Plain text. A blank line starts a new paragraph; a line starting with “- ” is a bullet point. "
        "Leave it empty to go back to the default text.",
    )  # fmt: skip


class GuestInviteForm(VisibleTextFormMixin, forms.Form):
    """A person from outside the organisation (programmes.guests)."""

    full_name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(label="Email address", max_length=254)
    organisation = forms.CharField(
        max_length=120, help_text="Where they come from, shown beside their name: e.g. “University of Leeds”."
    )
    role = forms.ChoiceField(choices=Participant.Role.choices, widget=forms.RadioSelect)

"""The directory's search form: a GET form, so a search is a shareable URL. Bad
values get an error beside their field, never a 500."""

from django import forms

from people.models import LANGUAGES, Department, Tag

from .directory import WITHIN_DAYS, Format, Search, Viewer


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label="Looking for", max_length=100, required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "e.g. SQL, public speaking, a name"}),
        error_messages={"max_length": "Keep the search under %(limit_value)d characters."},
    )  # fmt: skip
    topic = forms.CharField(
        label="Skill or topic", max_length=60, required=False,
        widget=forms.TextInput(attrs={"list": "directory-topics", "autocomplete": "off",
                                      "placeholder": "Start typing, pick from the list"}),
    )  # fmt: skip
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label="Any department",
        error_messages={"invalid_choice": "That department is not in the list; choose one from it."},
    )  # fmt: skip
    language = forms.ChoiceField(
        choices=[("", "Any language"), *[(x, x) for x in LANGUAGES]], required=False,
        error_messages={"invalid_choice": "“%(value)s” is not a language in the list; choose one from it."},
    )  # fmt: skip
    overlap = forms.BooleanField(label="Shares at least 2 working hours with me", required=False)
    format = forms.ChoiceField(
        choices=[("", "Video or in person"), (Format.VIDEO, "Video"), (Format.IN_PERSON, "In person at my site")],
        required=False,
        error_messages={"invalid_choice": "Choose video, in person, or either."},
    )  # fmt: skip
    within = forms.TypedChoiceField(
        label="Has a free slot", coerce=int, empty_value=None, required=False,
        choices=[("", "Any time"), *[(str(d), f"In the next {d} days") for d in WITHIN_DAYS]],
        error_messages={"invalid_choice": "Choose the next 7, 14 or 28 days."},
    )  # fmt: skip
    any_time = forms.BooleanField(label="Include slots at night for me", required=False)

    def __init__(self, *args, viewer: Viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "form-select form-select-sm"
            elif isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
            else:
                field.widget.attrs["class"] = "form-control form-control-sm"

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:  # marked for Bootstrap and tied to their message
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-describedby"] = f"id_{name}-error"

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())

    def clean_topic(self) -> Tag | None:
        name = " ".join(self.cleaned_data["topic"].split())
        if not name:
            return None
        tag = Tag.objects.filter(name__iexact=name).first()
        if tag is None:
            raise forms.ValidationError(f"No skill or topic is called “{name}”; pick one from the list.")
        return tag

    def clean_format(self) -> str:
        chosen = self.cleaned_data["format"]
        if chosen == Format.IN_PERSON and not self.viewer.site:
            raise forms.ValidationError("Add your location to your profile to find help in person at your site.")
        return chosen

    def search(self) -> Search:
        """The cleaned search (call after is_valid())."""
        data = self.cleaned_data
        return Search(
            text=data["q"], topic=data["topic"], department=data["department"], language=data["language"],
            overlap=data["overlap"], format=data["format"], within_days=data["within"], any_time=data["any_time"],
        )  # fmt: skip

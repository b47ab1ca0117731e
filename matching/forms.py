"""Forms of the matching console and of ending a match. They validate input only;
the views call the services, which enforce the matching rules."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from people.validators import VisibleTextFormMixin
from programmes.models import Participant, Programme

from .engine import Weights
from .models import Match, MatchingSettings, Proposal

# The engine's weights (matching.engine.Weights) in the coordinator's words. The
# consented attributes are weighed one by one on their own page (the programme's
# ProgrammeAttribute rows), which replace the engine's single `diversity` weight.
WEIGHT_FIELDS = [
    ("goal_skill", "Goals covered by skills",
     "The mentee's goals that the mentor lists among their skills."),
    ("topic", "Shared topics", "Topics both people list."),
    ("language", "A shared language", "At least one language in common."),
    ("timezone", "Close time zones",
     "Full points in the same time zone, half within three hours of each other."),
    ("meeting_format", "Meeting format fits",
     "Both prefer the same format (in person or video), or one of them is happy with either."),
    ("cross_dept", "Different departments",
     "Traditional and peer mentoring: a mentor from another part of the organisation."),
    ("cross_dept_reverse", "Different departments (reverse mentoring)",
     "Reverse mentoring: a mentor from another part of the organisation."),
]  # fmt: skip
# Not a criterion of a pair but of the whole assignment (matching.engine.Weights.spread).
SPREAD_FIELD = (
    "spread", "Spread mentees across mentors",
    "Each further mentee of a mentor counts this many points against the assignment: the second costs "
    "this much, the third twice as much (mentees a mentor already has count too). Higher spreads "
    "mentees over the mentors with room; 0 lets the best fits pile up. Never leaves a mentee unmatched.",
)  # fmt: skip
WEIGHT_MAX = 10
SETTING_LIMITS = {"candidates_per_mentee": (1, 500), "max_choices": (1, 10), "request_days": (1, 60)}


class MatchingSettingsForm(forms.ModelForm):
    """The programme's matching settings, with the engine's weights as number inputs."""

    class Meta:
        model = MatchingSettings
        fields = [
            "candidates_per_mentee", "periodic", "publish_directly", "max_choices", "request_days",
            "allow_rematch_with_previous",
        ]  # fmt: skip
        labels = {
            "candidates_per_mentee": "Mentors considered per mentee",
            "allow_rematch_with_previous": "Allow pairs who were matched before",
        }
        help_texts = {
            "candidates_per_mentee": "The engine keeps each mentee's best mentors up to this number; "
            "40 finds the best matching in practice.",
            "max_choices": "When participants choose: how many mentors a mentee may ask, in order.",
            "request_days": "When participants choose: after this many days a request passes to the next choice.",
            "allow_rematch_with_previous": "Otherwise a mentee is never proposed a mentor they had before, "
            "in this cohort or the previous one.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = {**Weights().__dict__, **(self.instance.weights or {})}
        for name, label, help_text in [*WEIGHT_FIELDS, SPREAD_FIELD]:
            self.fields[name] = forms.FloatField(
                label=label, help_text=help_text, min_value=0, max_value=WEIGHT_MAX, initial=current[name],
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": WEIGHT_MAX}),
            )  # fmt: skip
        for name, (low, high) in SETTING_LIMITS.items():
            field = self.fields[name]
            field.validators += [MinValueValidator(low), MaxValueValidator(high)]
            field.widget.attrs.update(min=low, max=high)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                "How much each criterion counts",
                HTML('<p class="small text-body-secondary">Points for a perfect fit, from 0 (ignored) to 10. '
                     "Hard rules come first whatever the weights: the mentor's seniority, reporting lines, "
                     "capacity and your locks and forbids. Consented attributes (pairs who differ or are alike) "
                     "are chosen and weighed on the programme's <em>Attributes</em> page.</p>"),
                *[Row(*[Column(name, css_class="col-md-6") for name, _, _ in WEIGHT_FIELDS[i:i + 2]])
                  for i in range(0, len(WEIGHT_FIELDS), 2)],
            ),
            Fieldset("Spreading the load", Row(Column("spread", css_class="col-md-6"))),
            Fieldset("The engine", Row(Column("candidates_per_mentee"), Column("allow_rematch_with_previous"))),
            Fieldset("Rolling enrolment", "periodic", "publish_directly"),
            Fieldset("Participant choice", Row(Column("max_choices"), Column("request_days"))),
            Submit("save", "Save matching settings"),
        )  # fmt: skip

    def save(self, commit: bool = True) -> MatchingSettings:
        self.instance.weights = {name: self.cleaned_data[name] for name, _, _ in [*WEIGHT_FIELDS, SPREAD_FIELD]}
        return super().save(commit=commit)


SELECT = "form-select form-select-sm"


def _person(participant: Participant) -> str:
    return str(participant.user)


class SwapForm(forms.Form):
    """Two proposals of a run whose mentors change places. The choices come from the
    proposals the page already loaded, so the form costs no query."""

    first = forms.TypedChoiceField(label="First pair", coerce=int, widget=forms.Select(attrs={"class": SELECT}))
    second = forms.TypedChoiceField(label="Second pair", coerce=int, widget=forms.Select(attrs={"class": SELECT}))

    def __init__(self, *args, proposals: list[Proposal], **kwargs):
        super().__init__(*args, **kwargs)
        self.proposals = {p.pk: p for p in proposals}
        choices = [("", "Choose a pair")] + [
            (p.pk, f"{_person(p.mentee)} ← {_person(p.mentor)}")
            for p in sorted(proposals, key=lambda p: (str(p.mentee.user), p.pk))
        ]
        for name in ("first", "second"):
            self.fields[name].choices = choices

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("first"), cleaned.get("second")
        if first is not None and first == second:
            raise forms.ValidationError("Choose two different pairs to swap.")
        if first is not None and second is not None:
            cleaned["first"], cleaned["second"] = self.proposals[first], self.proposals[second]
        return cleaned


class AssignForm(forms.Form):
    """A mentee waiting for a mentor (with a proposed mentor in this run or not) and
    a mentor with room, paired by hand: a proposed mentee moves to the new mentor."""

    mentee = forms.TypedChoiceField(label="Mentee", coerce=int, widget=forms.Select(attrs={"class": SELECT}))
    mentor = forms.TypedChoiceField(label="Mentor", coerce=int, widget=forms.Select(attrs={"class": SELECT}))

    def __init__(self, *args, mentees: list[Participant], mentors: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        self.mentees = {m.pk: m for m in mentees}
        self.mentors = {m.pk: m for m in mentors}
        self.fields["mentee"].choices = [("", "Choose a mentee")] + [(m.pk, _waiting(m)) for m in mentees]
        self.fields["mentor"].choices = [("", "Choose a mentor")] + [
            (m.pk, f"{_person(m)} ({_places(getattr(m, 'room', None))})") for m in mentors
        ]

    def clean(self):
        cleaned = super().clean()
        if "mentee" in cleaned:
            cleaned["mentee"] = self.mentees[cleaned["mentee"]]
        if "mentor" in cleaned:
            cleaned["mentor"] = self.mentors[cleaned["mentor"]]
        return cleaned


def _waiting(mentee: Participant) -> str:
    proposal = getattr(mentee, "proposal", None)
    return f"{_person(mentee)} (now with {proposal.mentor.user})" if proposal else f"{_person(mentee)} (no pair yet)"


def _places(room: int | None) -> str:
    if room is None:
        return "has room"
    if room <= 0:
        return "full in this run"
    return f"{room} place{'' if room == 1 else 's'} left"


class MatchFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Show", required=False, choices=[("", "All matches"), *Match.Status.choices],
        widget=forms.Select(attrs={"class": SELECT}),
    )  # fmt: skip


def after_rematch(programme: Programme, *, allow_previous: bool, who: str = "you") -> str:
    """What happens when the mentee asks for a new mentor, as the code does it: the
    next run includes them (in a choice-only programme they choose again), and the
    old mentor is not proposed again unless the programme allows earlier pairs."""
    subject = "You" if who == "you" else "They"
    if programme.matching_mode == Programme.MatchingMode.CHOICE:
        then = f"{subject} can choose a new mentor from the suggestions"
    else:
        then = f"{subject} will be included in the next matching"
    if allow_previous:
        return f"{then}; this programme may pair {who} with the same mentor again."
    return f"{then}, never with the same mentor again."


class EndMatchForm(VisibleTextFormMixin, forms.Form):
    """Why a match ends; the mentee (or a coordinator for them) may ask for a new mentor."""

    reason = forms.ChoiceField(label="Why is the match ending?", choices=Match.EndReason.choices,
                               widget=forms.RadioSelect)  # fmt: skip
    note = forms.CharField(
        label="A note (optional)", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Seen by the programme's coordinators.",
    )  # fmt: skip
    rematch = forms.BooleanField(label="I would like a new mentor", required=False)

    def __init__(self, *args, role: str, programme: Programme, allow_previous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if role == "mentor":
            del self.fields["rematch"]  # the mentee's wish, not the mentor's
        elif role == "coordinator":
            rematch = self.fields["rematch"]
            rematch.label = "The mentee would like a new mentor"
            rematch.help_text = after_rematch(programme, allow_previous=allow_previous, who="them")
        else:
            self.fields["rematch"].help_text = after_rematch(programme, allow_previous=allow_previous)


class ProgrammeAttributesForm(forms.Form):
    """The attributes a programme's matching weighs: for each active attribute, not
    used / prefer pairs who differ / prefer pairs who are alike, and a weight. The
    view hands the cleaned choices to services.programme_attributes_set."""

    use = forms.BooleanField(
        label="Use consented attributes in the matching runs you start", required=False,
        help_text="Only your whole-cohort runs read them. Participants' suggestions and requests never do.",
    )  # fmt: skip

    def __init__(self, *args, attributes: list, chosen: dict, use: bool, **kwargs):
        super().__init__(*args, initial={"use": use}, **kwargs)
        from programmes.models import ProgrammeAttribute

        self.attributes = attributes
        for attribute in attributes:
            row = chosen.get(attribute.pk)
            self.fields[f"aim_{attribute.pk}"] = forms.ChoiceField(
                label=attribute.label, required=False, initial=row.aim if row else "",
                choices=[("", "Not used"), *ProgrammeAttribute.Aim.choices],
                widget=forms.Select(attrs={"class": SELECT}),
            )  # fmt: skip
            self.fields[f"weight_{attribute.pk}"] = forms.IntegerField(
                label=f"Weight for {attribute.label}", required=False, min_value=1, max_value=10,
                initial=row.weight if row else 5,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm", "min": 1, "max": 10}),
            )  # fmt: skip

    def rows(self) -> list[tuple]:
        """(attribute, aim field, weight field) for the template's table."""
        return [(a, self[f"aim_{a.pk}"], self[f"weight_{a.pk}"]) for a in self.attributes]

    def clean(self):
        cleaned = super().clean()
        choices = []
        for attribute in self.attributes:
            aim = cleaned.get(f"aim_{attribute.pk}") or None
            weight = cleaned.get(f"weight_{attribute.pk}")
            choices.append((attribute.pk, aim, 5 if weight is None else weight))
        if cleaned.get("use") and not any(aim for _, aim, _ in choices):
            raise forms.ValidationError(
                "Choose at least one attribute for pairs to differ or be alike on, or untick "
                "“Use consented attributes”."
            )
        cleaned["choices"] = choices
        return cleaned

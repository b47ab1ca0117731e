"""Names and text others read hold no invisible or direction-changing character
(issue 13, item 9): people.validators decides, forms refuse with a clear error,
the roster import shows it on the line, single sign-on and the roster sync
remove them. Joiners that scripts and emoji need are kept."""

import io

import pytest
from django import forms
from django.urls import reverse

import mentoring.urls  # noqa: F401 (imports every view, so every form class exists)
from people.validators import (
    VisibleTextFormMixin,
    invisible_characters,
    strip_invisible,
    visible_text_validator,
)

RLO, LRI, PDI, ZWSP, WJ, BOM, ZWJ, ZWNJ = "\u202e", "\u2066", "\u2069", "\u200b", "\u2060", "\ufeff", "\u200d", "\u200c"
VIRAMA_DEVANAGARI, VIRAMA_SINHALA = "\u094d", "\u0dca"

# Each is refused in a name; the character named in the error is the first one.
REFUSED = {
    "right-to-left override": ("Alice" + RLO + "nimda", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "left-to-right embedding": ("\u202aAlice", "U+202A (LEFT-TO-RIGHT EMBEDDING)"),
    "pop directional formatting": ("Alice\u202c", "U+202C (POP DIRECTIONAL FORMATTING)"),
    "isolates": (f"Al{LRI}ice{PDI}", "U+2066 (LEFT-TO-RIGHT ISOLATE)"),
    "first strong isolate": ("\u2068Alice", "U+2068 (FIRST STRONG ISOLATE)"),
    "zero-width space": (f"Al{ZWSP}ice", "U+200B (ZERO WIDTH SPACE)"),
    "word joiner": (f"Ali{WJ}ce", "U+2060 (WORD JOINER)"),
    "byte-order mark": (f"{BOM}Alice", "U+FEFF (ZERO WIDTH NO-BREAK SPACE)"),
    "soft hyphen": ("Ali\u00adce", "U+00AD (SOFT HYPHEN)"),
    "hangul filler": ("\u3164", "U+3164 (HANGUL FILLER)"),
    "braille blank": ("Alice\u2800", "U+2800 (BRAILLE PATTERN BLANK)"),
    "invisible times": ("Al\u2062ice", "U+2062 (INVISIBLE TIMES)"),
    "zwj between latin letters": (f"Al{ZWJ}ice", "U+200D (ZERO WIDTH JOINER)"),
    "zwnj between latin letters": (f"Al{ZWNJ}ice", "U+200C (ZERO WIDTH NON-JOINER)"),
    "zwj at the end": (f"Alice{ZWJ}", "U+200D (ZERO WIDTH JOINER)"),
    "zwj after a space": (f"Alice {ZWJ}Adams", "U+200D (ZERO WIDTH JOINER)"),
    "two joiners in a row": (f"\u0645{ZWNJ}{ZWNJ}\u062e", "U+200C (ZERO WIDTH NON-JOINER)"),
    "a tag outside a flag": ("Alice\U000e0067", "U+E0067 (TAG LATIN SMALL LETTER G)"),
}

# Each is accepted: scripts and emoji that need a joiner, and marks that are visible or harmless.
KEPT = {
    "persian zwnj inside a word": "\u0645\u06cc" + ZWNJ + "\u062e\u0648\u0627\u0647\u0645",
    "devanagari half form": "\u0915" + VIRAMA_DEVANAGARI + ZWJ + "\u0937",
    "sinhala sri": "\u0dc1" + VIRAMA_SINHALA + ZWJ + "\u0dbb\u0dd3",
    "malayalam older chillu at a word's end": "\u0d05\u0d35\u0d28\u0d4d" + ZWJ + " \u0d35\u0d28\u0d4d",
    "woman technologist": "\U0001f469" + ZWJ + "\U0001f4bb",
    "with a skin tone": "\U0001f469\U0001f3fd" + ZWJ + "\U0001f4bb",
    "family": "\U0001f468" + ZWJ + "\U0001f469" + ZWJ + "\U0001f467",
    "rainbow flag": "\U0001f3f3\ufe0f" + ZWJ + "\U0001f308",
    "heart on fire": "\u2764\ufe0f" + ZWJ + "\U0001f525",
    "scotland's flag": "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "hebrew with a right-to-left mark": "\u05e9\u05dc\u05d5\u05dd\u200f!",
    "arabic number sign": "\u0600\u0661\u0662",
    "accents and other scripts": "Zoë Ødegård-Nakamura 中村 Łukasz",
}


@pytest.mark.parametrize("name", REFUSED, ids=list(REFUSED))
def test_each_invisible_or_direction_changing_character_is_refused_and_named(name):
    text, described = REFUSED[name]

    with pytest.raises(forms.ValidationError) as raised:
        visible_text_validator(forms.CharField())(text)

    assert described in raised.value.messages[0]
    assert raised.value.messages[0].startswith("Remove the ")
    assert invisible_characters(strip_invisible(text)) == []


@pytest.mark.parametrize("name", KEPT, ids=list(KEPT))
def test_joiners_that_scripts_and_emoji_need_are_kept(name):
    text = KEPT[name]

    visible_text_validator(forms.CharField())(text)  # no error
    assert invisible_characters(text) == []
    assert strip_invisible(text) == text


def test_text_areas_keep_their_line_breaks_and_names_do_not():
    name, text = (
        visible_text_validator(forms.CharField()),
        visible_text_validator(forms.CharField(widget=forms.Textarea)),
    )

    text("First line.\r\nSecond\tline.")
    with pytest.raises(forms.ValidationError, match="Keep this on one line"):
        name("Alice\nAdams")
    assert strip_invisible("Alice\nAdams") == "Alice Adams"


# -- every form with text others read uses it ---------------------------------------------

PROJECT_APPS = ("people", "programmes", "matching", "sessions_log", "circles", "surveys", "engagement", "reports",
                "directory", "privacy", "audit", "notifications", "mentoring", "demo")  # fmt: skip
# Forms whose text fields are not read by anyone else, each with why.
NOT_READ_BY_OTHERS = {
    "people.forms.AttributeAnswerForm": "self-described answers, never shown to anyone (docs/self-description.md)",
    "programmes.forms.ParticipantFilterForm": "a search box",
    "programmes.forms.InviteForm": "email addresses, each validated as one",
    "audit.forms.AuditFilterForm": "a search box",
    "people.forms.RoleSearchForm": "a search box",
}


def project_forms() -> list[type]:
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted(
        {cls for cls in subclasses(forms.BaseForm) if cls.__module__.split(".")[0] in PROJECT_APPS},
        key=lambda cls: f"{cls.__module__}.{cls.__name__}",
    )


def test_every_form_with_text_fields_refuses_invisible_characters_or_says_why_not():
    """A form added later with a text field and without the mixin fails here."""
    missing = []
    for cls in project_forms():
        name = f"{cls.__module__}.{cls.__name__}"
        has_text = any(visible_text_validator(field) for field in cls.base_fields.values())
        if has_text and not issubclass(cls, VisibleTextFormMixin) and name not in NOT_READ_BY_OTHERS:
            missing.append(name)
    assert not missing, f"forms with text fields but without VisibleTextFormMixin: {missing}"
    assert len(project_forms()) > 40  # the walk found the forms


# -- the entry points ---------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_up_refuses_a_name_with_a_bidi_override(client):
    response = client.post(reverse("account_signup"), {
        "full_name": "Alice" + RLO + "nimda", "email": "new@example.org",
        "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1",
    })  # fmt: skip

    assert response.status_code == 200
    assert "Remove the direction-changing character U+202E (RIGHT-TO-LEFT OVERRIDE)" in response.content.decode()
    from people.models import User

    assert not User.objects.filter(email="new@example.org").exists()


@pytest.mark.django_db
def test_the_profile_refuses_an_invisible_character_in_the_title_and_bio(client, alice):
    from people.tests.test_profiles import form_data as profile_data

    client.force_login(alice)
    response = client.post(reverse("people:profile_edit"), profile_data(job_title=f"C{ZWSP}EO", bio=f"Hi{WJ}"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Remove the invisible character U+200B (ZERO WIDTH SPACE)" in page
    assert "Remove the invisible character U+2060 (WORD JOINER)" in page


@pytest.mark.django_db
def test_the_invitation_form_refuses_a_spoofed_name(client, carol):
    from programmes.services import invitations_create
    from programmes.tests.factories import make_programme

    programme = make_programme(carol)
    (invitation,) = invitations_create(programme=programme, people=[("ivy@example.org", "mentee")], by=carol)

    response = client.post(reverse("programmes:invitation", args=[invitation.token]),
                           {"full_name": f"Ivy{RLO}", "password": "a-long-enough-password-1"})  # fmt: skip

    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in response.content.decode()


@pytest.mark.django_db
def test_a_programme_name_and_a_circle_post_refuse_them(client, carol):
    client.force_login(carol)
    response = client.post(reverse("programmes:create"), {
        "name": f"Mentoring{BOM}", "kind": "traditional", "purpose": "Learn.", "matching_mode": "coordinator",
    })  # fmt: skip

    assert "U+FEFF (ZERO WIDTH NO-BREAK SPACE)" in response.content.decode()

    from circles.forms import PostForm

    post = PostForm(data={"title": f"Hello{LRI}", "body": f"Line one\nline{RLO} two"})
    assert not post.is_valid()
    assert "U+2066 (LEFT-TO-RIGHT ISOLATE)" in post.errors["title"][0]
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in post.errors["body"][0]


@pytest.mark.django_db
def test_a_resource_title_a_recap_and_a_coordinators_message_refuse_them():
    from engagement.forms import MessageForm
    from sessions_log.forms_recaps import RecapForm
    from sessions_log.forms_resources import ResourceForm

    resource = ResourceForm(data={"title": f"Guide{RLO}fdp.exe", "kind": "book"})
    message = MessageForm(data={"message": f"Please{ZWSP} reply"})

    assert "U+202E" in resource.errors["title"][0]
    assert "U+200B" in message.errors["message"][0]
    assert "discussed" in RecapForm.base_fields and issubclass(RecapForm, VisibleTextFormMixin)


@pytest.mark.django_db
def test_a_persian_name_and_an_emoji_post_are_accepted(client):
    from circles.forms import PostForm

    name = "\u0645\u0631\u06cc\u0645" + " \u0646\u06cc" + ZWNJ + "\u06a9\u0648"
    response = client.post(reverse("account_signup"), {
        "full_name": name, "email": "maryam@example.org",
        "password1": "a-long-enough-password-1", "password2": "a-long-enough-password-1",
    })  # fmt: skip

    assert response.status_code == 302
    from people.models import User

    assert User.objects.get(email="maryam@example.org").full_name == name
    assert PostForm(
        data={"title": "Team \U0001f469" + ZWJ + "\U0001f4bb", "body": "\U0001f3f3\ufe0f" + ZWJ + "\U0001f308"}
    ).is_valid()


@pytest.mark.django_db
def test_a_roster_line_with_one_is_an_error_shown_without_the_character(carol):
    from programmes.roster import roster_can_apply, roster_parse
    from programmes.tests.factories import make_programme

    programme = make_programme(carol)
    text = "name,email,department,title,role\n" + f"Dana{RLO}Diaz,dana@example.org,Sa{ZWSP}les,Lead,mentee\n"

    roster_import = roster_parse(programme=programme, uploaded_file=io.BytesIO(text.encode()), filename="r.csv",
                                 by=carol)  # fmt: skip

    [row] = roster_import.rows
    assert row["errors"] == [
        "In the name, remove the direction-changing character U+202E (RIGHT-TO-LEFT OVERRIDE): it makes the text "
        "read differently from what it is.",
        "In the department, remove the invisible character U+200B (ZERO WIDTH SPACE): it could make this text look "
        "like something else.",
    ]
    assert row["values"]["name"] == "Dana\ufffdDiaz"  # the preview shows where it was, not the character
    assert not roster_can_apply(roster_import)


def test_single_sign_on_names_lose_them():
    from people.adapters import full_name_from_claims

    assert full_name_from_claims({"name": f"{BOM}Dana{RLO} Diaz{ZWSP}"}) == "Dana Diaz"
    assert full_name_from_claims({"first_name": "Ma" + ZWJ + "ria", "last_name": "Nov\u2060ak"}) == "Maria Novak"


@pytest.mark.django_db
def test_the_roster_sync_removes_them_from_titles_and_departments(tmp_path, carol):
    from directory.sync import roster_sync
    from directory.tests.conftest import hr_file
    from matching.tests.factories import make_person

    dana = make_person("Dana Diaz", email="dana@example.org", seniority=2, department="Finance")

    roster_sync(path=hr_file(tmp_path, [{"employee_id": "E1", "email": dana.email, "full_name": "Dana Diaz",
                                         "department": f"Fin{ZWSP}ance", "job_title": f"Lead{RLO}"}]))  # fmt: skip

    dana.profile.refresh_from_db()
    assert (dana.profile.department.name, dana.profile.job_title) == ("Finance", "Lead")

"""allauth's pages speak like the rest of the app, in sentence case: "Sign in",
"Sign up", "Change password", never "Sign In", "Signup" or "Change Password".
Its words are overridden in one place, locale/en/LC_MESSAGES/django.po (our
own templates in templates/account/ say the same)."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext

from mentoring.tests.url_table import ACCOUNT_ARGS, url_patterns

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
# Words that keep their capital inside a phrase.
PROPER = {"I", "Mentoring", "Mentoring:", "OpenID", "Connect", "SAML", "ID", "IdP"}


class Phrases(HTMLParser):
    """The short texts people read as labels: title, headings, buttons, labels, links."""

    TAGS = {"title", "h1", "h2", "h3", "h4", "h5", "h6", "button", "label", "a", "legend", "summary", "th"}

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.phrases: list[str] = []
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.TAGS:
            self.open.append(tag)
            self.current.append("")
        if tag == "input" and dict(attrs).get("type") == "submit":
            self.phrases.append(dict(attrs).get("value", ""))

    def handle_endtag(self, tag):
        if tag in self.TAGS and self.open and self.open[-1] == tag:
            self.open.pop()
            self.phrases.append(" ".join(self.current.pop().split()))

    def handle_data(self, data):
        if self.current:
            self.current[-1] += data


def title_case(phrase: str) -> bool:
    """True for "Sign In" or "Signup": a capital after the first word (bar proper nouns), or "Signup"."""
    if "@" in phrase:
        return False  # a row of data ("alice@example.org Verified Primary"), not a label
    words = re.sub(r"[·|]", " ", phrase).split()
    if any(word.strip(".,:?!") in {"Signup", "Login", "Logout"} for word in words):
        return True
    later = [word for word in words[1:] if word not in PROPER]
    return any(word[:1].isupper() and word[1:2].islower() for word in later)


def phrases_of(html: str) -> list[str]:
    parser = Phrases()
    parser.feed(html)
    return [phrase for phrase in parser.phrases if phrase]


def allauth_pages():
    for name, route, pattern in url_patterns():
        if route.startswith("accounts/") and name and (name in ACCOUNT_ARGS or not pattern.pattern.converters):
            yield name, reverse(name, args=ACCOUNT_ARGS.get(name, []))


def test_the_checker_sees_title_case():
    assert title_case("Sign In") and title_case("Signup") and title_case("Reset My Password")
    assert not title_case("Sign in") and not title_case("Sign in with OpenID Connect")
    assert not title_case("Welcome to Mentoring")


def test_every_allauth_page_speaks_in_sentence_case(client, alice):
    offenders, seen = [], 0
    for who in ("anonymous", "alice"):
        if who == "alice":
            client.force_login(alice)
        for name, url in allauth_pages():
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            seen += 1
            offenders += [(who, name, phrase) for phrase in phrases_of(response.content.decode()) if title_case(phrase)]
    assert seen >= 10, "the pages were reached"
    assert offenders == [], "\n".join(map(str, sorted(set(offenders))))


def test_the_sign_in_page_in_sentence_case(client):
    page = client.get(reverse("account_login")).content.decode()
    assert "<title>Sign in ·" in page
    assert ">Sign in</h1>" in page and ">Sign in</button>" in page
    assert "Remember me" in page


def test_the_mails_allauth_sends_have_sentence_case_subjects(client):
    client.post(reverse("account_signup"), {
        "full_name": "Dana Diaz", "email": "dana@example.org",
        "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase",
    })  # fmt: skip
    client.post(reverse("account_logout"))
    client.post(reverse("account_reset_password"), {"email": "dana@example.org"})

    subjects = [message.subject for message in mail.outbox]
    assert subjects == ["[Mentoring] Please confirm your email address", "[Mentoring] Password reset email"]


def test_the_compiled_catalogue_matches_its_source():
    """locale/en/LC_MESSAGES/django.mo is compiled from the .po beside it
    (`python manage.py compilemessages -l en`): every entry translates as written."""
    source = (REPO / "locale/en/LC_MESSAGES/django.po").read_text()
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', source, re.M)
    assert len(entries) > 40
    for msgid, msgstr in entries:
        assert gettext(msgid) == msgstr, f"{msgid!r}: recompile the .mo"

"""The preferences page (each person their own, kinds grouped, coordinator kinds
for coordinators only, bad input refused) and the unsubscribe link (no sign-in,
GET only asks, POST turns off one kind for one person, forged links refused).

alice and bob are participants (bob mentors alice), carol coordinates their
programme, hana is HR, sam is staff."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from notifications import services
from notifications.models import Delivery, NotificationPreference
from notifications.services import UNSUBSCRIBE_SALT, notify_many, preference_set, unsubscribe_token
from people.tests.factories import UserFactory
from programmes.services import coordinator_add

from .conftest import action_notice

PREFERENCES = reverse("notifications:preferences")
PARTICIPANT_KINDS = {"meeting_upcoming", "recap_due", "action_due", "goals_overdue", "profile_incomplete",
                     "application_unmatched", "request_unanswered", "pair_nudge"}  # fmt: skip
COORDINATOR_KINDS = {"pair_needs_coordinator", "coordinator_digest"}


def signed_in(client, user) -> Client:
    client.force_login(user)
    return client


def choices(response) -> dict[str, list[str]]:
    """Each kind on the page with the deliveries it offers."""
    return {name: [value for value, _label in field.choices] for name, field in response.context["form"].fields.items()}


def shown(response) -> dict[str, str]:
    """Each kind on the page with the delivery currently chosen for it, as a browser would post it back."""
    form = response.context["form"]
    return {name: form[name].value() for name in form.fields}


def preferences_of(user) -> dict[str, str]:
    return dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))


# -- the preferences page --------------------------------------------------------


def test_the_preferences_page_asks_anonymous_visitors_to_sign_in(client, db):
    response = client.get(PREFERENCES)
    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={PREFERENCES}"
    assert client.post(PREFERENCES, {"action_due": "off"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_page_lists_a_participants_kinds_grouped_with_no_row_meaning_straight_away(client, alice):
    response = signed_in(client, alice).get(PREFERENCES)
    assert response.status_code == 200
    # Other apps register kinds too; the engagement app's are all there, grouped by their headings.
    assert set(choices(response)) >= PARTICIPANT_KINDS
    assert set(shown(response).values()) == {"immediate"}
    groups = dict(response.context["form"].grouped())
    assert {field.name for field in groups["Meetings"]} >= {"meeting_upcoming", "recap_due"}
    assert {field.name for field in groups["Goals and actions"]} >= {"action_due", "goals_overdue"}
    html = response.content.decode()
    assert html.index('<legend class="h5">Meetings</legend>') < html.index("A reminder the day before a meeting")
    assert "Actions of yours due tomorrow" in html


def test_coordinator_kinds_are_shown_to_coordinators_and_staff_only(client, alice, carol, hana, sam):
    for person, sees_them in ((alice, False), (hana, False), (carol, True), (sam, True)):
        response = signed_in(client, person).get(PREFERENCES)
        listed = set(choices(response))
        assert (listed >= COORDINATOR_KINDS) is sees_them, person
        assert ("Coordinating" in dict(response.context["form"].grouped())) is sees_them, person
        assert listed >= PARTICIPANT_KINDS, person


def test_a_participant_added_as_a_coordinator_sees_the_coordinator_kinds(client, pair, carol, alice):
    """Co-coordinators need not have the "may create programmes" flag; they get the
    coordinators' notices all the same, so they must be able to choose them."""
    coordinator_add(programme=pair.programme, email=alice.email, by=carol, confirmed=True)  # she takes part: confirmed
    assert set(choices(signed_in(client, alice).get(PREFERENCES))) >= COORDINATOR_KINDS


def test_kinds_that_cannot_be_turned_off_or_batched_are_not_listed(client, alice):
    listed = choices(signed_in(client, alice).get(PREFERENCES))
    assert "coordinator_message" not in listed  # neither optional nor digestible: nothing to choose
    assert "weekly_digest" not in listed


def test_a_kind_that_cannot_be_turned_off_offers_no_never(client, alice, mandatory_kind):
    response = signed_in(client, alice).get(PREFERENCES)
    assert choices(response)[mandatory_kind.key] == ["immediate", "digest"]
    html = response.content.decode()
    assert f'name="{mandatory_kind.key}" value="digest"' in html
    assert f'name="{mandatory_kind.key}" value="off"' not in html


def test_a_kind_that_cannot_wait_offers_no_digest(client, alice):
    response = signed_in(client, alice).get(PREFERENCES)
    assert choices(response)["pair_nudge"] == ["immediate", "off"]
    assert choices(response)["goals_overdue"] == ["immediate", "digest", "off"]
    # Day-bound reminders: by Monday's digest the day would be past.
    assert choices(response)["action_due"] == ["immediate", "off"]
    assert choices(response)["meeting_upcoming"] == ["immediate", "off"]
    html = response.content.decode()
    assert 'name="pair_nudge" value="digest"' not in html
    assert 'name="pair_nudge" value="off"' in html


def test_saving_keeps_the_choices_and_stores_only_what_changed(client, alice, bob):
    client = signed_in(client, alice)
    posted = shown(client.get(PREFERENCES)) | {"goals_overdue": "digest", "pair_nudge": "off"}
    response = client.post(PREFERENCES, posted, follow=True)
    assert response.redirect_chain == [(PREFERENCES, 302)]
    assert "Your notification settings are saved." in response.content.decode()
    assert preferences_of(alice) == {"goals_overdue": "digest", "pair_nudge": "off"}
    assert preferences_of(bob) == {}
    assert shown(response) == posted
    html = response.content.decode()
    assert re.search(r'name="goals_overdue" value="digest"[^>]*checked', html)
    assert re.search(r'name="pair_nudge" value="off"[^>]*checked', html)

    back = shown(response) | {"goals_overdue": "immediate"}
    client.post(PREFERENCES, back)
    assert preferences_of(alice) == {"goals_overdue": "immediate", "pair_nudge": "off"}


def test_an_unknown_choice_returns_the_form_with_an_error_and_changes_nothing(client, alice):
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    client = signed_in(client, alice)
    posted = shown(client.get(PREFERENCES)) | {"action_due": "hourly", "pair_nudge": "off"}
    response = client.post(PREFERENCES, posted)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "action_due": ["Select a valid choice. hourly is not one of the available choices."]
    }
    html = response.content.decode()
    assert "Select a valid choice. hourly is not one of the available choices." in html
    assert "Your notification settings are saved." not in html
    assert re.search(r'name="pair_nudge" value="off"[^>]*checked', html), "the rest comes back as posted"
    assert preferences_of(alice) == {"recap_due": "digest"}


def test_never_posted_for_a_kind_that_cannot_be_turned_off_is_refused(client, alice, mandatory_kind):
    client = signed_in(client, alice)
    posted = shown(client.get(PREFERENCES)) | {mandatory_kind.key: "off", "goals_overdue": "digest"}
    response = client.post(PREFERENCES, posted)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [mandatory_kind.key]
    assert preferences_of(alice) == {}


def test_a_digest_posted_for_a_kind_that_cannot_wait_is_refused(client, alice):
    client = signed_in(client, alice)
    response = client.post(PREFERENCES, shown(client.get(PREFERENCES)) | {"pair_nudge": "digest"})
    assert list(response.context["form"].errors) == ["pair_nudge"]
    assert preferences_of(alice) == {}


def test_a_participant_cannot_set_a_coordinator_kind(client, alice):
    client = signed_in(client, alice)
    client.post(PREFERENCES, shown(client.get(PREFERENCES)) | {"coordinator_digest": "off"})
    assert preferences_of(alice) == {}


def test_each_person_saves_only_their_own_choices(client, alice, bob, hana):
    preference_set(user=alice, kind_key="goals_overdue", delivery=Delivery.DIGEST)
    for person in (bob, hana):
        signed_in(client, person)
        client.post(PREFERENCES, shown(client.get(PREFERENCES)) | {"goals_overdue": "off"})
        assert preferences_of(person) == {"goals_overdue": "off"}
    assert preferences_of(alice) == {"goals_overdue": "digest"}


def test_the_page_costs_the_same_queries_with_no_choices_and_with_many(client, alice, django_assert_num_queries):
    client = signed_in(client, alice)
    client.get(PREFERENCES)  # warm up the session
    # session, user, her preferences, whether she coordinates a programme, the navigation's circles,
    # the navigation's unread messages
    with django_assert_num_queries(6):
        small = client.get(PREFERENCES)
    for kind in choices(small):
        preference_set(user=alice, kind_key=kind, delivery=choices(small)[kind][-1])  # "off" where it may be
    others = UserFactory.create_batch(20)
    NotificationPreference.objects.bulk_create(
        NotificationPreference(user=other, kind=kind, delivery=Delivery.OFF)
        for other in others
        for kind in ("action_due", "recap_due")
    )
    with django_assert_num_queries(6):
        large = client.get(PREFERENCES)
    assert len(preferences_of(alice)) == len(choices(large)) >= len(PARTICIPANT_KINDS)
    assert shown(large)["action_due"] == "off"


# -- unsubscribing ---------------------------------------------------------------


def unsubscribe_path(user, kind: str) -> str:
    return reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, kind)])


@pytest.fixture
def csrf_client():
    """A mail client posting RFC 8058's one-click unsubscribe: no session, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def test_opening_the_link_only_asks_and_changes_nothing(client, alice):
    response = client.get(unsubscribe_path(alice, "action_due"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Stop emailing alice@example.org about: <strong>Actions of yours due tomorrow</strong>?" in html
    assert '<button type="submit" class="btn btn-primary">Unsubscribe</button>' in html
    assert not NotificationPreference.objects.exists()


def test_posting_turns_off_exactly_that_kind_for_exactly_that_person(csrf_client, alice, bob):
    preference_set(user=alice, kind_key="recap_due", delivery=Delivery.DIGEST)
    preference_set(user=bob, kind_key="action_due", delivery=Delivery.IMMEDIATE)
    response = csrf_client.post(unsubscribe_path(alice, "action_due"))
    assert response.status_code == 200
    assert "You are unsubscribed" in response.content.decode()
    assert preferences_of(alice) == {"recap_due": "digest", "action_due": "off"}
    assert preferences_of(bob) == {"action_due": "immediate"}


def test_unsubscribing_twice_is_harmless(csrf_client, alice):
    path = unsubscribe_path(alice, "action_due")
    csrf_client.post(path)
    assert csrf_client.post(path).status_code == 200
    assert preferences_of(alice) == {"action_due": "off"}


def test_a_signed_in_person_posting_another_persons_link_turns_off_only_the_links_owner(client, alice, bob):
    """The link is signed for alice: whoever opens it (she forwarded the mail) acts for her, not for themselves."""
    signed_in(client, bob).post(unsubscribe_path(alice, "action_due"))
    assert preferences_of(alice) == {"action_due": "off"}
    assert preferences_of(bob) == {}


def test_the_mail_footer_and_headers_carry_a_working_one_click_link(
    django_capture_on_commit_callbacks, csrf_client, action, alice
):
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([action_notice(action, alice)])
    (sent,) = mail.outbox
    header = sent.extra_headers["List-Unsubscribe"]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(.+)>", header).group(1)
    assert url.startswith(f"{settings.SITE_URL}/notifications/unsubscribe/")
    assert f"Turn off just these: {url}" in sent.body
    assert f'<a href="{url}">Turn off just these</a>' in sent.alternatives[0][0]
    assert f"{settings.SITE_URL}{PREFERENCES}" in sent.body

    response = csrf_client.post(url.removeprefix(settings.SITE_URL), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert preferences_of(alice) == {"action_due": "off"}

    later = action.__class__.objects.create(match=action.match, owner=action.owner, description="Call Bob",
                                            due_on=action.due_on + timedelta(days=1))  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_many([action_notice(later, alice)]) == []
    assert len(mail.outbox) == 1


def test_a_mail_that_cannot_be_turned_off_has_no_unsubscribe_link(django_capture_on_commit_callbacks, alice, action,
                                                                  mandatory_kind):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        notify_many([services.Notice(alice.pk, mandatory_kind.key, action, action.due_on)])
    (sent,) = mail.outbox
    assert "List-Unsubscribe" not in sent.extra_headers
    assert "List-Unsubscribe-Post" not in sent.extra_headers
    assert "/unsubscribe/" not in sent.body
    assert "/unsubscribe/" not in sent.alternatives[0][0]
    assert f"{settings.SITE_URL}{PREFERENCES}" in sent.body


def change_one_character(text: str, at: int) -> str:
    swapped = "B" if text[at] != "B" else "C"
    return text[:at] + swapped + text[at + 1 :]


def forged_tokens(alice) -> dict[str, str]:
    token = unsubscribe_token(alice.pk, "action_due")
    payload, signature = token.rsplit(":", 1)
    for_recap = signing.b64_encode(json.dumps([alice.pk, "recap_due"], separators=(",", ":")).encode()).decode()
    return {
        "one character of the signature changed": change_one_character(token, len(payload) + 5),
        "one character of the content changed": change_one_character(token, 3),
        "signed with another salt": signing.dumps([alice.pk, "action_due"], salt="another.salt", compress=True),
        "another kind with the original signature": f"{for_recap}:{signature}",
        "no signature": payload,
        "not a token at all": "unsubscribe-me",
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_forged_or_altered_link_is_not_valid_and_changes_nothing(csrf_client, alice, method):
    for name, token in forged_tokens(alice).items():
        response = getattr(csrf_client, method)(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 404, name
        assert "This link is not valid" in response.content.decode(), name
    assert not NotificationPreference.objects.exists()


def test_a_link_for_a_kind_that_cannot_be_turned_off_is_refused(csrf_client, alice, mandatory_kind):
    for kind in ("coordinator_message", "weekly_digest", mandatory_kind.key):
        token = signing.dumps([alice.pk, kind], salt=UNSUBSCRIBE_SALT, compress=True)
        response = csrf_client.post(reverse("notifications:unsubscribe", args=[token]))
        assert response.status_code == 404, kind
        assert "This link is not valid" in response.content.decode()
    assert not NotificationPreference.objects.exists()


def test_a_link_for_an_unknown_kind_or_a_deleted_person_is_refused(csrf_client, alice, bob):
    bob_link = unsubscribe_path(bob, "action_due")
    bob.delete()
    assert csrf_client.post(bob_link).status_code == 404
    assert csrf_client.post(unsubscribe_path(alice, "no_such_kind")).status_code == 404
    assert not NotificationPreference.objects.exists()


def test_the_link_answers_only_get_and_post(csrf_client, alice):
    assert csrf_client.put(unsubscribe_path(alice, "action_due")).status_code == 405
    assert not NotificationPreference.objects.exists()

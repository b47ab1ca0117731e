"""The pair agreement: either person proposes it (signing it), the other signs;
a revision needs both signatures again while the signed version holds; the
coordinators see that it exists, whether it is signed and its rhythm, and the
text only when both shared it; bad input saves nothing; outsiders get 404.

alice is the mentee, bob her mentor, in carol's fortnightly programme (a rhythm
of 7 to 28 days is allowed); dan and erin are a pair of another programme."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from matching.tests.factories import make_person
from mentoring.tests.test_demographics_never_shown import normalise
from notifications.models import Notification
from people.tests.factories import answer
from sessions_log.agreements import agreement_propose, agreement_sign, agreement_state, rhythm_bounds
from sessions_log.models import Agreement
from sessions_log.services import WorkspaceError

from .test_workspace import NOW, make_pair


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def pair(carol, alice, bob):
    return make_pair(carol, alice, bob, cadence="fortnightly", meeting_minutes=60)


@pytest.fixture
def other_pair(db):
    coordinator = make_person("Cora Cole", email="cora@example.org", is_coordinator=True)
    dan, erin = make_person("Dan Dale", email="dan@example.org"), make_person("Erin Eck", email="erin@example.org")
    return make_pair(coordinator, dan, erin)


def terms(**overrides) -> dict:
    return {
        "mentee_wants": "Confidence in presenting to the board.", "mentor_wants": "A fresh view of the product.",
        "every_days": 7, "minutes": 45, "format": "video", "location": "https://meet.example.org/a",
        "ground_rules": "What we say stays between us.", "shared_with_coordinator": "Only that we meet.",
        "if_not_working": "Either says so at any meeting.", "review_on": "2026-04-01", **overrides,
    }  # fmt: skip


def propose(match, by, *, shares_text=False, **overrides):
    data = terms(**overrides)
    data["review_on"] = date.fromisoformat(data["review_on"])
    return agreement_propose(match=match, by=by, shares_text=shares_text, **data)


def agreement_url(match):
    return reverse("sessions_log:agreement", args=[match.pk])


def test_the_bounds_are_half_to_twice_the_programmes_cadence(pair):
    assert rhythm_bounds(pair.programme) == (7, 14 * 2)


def test_a_proposal_is_signed_by_its_proposer_and_asks_the_other_to_sign(
    client, pair, alice, bob, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("sessions_log:agreement_edit", args=[pair.pk]), terms())
    assert response.status_code == 302 and response["Location"] == agreement_url(pair)
    version = Agreement.objects.get()
    assert (version.version, version.every_days, version.minutes, version.proposed_by) == (1, 7, 45, alice)
    assert version.mentee_signed_at is not None and version.mentor_signed_at is None and not version.is_signed
    notice = Notification.objects.get(kind="agreement_to_sign")
    assert notice.recipient == bob and notice.object_id == version.pk
    (message,) = mail.outbox
    assert message.to == ["bob@example.org"] and "asks you to sign" in message.subject
    assert "every 7 days" in message.body and agreement_url(pair) in message.body
    state = agreement_state(pair)
    assert state.in_force is None and state.pending == version


def test_the_other_person_signs_and_then_it_holds(client, pair, alice, bob):
    version = propose(pair, alice)
    client.force_login(bob)
    page = client.get(agreement_url(pair))
    assert b"Sign version 1" in page.content
    response = client.post(reverse("sessions_log:agreement_sign", args=[pair.pk, version.pk]), {"shares_text": "on"})
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.is_signed and version.mentor_shares_text and not version.mentee_shares_text
    assert agreement_state(pair).in_force == version and agreement_state(pair).pending is None


def test_nobody_signs_twice_and_the_proposer_cannot_sign_for_the_other(pair, alice, bob):
    version = propose(pair, alice)
    with pytest.raises(WorkspaceError, match="already signed"):
        agreement_sign(agreement=version, by=alice, shares_text=True)
    agreement_sign(agreement=version, by=bob, shares_text=False)
    with pytest.raises(WorkspaceError, match="already signed"):
        agreement_sign(agreement=version, by=bob, shares_text=True)


def test_a_revision_needs_both_signatures_and_the_signed_version_holds_meanwhile(pair, alice, bob):
    first = propose(pair, alice, every_days=7)
    agreement_sign(agreement=first, by=bob, shares_text=False)
    revision = propose(pair, bob, every_days=21)
    state = agreement_state(pair)
    assert (state.in_force, state.pending) == (first, revision)
    assert [v.version for v in state.versions] == [2, 1], "history is kept"
    with pytest.raises(WorkspaceError, match="newer version"):
        agreement_sign(agreement=first, by=alice, shares_text=False)
    agreement_sign(agreement=revision, by=alice, shares_text=False)
    assert agreement_state(pair).in_force == revision


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        ({"every_days": 6}, "every_days", "between every 7 and every 28 days"),
        ({"every_days": 29}, "every_days", "between every 7 and every 28 days"),
        ({"minutes": 200}, "minutes", "between 30 and 120 minutes"),
        ({"mentee_wants": "   "}, "mentee_wants", "what the mentee wants"),
        ({"mentor_wants": ""}, "mentor_wants", "what the mentor wants"),
        ({"format": "in_person", "location": ""}, "location", "where you will meet"),
        ({"review_on": "2026-01-12"}, "review_on", "after today"),
    ],
)
def test_bad_input_gets_a_clear_error_and_saves_nothing(client, pair, alice, overrides, field, error):
    client.force_login(alice)
    response = client.post(reverse("sessions_log:agreement_edit", args=[pair.pk]), terms(**overrides))
    assert response.status_code == 200
    assert error in response.content.decode().replace("&#x27;", "'")
    assert field in response.context["form"].errors
    assert not Agreement.objects.exists() and not Notification.objects.exists()


def test_the_rhythm_at_the_bounds_is_accepted(pair, alice):
    assert propose(pair, alice, every_days=7).every_days == 7
    assert propose(pair, alice, every_days=28).every_days == 28


def test_the_coordinator_sees_the_rhythm_but_not_the_text_unless_both_shared(client, pair, alice, bob, carol):
    version = propose(pair, alice, shares_text=True)
    client.force_login(carol)
    page = client.get(agreement_url(pair)).content.decode()
    assert "Every 7 days, about 45 minutes" in page and "waiting for a signature" in page
    assert "Confidence in presenting" not in page, "one person's consent is not enough"
    agreement_sign(agreement=version, by=bob, shares_text=False)
    page = client.get(agreement_url(pair)).content.decode()
    assert "signed by both" in page and "Every 7 days" in page and "Confidence in presenting" not in page
    revision = propose(pair, bob, shares_text=True, mentee_wants="Speak at the all-hands.")
    agreement_sign(agreement=revision, by=alice, shares_text=True)
    page = client.get(agreement_url(pair)).content.decode()
    assert "Speak at the all-hands." in page
    workspace = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert "meet every 7 days for about 45 minutes" in workspace


def test_only_the_pair_writes_and_outsiders_get_404(client, pair, alice, carol, other_pair):
    version = propose(pair, alice)
    client.force_login(carol)
    assert client.post(reverse("sessions_log:agreement_edit", args=[pair.pk]), terms()).status_code == 403
    sign = reverse("sessions_log:agreement_sign", args=[pair.pk, version.pk])
    assert client.post(sign).status_code == 403
    dan = other_pair.mentee.user
    client.force_login(dan)
    assert client.get(agreement_url(pair)).status_code == 404
    assert client.post(reverse("sessions_log:agreement_edit", args=[pair.pk]), terms()).status_code == 404
    assert client.post(sign).status_code == 404
    # Another pair's version in this pair's URL is not found either.
    theirs = propose(other_pair, dan)
    client.force_login(alice)
    assert client.post(reverse("sessions_log:agreement_sign", args=[pair.pk, theirs.pk])).status_code == 404
    assert Agreement.objects.filter(mentor_signed_at__isnull=False).count() == 0


def test_an_ended_pair_cannot_propose(pair, alice):
    pair.status, pair.ended_at = "ended", timezone.now()
    pair.save()
    with pytest.raises(WorkspaceError, match="read-only"):
        propose(pair, alice)


def test_the_page_does_not_depend_on_the_other_persons_demographics(client, pair, alice, bob):
    version = propose(pair, alice)
    agreement_sign(agreement=version, by=bob, shares_text=False)
    client.force_login(alice)
    pages = []
    for gender in ("Woman", "Man"):
        answer(bob, "gender_identity", gender)
        workspace = client.get(reverse("sessions_log:workspace", args=[pair.pk]))
        pages.append(normalise((client.get(agreement_url(pair)).content + workspace.content).decode()))
    assert pages[0] == pages[1]


def test_the_agreement_is_in_both_peoples_data_download_and_erased_with_either(pair, alice, bob, sam):
    from privacy.selectors import person_data
    from privacy.services import ERASED_TEXT, person_erase

    version = propose(pair, alice)
    for person in (alice, bob):
        (row,) = person_data(person)["agreements"]
        assert (row["version"], row["mentee_wants"], row["every_days"]) == (
            1,
            "Confidence in presenting to the board.",
            7,
        )
    person_erase(user=bob, by=sam)
    version.refresh_from_db()
    assert version.mentee_wants == version.mentor_wants == version.ground_rules == ERASED_TEXT
    assert version.every_days == 7, "the rhythm stays: it is no one's words"


def workspace_steps(client, user, match) -> list[str]:
    client.force_login(user)
    response = client.get(reverse("sessions_log:workspace", args=[match.pk]))
    assert response.status_code == 200
    return [step.text for step in response.context["ws"].steps]


def test_the_workspace_asks_the_pair_to_agree_and_the_other_person_to_sign(client, pair, alice, bob, carol):
    """Without an agreement, proposing one is among the pair's next steps; once
    one of them proposes, signing it is the other's first step, and it goes once signed."""
    assert any(text.startswith("Agree how you will work together") for text in workspace_steps(client, alice, pair))
    agreement = propose(pair, alice)
    assert workspace_steps(client, bob, pair)[0] == "Alice Adams proposed your agreement: read and sign it."
    assert not any("agreement" in text for text in workspace_steps(client, alice, pair))  # she signed by proposing
    assert not any("agreement" in text for text in workspace_steps(client, carol, pair))  # coordinators only read
    agreement_sign(agreement=agreement, by=bob, shares_text=False)
    assert not any("agreement" in text or "Agree how" in text for text in workspace_steps(client, bob, pair))

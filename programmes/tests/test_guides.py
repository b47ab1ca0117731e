"""The programme's guides for mentors and mentees: who reads them, the
coordinators' edit (validated, shown escaped), "Run it again", and the moments
the workspace points a pair at them. alice is the mentee, bob her mentor, carol
coordinates; cora coordinates another programme; hana is HR."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes import services
from programmes.guide_defaults import ASKING_QUESTIONS, DEFAULT_GUIDES
from programmes.guides import GUIDE_MAX_CHARS, guide_blocks, guide_of, guide_save, moment_guides
from programmes.models import ProgrammeGuide
from programmes.tests.factories import make_programme

EDITED = "Ask, then listen.\n\n- What do you want?\n- What stops you?\n\n<script>alert('x')</script>"


@pytest.fixture
def programme(carol, alice, bob):
    programme = make_programme(carol, status="running")
    enrol(programme, alice, "mentee")
    enrol(programme, bob, "mentor")
    return programme


def guide_url(programme, slug="asking-questions", edit=False):
    return reverse("programmes:guide_edit" if edit else "programmes:guide", args=[programme.pk, slug])


def status_of(client, user, url):
    client.force_login(user)
    return client.get(url).status_code


def test_the_programmes_people_and_coordinators_read_its_guides(client, programme, alice, bob, carol):
    for user in (alice, bob, carol):
        assert status_of(client, user, reverse("programmes:guides", args=[programme.pk])) == 200
        assert status_of(client, user, guide_url(programme)) == 200
    client.force_login(bob)
    assert "What have you tried so far" in client.get(guide_url(programme)).text


def test_everyone_else_gets_404(client, programme, hana):
    cora = UserFactory(email="cora@example.org", full_name="Cora Cole", is_coordinator=True)
    make_programme(cora, name="Elsewhere")
    for user in (hana, cora, make_person("Sam Stranger")):
        assert status_of(client, user, reverse("programmes:guides", args=[programme.pk])) == 404
        assert status_of(client, user, guide_url(programme)) == 404


def test_a_guide_of_another_kind_or_unknown_is_404(client, programme, alice):
    assert status_of(client, alice, guide_url(programme, "reverse-mentor")) == 404  # a traditional programme
    assert status_of(client, alice, guide_url(programme, "no-such-guide")) == 404


def test_the_coordinators_edit_is_what_the_pair_reads_escaped(client, programme, carol, bob):
    client.force_login(carol)
    response = client.post(guide_url(programme, edit=True), {"text": EDITED})
    assert response.status_code == 302
    client.force_login(bob)
    text = client.get(guide_url(programme)).text
    assert "<li>What do you want?</li>" in text and "Ask, then listen." in text
    assert "<script>alert" not in text and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "What have you tried so far" not in text


def test_a_participant_cannot_edit_a_guide(client, programme, bob):
    client.force_login(bob)
    assert client.get(guide_url(programme, edit=True)).status_code == 404
    assert client.post(guide_url(programme, edit=True), {"text": "Mine"}).status_code == 404
    assert not ProgrammeGuide.objects.exists()


def test_a_guide_too_long_is_a_clear_error_and_changes_nothing(client, programme, carol):
    client.force_login(carol)
    response = client.post(guide_url(programme, edit=True), {"text": "x" * (GUIDE_MAX_CHARS + 1)})
    assert response.status_code == 200
    assert "at most 6000 characters" in response.context["form"].errors["text"][0]
    assert not ProgrammeGuide.objects.exists()


def test_invisible_characters_are_refused(client, programme, carol):
    client.force_login(carol)
    response = client.post(guide_url(programme, edit=True), {"text": "Ask\u202equestions"})
    assert response.status_code == 200 and response.context["form"].errors["text"]
    assert not ProgrammeGuide.objects.exists()


def test_an_empty_text_or_the_default_puts_the_default_back(programme, carol):
    guide_save(programme=programme, slug="asking-questions", text=EDITED, by=carol)
    assert guide_of(programme, "asking-questions").edited
    guide_save(programme=programme, slug="asking-questions", text="  ", by=carol)
    assert not ProgrammeGuide.objects.exists()
    assert guide_of(programme, "asking-questions").text == ASKING_QUESTIONS.text


def test_run_it_again_carries_the_edited_guides(programme, carol):
    guide_save(programme=programme, slug="asking-questions", text=EDITED, by=carol)
    new = services.programme_run_again(programme=programme, by=carol, cohort="Autumn 2027")
    assert guide_of(new, "asking-questions").text == EDITED.strip()
    assert not guide_of(new, "being-a-mentee").edited


def test_a_reverse_programme_offers_a_guide_for_each_side(carol):
    programme = make_programme(carol, kind="reverse", name="Reverse")
    slugs = [guide.slug for guide in DEFAULT_GUIDES.values() if "reverse" in guide.kinds]
    assert {"reverse-mentor", "reverse-mentee"} <= set(slugs)
    assert "upward feedback" in guide_of(programme, "reverse-mentor").text
    assert "not to correct" in guide_of(programme, "reverse-mentee").text


def test_guide_blocks_keep_paragraphs_line_breaks_and_bullets():
    assert guide_blocks("One\ntwo\n\n- a\n- b\nthree") == [("p", ["One", "two"]), ("ul", ["a", "b"]), ("p", ["three"])]


def test_the_first_meeting_guide_is_offered_until_the_first_meeting_is_held(programme):
    before = moment_guides(programme=programme, role="mentor", held_meetings=0, matched_on=date(2026, 1, 1),
                           today=date(2026, 1, 5))  # fmt: skip
    assert [g.slug for g in before["first"]] == ["asking-questions"] and before["mid"] == []
    after = moment_guides(programme=programme, role="mentor", held_meetings=1, matched_on=date(2026, 1, 1),
                          today=date(2026, 1, 5))  # fmt: skip
    assert after["first"] == []


def test_the_midpoint_guide_shows_in_the_fortnight_before_the_midpoint(carol):
    programme = make_programme(carol, starts_on=date(2026, 1, 1), ends_on=date(2026, 7, 1))  # 181 days
    midpoint = date(2026, 1, 1) + timedelta(days=90)  # 1 Apr
    for today, shown in [(midpoint - timedelta(days=15), False), (midpoint - timedelta(days=14), True),
                         (midpoint, True), (midpoint + timedelta(days=1), False)]:  # fmt: skip
        moments = moment_guides(programme=programme, role="mentor", held_meetings=3, matched_on=date(2026, 1, 3),
                                today=today)  # fmt: skip
        assert bool(moments["mid"]) is shown, today
        assert (moments["midpoint"] == midpoint) is shown
    mentee = moment_guides(programme=programme, role="mentee", held_meetings=3, matched_on=date(2026, 1, 3),
                           today=midpoint)  # fmt: skip
    assert [g.slug for g in mentee["mid"]] == ["being-a-mentee"]

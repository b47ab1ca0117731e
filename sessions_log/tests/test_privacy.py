"""Who reads a recap, by URL: for each visibility, the recap's own words appear
exactly where the rule in sessions_log.permissions allows, and nowhere else.

alice (mentee) writes; bob is her mentor; carol coordinates; dave is the mentee
of another pair in the same programme; hana is HR. Neither calendar feed ever
carries recap text."""

import pytest
from django.urls import reverse

from people.tests.factories import UserFactory
from sessions_log.models import CalendarFeed, Recap
from sessions_log.recaps import recap_write

from .test_recaps import make_meeting, make_pair

# Who reads the recap at each visibility; everyone else must not see its words.
READERS = {
    Recap.Visibility.PRIVATE: {"author"},
    Recap.Visibility.PAIR: {"author", "other"},
    Recap.Visibility.COORDINATOR: {"author", "other", "coordinator"},
}
# Who may open the pages at all (the others get 404, so a URL reveals nothing).
INSIDERS = {"author", "other", "coordinator"}


@pytest.fixture
def world(carol, alice, bob, hana):
    pair = make_pair(carol, alice, bob)
    dave = UserFactory(email="dave@example.org", full_name="Dave Diaz")
    make_pair(carol, dave, UserFactory(email="erin@example.org", full_name="Erin Evans"), programme=pair.programme)
    meeting = make_meeting(pair)
    people = {"author": alice, "other": bob, "coordinator": carol, "other_pair": dave, "hr": hana}
    return pair, meeting, people


def secret_words(visibility: str) -> list[str]:
    return [f"Discussed-{visibility}-q7z", f"Learned-{visibility}-k3x", f"Progress-{visibility}-m9w"]


def write_recap(meeting, author, visibility):
    discussed, learned, progress = secret_words(visibility)
    return recap_write(meeting=meeting, author=author, discussed=discussed, learned=learned,
                       goal_progress=progress, visibility=visibility)  # fmt: skip


def pages(pair, meeting):
    return {
        "workspace": f"/pairs/{pair.pk}/",
        "recap": reverse("sessions_log:recap", args=[pair.pk, meeting.pk]),
    }


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("viewer", ["author", "other", "coordinator", "other_pair", "hr"])
@pytest.mark.parametrize("page", ["workspace", "recap"])
def test_recap_text_appears_exactly_where_allowed(client, world, visibility, viewer, page):
    pair, meeting, people = world
    write_recap(meeting, people["author"], visibility)
    client.force_login(people[viewer])
    response = client.get(pages(pair, meeting)[page])
    assert response.status_code == (200 if viewer in INSIDERS else 404)
    html = response.content.decode()
    for words in secret_words(visibility):
        if viewer in READERS[visibility]:
            assert html.count(words) >= 1, f"{viewer} should read the {visibility} recap on the {page} page"
        else:
            assert words not in html, f"{viewer} must not read the {visibility} recap on the {page} page"


def test_each_reader_sees_only_their_share_when_all_three_levels_exist(client, world, alice, bob):
    """alice writes a private recap, bob a coordinator one, on two meetings: nobody
    sees a private recap of someone else, whatever else is on the page."""
    pair, meeting, people = world
    write_recap(meeting, alice, Recap.Visibility.PRIVATE)
    write_recap(meeting, bob, Recap.Visibility.COORDINATOR)
    second = make_meeting(pair, hours_ago=30)
    write_recap(second, bob, Recap.Visibility.PAIR)
    for url in pages(pair, meeting).values():
        client.force_login(bob)
        html = client.get(url).content.decode()
        assert "Discussed-private-q7z" not in html
        client.force_login(people["coordinator"])
        html = client.get(url).content.decode()
        assert "Discussed-private-q7z" not in html and "Discussed-pair-q7z" not in html
        assert "Discussed-coordinator-q7z" in html


@pytest.mark.parametrize("visibility", list(READERS))
def test_calendar_feeds_never_carry_recap_text(client, world, alice, bob, visibility):
    pair, meeting, _people = world
    write_recap(meeting, alice, visibility)
    make_meeting(pair, hours_ago=-48, status="scheduled")  # an upcoming one too, so the feed is not empty
    client.logout()  # a calendar app fetches the feed without a session
    for person in (alice, bob):
        feed = CalendarFeed.objects.create(user=person)
        response = client.get(f"/pairs/calendar/{feed.token}.ics")
        assert response.status_code == 200, "the calendar feed URL answers"
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"BEGIN:VCALENDAR" in body
        for words in secret_words(visibility):
            assert words.encode() not in body

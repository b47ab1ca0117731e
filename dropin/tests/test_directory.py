"""Find someone to learn from (/help/): who is listed, each filter, the ranking
and its reasons, the cards (times in the viewer's zone, the stored record),
bad input, the empty states and fixed query counts. Time is frozen on a
Wednesday at 12:00 UTC; alice searches from New York."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from people.models import Department, Profile, Tag
from people.tests.factories import UserFactory
from programmes.models import Participant, Programme
from sessions_log.models import OfficeHourSlot

from ..directory import Search, helpers_search, viewer_of
from ..models import HelperOffer
from .factories import enrol, make_drop_in, make_helper

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # Wednesday; New York is on EST (UTC-5)
URL = reverse("dropin:directory")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def drop_in(carol):
    return make_drop_in(carol)


@pytest.fixture
def data_analysis(db):
    return Tag.objects.create(name="Data analysis")


@pytest.fixture
def viewer(alice, data_analysis):
    """Alice, in New York, wants help with data analysis, speaks English and Spanish."""
    profile = Profile.objects.create(user=alice, timezone="America/New_York", location="New York",
                                     languages=["English", "Spanish"])  # fmt: skip
    profile.topics.add(data_analysis)
    return alice


def helper(programme, name, *, zone="Europe/London", location="London", about="Spreadsheets and budgets",
           skills=(), languages=("English",), department=None, job_title="", **offer) -> Participant:  # fmt: skip
    user = UserFactory(full_name=name)
    mentor = make_helper(programme, user=user, timezone_name=zone, location=location, about=about, **offer)
    Profile.objects.filter(user=user).update(languages=list(languages), job_title=job_title,
                                             department=department)  # fmt: skip
    offer_row = HelperOffer.objects.get(user=user)
    offer_row.skills.set([Tag.objects.get_or_create(name=s)[0] for s in skills])
    return mentor


def slot(mentor, starts_at, *, site="") -> OfficeHourSlot:
    return OfficeHourSlot.objects.create(programme_id=mentor.programme_id, mentor=mentor, starts_at=starts_at,
                                         site=site, format="in_person" if site else "video")  # fmt: skip


def names(response) -> list[str]:
    return [card.user.full_name for card in response.context["cards"]]


# -- who is listed ----------------------------------------------------------------


def test_it_lists_only_people_who_offer_help_in_a_programme_the_viewer_can_book(client, viewer, drop_in, carol):
    helper(drop_in, "Listed Lee")
    helper(drop_in, "Unlisted Uma", listed=False)
    helper(drop_in, "Silent Sid", unanswered_streak=2)
    helper(drop_in, "Once Quiet Quinn", unanswered_streak=1)
    gone = helper(drop_in, "Gone Gil")
    gone.user.is_active = False
    gone.user.save()
    closed = make_drop_in(carol, name="Closed drop-in")
    Programme.objects.filter(pk=closed.pk).update(status=Programme.Status.CLOSED)
    helper(closed, "Closed Cleo")
    by_approval = make_drop_in(carol, name="By approval", approve_automatically=False)
    helper(by_approval, "Approval Abe")
    pending = helper(drop_in, "Pending Pat")
    pending.status = Participant.Status.APPLIED
    pending.save()
    client.force_login(viewer)

    assert sorted(names(client.get(URL))) == ["Listed Lee", "Once Quiet Quinn"]


def test_a_programme_by_approval_lists_its_helpers_to_its_approved_mentees_only(client, viewer, carol, bob):
    by_approval = make_drop_in(carol, name="By approval", approve_automatically=False)
    helper(by_approval, "Approval Abe")
    client.force_login(viewer)
    assert names(client.get(URL)) == []

    enrol(viewer, by_approval, "mentee")
    assert names(client.get(URL)) == ["Approval Abe"]


def test_it_never_lists_the_viewer_and_shows_one_card_across_programmes(client, viewer, drop_in, carol):
    other = make_drop_in(carol, name="Engineering drop-in")
    both = helper(drop_in, "Both Bea")
    enrol(both.user, other, "mentor")
    make_helper(drop_in, user=viewer, timezone_name="America/New_York")  # alice offers help too
    client.force_login(viewer)

    assert names(client.get(URL)) == ["Both Bea"]


# -- search --------------------------------------------------------------------------


def test_free_text_finds_the_offer_a_skill_a_name_or_a_job_title(client, viewer, drop_in):
    helper(drop_in, "Ann Able", about="public speaking")
    helper(drop_in, "Ben Bright", skills=["Negotiation"])
    helper(drop_in, "Cy Speaker")
    helper(drop_in, "Di Dane", job_title="Speechwriter")
    client.force_login(viewer)

    assert names(client.get(URL, {"q": "speak"})) == ["Ann Able", "Cy Speaker"]
    assert names(client.get(URL, {"q": "NEGOTIATION"})) == ["Ben Bright"]
    assert names(client.get(URL, {"q": "speechwriter"})) == ["Di Dane"]
    assert names(client.get(URL, {"q": "public cy"})) == []  # every word must match


def test_topic_department_and_language_filter(client, viewer, drop_in):
    finance = Department.objects.create(name="Finance")
    helper(drop_in, "Ann Able", skills=["Data analysis"], department=finance, languages=["Spanish"])
    helper(drop_in, "Ben Bright", skills=["Negotiation"], languages=["English"])
    client.force_login(viewer)

    assert names(client.get(URL, {"topic": "data analysis"})) == ["Ann Able"]
    assert names(client.get(URL, {"department": finance.pk})) == ["Ann Able"]
    assert names(client.get(URL, {"language": "English"})) == ["Ben Bright"]


def test_working_hours_overlap_keeps_zones_sharing_two_hours_with_new_york(client, viewer, drop_in):
    helper(drop_in, "London Lou", zone="Europe/London")  # 14-17 London is 9-12 New York: 3 hours
    helper(drop_in, "Tokyo Tom", zone="Asia/Tokyo")  # no shared working hour
    helper(drop_in, "Denver Dee", zone="America/Denver")
    client.force_login(viewer)

    assert sorted(names(client.get(URL, {"overlap": "on"}))) == ["Denver Dee", "London Lou"]


def test_next_slot_is_in_the_viewers_time_and_waking_hours(client, viewer, drop_in):
    lou = helper(drop_in, "London Lou")
    slot(lou, datetime(2026, 3, 5, 8, 0, tzinfo=UTC))  # 03:00 in New York: at night
    slot(lou, datetime(2026, 3, 5, 15, 0, tzinfo=UTC))  # 10:00 in New York
    slot(lou, NOW - timedelta(hours=1))  # past
    client.force_login(viewer)

    card = client.get(URL).context["cards"][0]
    assert card.next_slot == datetime(2026, 3, 5, 15, 0, tzinfo=UTC)
    html = client.get(URL).content.decode()
    assert "Thu 5 Mar, 10:00" in html
    assert "Thu 5 Mar, 03:00" not in html

    card = client.get(URL, {"any_time": "on"}).context["cards"][0]
    assert card.next_slot == datetime(2026, 3, 5, 8, 0, tzinfo=UTC)


def test_in_person_slots_show_only_to_people_at_that_site(client, viewer, drop_in):
    lou = helper(drop_in, "London Lou")
    slot(lou, datetime(2026, 3, 5, 15, 0, tzinfo=UTC), site="london")
    nia = helper(drop_in, "New York Nia", zone="America/New_York", location="New York")
    slot(nia, datetime(2026, 3, 5, 16, 0, tzinfo=UTC), site="new york")
    client.force_login(viewer)

    cards = {c.user.full_name: c for c in client.get(URL).context["cards"]}
    assert cards["London Lou"].next_slot is None  # listed, but the London room is not for alice
    assert cards["New York Nia"].next_slot == datetime(2026, 3, 5, 16, 0, tzinfo=UTC)
    assert names(client.get(URL, {"format": "in_person"})) == ["New York Nia"]
    assert names(client.get(URL, {"format": "video"})) == []


def test_has_a_free_slot_within_days(client, viewer, drop_in):
    soon = helper(drop_in, "Soon Sue")
    slot(soon, datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    later = helper(drop_in, "Later Lars")
    slot(later, datetime(2026, 3, 20, 15, 0, tzinfo=UTC))
    helper(drop_in, "Never Ned")
    client.force_login(viewer)

    assert names(client.get(URL, {"within": "7"})) == ["Soon Sue"]
    assert names(client.get(URL, {"within": "28"})) == ["Soon Sue", "Later Lars"]


# -- ranking --------------------------------------------------------------------------


def test_the_topic_asked_about_ranks_first_and_says_why(client, viewer, drop_in, data_analysis):
    Tag.objects.create(name="SQL")
    helper(drop_in, "Aaron Other", skills=["Negotiation"])
    helper(drop_in, "Zed Data", skills=["Data analysis", "SQL"], languages=["Spanish"])
    client.force_login(viewer)

    cards = client.get(URL, {"topic": "SQL"}).context["cards"]
    assert [c.user.full_name for c in cards] == ["Zed Data"]
    assert cards[0].why == (
        "Offers SQL, which you asked about; offers Data analysis, which you want help with; speaks Spanish; "
        "shares 3 working hours with you."
    )
    # without a topic, Zed still ranks first on alice's own topics and language
    assert names(client.get(URL)) == ["Zed Data", "Aaron Other"]


def test_ties_go_to_the_sooner_slot_then_the_faster_answer_then_the_name(client, viewer, drop_in):
    slow = helper(drop_in, "Amy Slow", median_answer_minutes=600)
    fast = helper(drop_in, "Bo Fast", median_answer_minutes=30)
    helper(drop_in, "Al New")
    early = helper(drop_in, "Zoe Early")
    slot(early, datetime(2026, 3, 5, 15, 0, tzinfo=UTC))
    for person in (slow, fast):
        slot(person, datetime(2026, 3, 6, 15, 0, tzinfo=UTC))
    client.force_login(viewer)

    assert names(client.get(URL)) == ["Zoe Early", "Bo Fast", "Amy Slow", "Al New"]


def test_the_ranking_uses_the_engines_weights(viewer, drop_in, data_analysis):
    from matching.engine import Weights

    helper(drop_in, "Zed Data", skills=["Data analysis"], languages=["Spanish"], zone="America/New_York")
    found = helpers_search(viewer, viewer_of(viewer), Search(topic=data_analysis))
    (person,) = found.page.object_list
    w = Weights()
    assert person.fit_goal == w.goal_skill
    assert person.fit_topic == pytest.approx(w.topic)
    assert person.fit_language == w.language
    assert person.fit_zone == w.timezone  # the same UTC offset
    assert person.fit_format == w.meeting_format  # both "either"
    assert person.fit == pytest.approx(w.goal_skill + w.topic + w.language + w.timezone + w.meeting_format)


# -- the cards ------------------------------------------------------------------------


def test_cards_show_the_stored_record_or_new_helper(client, viewer, drop_in):
    helper(drop_in, "Rec Ord", last_helped_at=NOW - timedelta(days=12), sessions_held=9, median_answer_minutes=170)
    helper(drop_in, "New Nell")
    client.force_login(viewer)

    html = client.get(URL).content.decode()
    assert "last helped 12 days ago · 9 sessions · usually answers within 3 hours" in html
    assert "new helper" in html


def test_a_card_shows_the_helpers_local_time_and_links_to_their_page(client, viewer, drop_in):
    tom = helper(drop_in, "Tokyo Tom", zone="Asia/Tokyo", job_title="Data lead", about="dashboards")
    client.force_login(viewer)

    html = client.get(URL).content.decode()
    assert "Their time 21:00 · Asia/Tokyo" in html
    assert reverse("dropin:helper", args=[tom.user_id]) in html
    assert "Data lead" in html and "dashboards" in html


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"topic": "Knitting"}, "topic", "No skill or topic is called “Knitting”"),
        ({"within": "5"}, "within", "Choose the next 7, 14 or 28 days."),
        ({"within": "x"}, "within", "Choose the next 7, 14 or 28 days."),
        ({"format": "hologram"}, "format", "Choose video, in person, or either."),
        ({"language": "Klingon"}, "language", "not a language in the list"),
        ({"department": "999999"}, "department", "That department is not in the list"),
        ({"department": "abc"}, "department", "That department is not in the list"),
        ({"q": "x" * 10_000}, "q", "Keep the search under 100 characters."),
    ],
)
def test_bad_values_get_an_error_beside_their_field(client, viewer, drop_in, query, field, message):
    helper(drop_in, "Listed Lee")
    client.force_login(viewer)

    response = client.get(URL, query)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'id="id_{field}-error"' in response.content.decode()
    assert response.context["cards"] == []


def test_in_person_needs_the_viewers_location(client, alice, drop_in):
    helper(drop_in, "Listed Lee")
    client.force_login(alice)  # no profile, no location

    response = client.get(URL, {"format": "in_person", "page": "zzz"})
    assert "Add your location to your profile" in response.context["form"].errors["format"][0]


def test_a_bad_page_number_shows_the_last_page(client, viewer, drop_in):
    helper(drop_in, "Listed Lee")
    client.force_login(viewer)
    assert names(client.get(URL, {"page": "99"})) == ["Listed Lee"]
    assert names(client.get(URL, {"page": "x"})) == ["Listed Lee"]


# -- empty states and navigation ---------------------------------------------------------


def test_with_nobody_listed_a_coordinator_can_open_a_drop_in_and_everyone_can_offer(client, viewer, carol):
    client.force_login(viewer)
    html = client.get(URL).content.decode()
    assert "Nobody offers drop-in help to you yet." in html
    assert f'href="{reverse("dropin:offer")}"' in html
    assert reverse("programmes:drop_in_open") not in html

    client.force_login(carol)
    assert f'action="{reverse("programmes:drop_in_open")}"' in client.get(URL).content.decode()


def test_a_search_that_finds_nobody_says_so(client, viewer, drop_in):
    helper(drop_in, "Listed Lee")
    client.force_login(viewer)
    html = client.get(URL, {"q": "astrophysics"}).content.decode()
    assert "Nobody matches all of that." in html


def test_the_main_navigation_links_here_for_signed_in_people(client, bob):
    client.force_login(bob)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{URL}" aria-label="Find someone to learn from"' in html


def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# -- fixed queries --------------------------------------------------------------------------


def _populate(programme, n: int) -> None:
    tags = [Tag.objects.get_or_create(name=f"Skill {i}")[0] for i in range(3)]
    for i in range(n):
        mentor = helper(programme, f"Helper {i:03}", zone=["Europe/London", "America/Chicago", "America/Denver"][i % 3],
                        skills=[t.name for t in tags[: i % 3 + 1]], languages=["English", "Spanish"])  # fmt: skip
        slot(mentor, datetime(2026, 3, 5, 15, 0, tzinfo=UTC) + timedelta(hours=i))


@pytest.mark.parametrize("size", [3, 30])
def test_a_page_takes_a_fixed_number_of_queries_at_any_size(client, viewer, drop_in, django_assert_num_queries, size):
    _populate(drop_in, size)
    client.force_login(viewer)
    client.get(URL)  # warm the session
    query = {"q": "Helper", "topic": "Skill 0", "language": "English", "overlap": "on", "within": "28"}
    # 1-2 session, user; 3-4 viewer's profile, their topics; 5 bookable programmes;
    # 6 everyone found by zone and fit; 7 the page; 8 its skills; 9-10 navigation (unread
    # messages, circles); 11 the topic list; 12 the department list
    with django_assert_num_queries(12):
        response = client.get(URL)
    assert len(response.context["cards"]) == min(size, 20)
    with django_assert_num_queries(13):  # and the topic asked about
        response = client.get(URL, query)
    assert len(response.context["cards"]) == min(size, 20)


# -- waking hours, at the edges and across daylight saving ------------------------------------


@pytest.mark.parametrize(
    "local, shown",
    [("06:45", False), ("07:00", True), ("21:30", True), ("21:45", False), ("23:30", False)],
)
def test_a_slot_counts_only_when_it_starts_and_ends_in_the_viewers_waking_hours(client, viewer, drop_in, local, shown):
    lou = helper(drop_in, "London Lou")
    hour, minute = map(int, local.split(":"))
    starts = datetime(2026, 3, 5, hour, minute, tzinfo=ZoneInfo("America/New_York"))  # EST
    slot(lou, starts)
    client.force_login(viewer)

    card = client.get(URL).context["cards"][0]
    assert (card.next_slot == starts) is shown
    assert client.get(URL, {"any_time": "on"}).context["cards"][0].next_slot == starts


def test_waking_hours_follow_the_viewers_clock_change(client, viewer, drop_in):
    """New York moves to EDT on Sunday 8 March: 11:30 UTC is 06:30 on the Friday
    before (at night) and 07:30 on the Monday after (awake)."""
    lou = helper(drop_in, "London Lou")
    slot(lou, datetime(2026, 3, 6, 11, 30, tzinfo=UTC))
    slot(lou, datetime(2026, 3, 9, 11, 30, tzinfo=UTC))
    client.force_login(viewer)

    response = client.get(URL)
    assert response.context["cards"][0].next_slot == datetime(2026, 3, 9, 11, 30, tzinfo=UTC)
    assert "Mon 9 Mar, 07:30" in response.content.decode()


def test_three_viewers_in_three_zones_see_the_same_slot_in_their_own_time(client, drop_in, data_analysis):
    lou = helper(drop_in, "London Lou")
    slot(lou, datetime(2026, 3, 5, 14, 0, tzinfo=UTC))  # 09:00 New York, 14:00 London, 23:00 Tokyo
    seen = {}
    for zone in ("America/New_York", "Europe/London", "Asia/Tokyo"):
        person = UserFactory()
        Profile.objects.create(user=person, timezone=zone)
        client.force_login(person)
        html = client.get(URL).content.decode()
        seen[zone] = "Next free:" in html and html.split("Next free:")[1].split("</strong>")[0].split(">")[-1]
    assert seen == {"America/New_York": "Thu 5 Mar, 09:00", "Europe/London": "Thu 5 Mar, 14:00", "Asia/Tokyo": False}

"""The pages of messages: who opens a thread (404 for everyone else), writing
with and without htmx, the poll for new messages, the unread count in the
navigation (one query, however many threads), and the announcements' preview."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Announcement, Message
from conversations.selectors import unread_count
from conversations.services import message_post
from matching.models import Match
from matching.tests.factories import enrol
from people.models import AttributeAnswer
from people.tests.factories import UserFactory, answer

HTMX = {"HTTP_HX_REQUEST": "true"}


def thread_url(match, kind="pair") -> str:
    return reverse("conversations:thread", args=[match.pk, kind])


def poll_url(match, kind="pair", after=0) -> str:
    return reverse("conversations:thread_poll", args=[match.pk, kind]) + f"?after={after}"


# -- who opens a thread ---------------------------------------------------------


@pytest.mark.parametrize("kind", ["pair", "coordinators"])
def test_the_pair_opens_both_threads(client, pair, alice, bob, kind):
    for person in (alice, bob):
        client.force_login(person)
        assert client.get(thread_url(pair, kind)).status_code == 200


def test_a_third_person_and_the_other_pair_get_404_by_every_url(client, pair, other_pair, dan, erin, zoe, hana, olga):
    message_post(match=pair, kind="pair", by=pair.mentee.user, body="private")
    for person in (dan, erin, zoe, hana, olga):
        client.force_login(person)
        for kind in ("pair", "coordinators"):
            assert client.get(thread_url(pair, kind)).status_code == 404
            assert client.post(thread_url(pair, kind), {"body": "hi"}).status_code == 404
            assert client.get(poll_url(pair, kind), **HTMX).status_code == 404
    assert Message.objects.count() == 1


def test_the_coordinators_read_their_thread_and_never_the_private_one(client, pair, carol, sam):
    for person in (carol, sam):
        client.force_login(person)
        assert client.get(thread_url(pair, "pair")).status_code == 404
        page = client.get(thread_url(pair, "coordinators"))
        assert page.status_code == 200
        assert "The coordinators read this thread." in page.content.decode()


def test_an_unknown_kind_of_thread_is_404(client, pair, alice):
    client.force_login(alice)
    assert client.get(reverse("conversations:thread", args=[pair.pk, "everyone"])).status_code == 404


# -- writing -----------------------------------------------------------------------


def test_writing_without_javascript_redirects_to_the_message(client, pair, alice):
    client.force_login(alice)
    response = client.post(thread_url(pair), {"body": "Line one\nLine <two>"})
    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{message.pk}")
    page = client.get(thread_url(pair)).content.decode()
    assert "Line one\nLine &lt;two&gt;</div>" in page  # escaped; line breaks kept (shown by .text-preline)


def test_writing_with_htmx_answers_with_the_new_message_only(client, pair, alice):
    client.force_login(alice)
    response = client.post(thread_url(pair), {"body": "Hello <b>Bob</b>", "after": "0"}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'hx-swap-oob="beforeend:#message-list"' in html
    assert "Hello &lt;b&gt;Bob&lt;/b&gt;" in html
    message = Message.objects.get()
    assert f'name="after" value="{message.pk}"' in html  # the poller moves on
    assert 'id="message-form"' in html and "Hello" not in html.split('id="message-form"')[1]  # a cleared form


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "Write something before sending."), ("x" * 100_000, "A message can be 5,000 characters at most.")],
)
@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
def test_bad_input_shows_a_clear_error_and_saves_nothing(client, pair, alice, body, error, headers):
    client.force_login(alice)
    response = client.post(thread_url(pair), {"body": body}, **headers)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Message.objects.exists()
    assert not mail.outbox


def test_an_ended_pair_reads_but_cannot_write(client, pair, alice):
    message_post(match=pair, kind="pair", by=alice, body="Thank you")
    Match.objects.filter(pk=pair.pk).update(status=Match.Status.ENDED, ended_at=timezone.now())
    client.force_login(alice)
    page = client.get(thread_url(pair)).content.decode()
    assert "Thank you" in page and "no longer written" in page
    assert client.post(thread_url(pair), {"body": "More"}).status_code == 403
    assert Message.objects.count() == 1


def test_the_poll_brings_new_messages_and_marks_them_read(client, pair, alice, bob):
    first = message_post(match=pair, kind="pair", by=alice, body="first")
    client.force_login(bob)
    client.get(thread_url(pair))
    assert unread_count(bob) == 0
    second = message_post(match=pair, kind="pair", by=alice, body="second one")
    assert unread_count(bob) == 1
    html = client.get(poll_url(pair, after=first.pk), **HTMX).content.decode()
    assert "second one" in html and ">first<" not in html
    assert f'value="{second.pk}"' in html
    assert unread_count(bob) == 0
    # Without JavaScript the poll's URL is the thread page.
    assert client.get(poll_url(pair)).status_code == 302


# -- the navigation's unread count ---------------------------------------------------


def nav_badge(client) -> str:
    match = re.search(r'id="nav-unread">(\d+)', client.get(reverse("home")).content.decode())
    return match.group(1) if match else ""


def test_the_unread_count_appears_in_the_navigation_and_clears_on_reading(client, pair, alice, bob):
    message_post(match=pair, kind="pair", by=alice, body="one")
    message_post(match=pair, kind="coordinators", by=alice, body="two")
    client.force_login(bob)
    assert nav_badge(client) == "2"
    client.get(thread_url(pair, "pair"))
    assert nav_badge(client) == "1"
    client.get(thread_url(pair, "coordinators"))
    assert nav_badge(client) == ""


def _pairs_of(mentor, count, programme):
    """`count` pairs of `mentor`, each with a message in both threads from its mentee."""
    for number in range(count):
        mentee = UserFactory(email=f"mentee{mentor.pk}-{number}@example.org")
        match = Match.objects.create(programme=programme, mentee=enrol(programme, mentee, "mentee"),
                                     mentor=enrol(programme, mentor, "mentor", capacity=10) if number == 0
                                     else mentor.participations.get(programme=programme))  # fmt: skip
        for kind in ("pair", "coordinators"):
            message_post(match=match, kind=kind, by=mentee, body="hi")


def test_the_unread_count_costs_one_query_however_many_threads(programme, carol):
    few, many = UserFactory(email="few@example.org"), UserFactory(email="many@example.org")
    _pairs_of(few, 1, programme)
    _pairs_of(many, 6, programme)
    counts = {}
    for person, expected in ((few, 2), (many, 12)):
        with CaptureQueriesContext(connection) as queries:
            assert unread_count(person) == expected
        counts[person.pk] = len(queries)
    assert list(counts.values()) == [1, 1]
    with CaptureQueriesContext(connection) as queries:
        assert unread_count(carol) == 7 * 1  # the coordinators' threads of all seven pairs
    assert len(queries) == 1


def test_the_thread_page_costs_the_same_queries_with_more_messages(client, pair, alice, bob):
    message_post(match=pair, kind="pair", by=alice, body="one")
    client.force_login(bob)
    client.get(thread_url(pair))
    with CaptureQueriesContext(connection) as few:
        client.get(thread_url(pair))
    for number in range(8):
        message_post(match=pair, kind="pair", by=alice if number % 2 else bob, body=f"message {number}")
    client.get(thread_url(pair))
    with CaptureQueriesContext(connection) as many:
        client.get(thread_url(pair))
    assert len(few) == len(many)


# -- consented demographics never reach a participant ----------------------------------


def test_nothing_on_the_thread_depends_on_the_other_persons_demographics(client, pair, alice, bob):
    message_post(match=pair, kind="pair", by=alice, body="hello")
    client.force_login(bob)
    pages = []
    for gender in (None, "woman", "man"):
        AttributeAnswer.objects.filter(user=alice).delete()
        if gender:
            answer(alice, "gender_identity", gender)
        for url in (
            thread_url(pair),
            reverse("conversations:inbox"),
            reverse("sessions_log:workspace", args=[pair.pk]),
        ):
            html = client.get(url).content.decode()
            pages.append(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"', "", html))
    assert pages[0:3] == pages[3:6] == pages[6:9]


# -- the workspace and the inbox ----------------------------------------------------------


def test_the_workspace_links_to_both_threads_with_unread_counts(client, pair, alice, bob, carol):
    message_post(match=pair, kind="pair", by=alice, body="hi")
    client.force_login(bob)
    html = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert thread_url(pair, "pair") in html and thread_url(pair, "coordinators") in html
    assert "1 unread" in html
    client.force_login(carol)
    html = client.get(reverse("sessions_log:workspace", args=[pair.pk])).content.decode()
    assert thread_url(pair, "pair") not in html and thread_url(pair, "coordinators") in html


def test_the_inbox_lists_only_ones_own_threads(client, pair, other_pair, alice, dan):
    message_post(match=pair, kind="pair", by=alice, body="ours")
    message_post(match=other_pair, kind="pair", by=dan, body="theirs")
    client.force_login(alice)
    html = client.get(reverse("conversations:inbox")).content.decode()
    assert thread_url(pair) in html and thread_url(other_pair) not in html


# -- announcements ------------------------------------------------------------------------


def announce_url(programme) -> str:
    return reverse("conversations:announce", args=[programme.pk])


def test_an_announcement_is_previewed_then_sent_once_to_its_group(
    client, django_capture_on_commit_callbacks, programme, pair, other_pair, carol, alice, dan, bob
):
    client.force_login(carol)
    response = client.post(announce_url(programme), {"audience": "mentees", "subject": "Kick-off on Friday",
                                                     "body": "We meet at 4pm.\nBring a question."})  # fmt: skip
    announcement = Announcement.objects.get()
    assert response["Location"] == reverse("conversations:announcement", args=[programme.pk, announcement.pk])
    preview = client.get(response["Location"]).content.decode()
    assert "2 people" in preview and "Alice Adams" in preview and "Dan Dale" in preview
    assert "Bob Brown" not in preview  # a mentor
    assert "Kick-off on Friday" in preview and "Bring a question." in preview
    assert not mail.outbox
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    assert sorted(m.to[0] for m in mail.outbox) == [alice.email, dan.email]
    assert "Bring a question." in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(response["Location"], follow=True)
    assert "already been sent" in again.content.decode()
    assert len(mail.outbox) == 2


def test_the_waiting_mentees_are_those_without_a_pair(client, programme, pair, carol, alice):
    waiting = UserFactory(email="wendy@example.org", full_name="Wendy Wait")
    enrol(programme, waiting, "mentee")
    client.force_login(carol)
    client.post(announce_url(programme), {"audience": "waiting", "subject": "Soon", "body": "Matching on Monday."})
    preview = client.get(reverse("conversations:announcement", args=[programme.pk, Announcement.objects.get().pk]))
    html = preview.content.decode()
    assert "Wendy Wait" in html and "Alice Adams" not in html and "1 person" in html


def test_a_bad_announcement_is_refused_and_nothing_is_kept(client, programme, carol):
    client.force_login(carol)
    response = client.post(announce_url(programme), {"audience": "mentees", "subject": "", "body": "x" * 100_000})
    html = response.content.decode()
    assert "Give the announcement a subject." in html and "5,000 characters at most" in html
    assert not Announcement.objects.exists()


def test_only_the_programmes_coordinators_announce(client, programme, pair, alice, olga, hana):
    draft = Announcement.objects.create(programme=programme, author=None, audience="everyone", subject="s", body="b")
    for person in (alice, olga, hana):
        client.force_login(person)
        assert client.get(announce_url(programme)).status_code == 404
        assert client.post(reverse("conversations:announcement", args=[programme.pk, draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.sent_at is None


def test_stalled_pairs_are_both_people_of_the_pairs_health_calls_stalled(programme, pair, other_pair, dan, erin):
    from datetime import timedelta

    from conversations.selectors import announcement_recipients
    from engagement.tests.factories import add_meeting

    # pair met last week; other_pair was matched four months ago and never met since its one meeting.
    Match.objects.filter(pk=other_pair.pk).update(created_at=timezone.now() - timedelta(days=120))
    add_meeting(other_pair, timezone.now() - timedelta(days=110))
    Match.objects.filter(pk=pair.pk).update(created_at=timezone.now() - timedelta(days=30))
    add_meeting(pair, timezone.now() - timedelta(days=7))
    assert announcement_recipients(programme, "stalled") == [dan, erin]

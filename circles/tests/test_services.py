"""The circles' services: who may post, reply, edit and moderate, and what each
refusal says."""

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles.models import Circle, Post, Reply
from circles.services import (
    CircleError,
    circle_close,
    circle_open,
    mentors_circle_get_or_create,
    post_create,
    post_edit,
    post_hide,
    post_lock,
    post_pin,
    post_restore,
    post_unlock,
    post_unpin,
    reply_create,
    reply_hide,
    reply_restore,
)
from matching.tests.factories import enrol
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(mentors_circle, bob_mentor, bob):
    return post_create(circle=mentors_circle, by=bob, title="First mentee meeting", body="How did yours go?")


# -- circles --------------------------------------------------------------


def test_the_mentors_circle_is_made_once_and_open(programme):
    first = mentors_circle_get_or_create(programme=programme)
    again = mentors_circle_get_or_create(programme=programme)
    assert first == again
    assert first.is_open and first.audience == Circle.Audience.MENTORS
    assert Circle.objects.filter(programme=programme).count() == 1


def test_a_coordinator_opens_closes_and_reopens_the_mentees_circle(programme, carol, sam):
    circle = circle_open(programme=programme, by=carol)
    assert (circle.audience, circle.is_open, circle.opened_by) == ("mentees", True, carol)
    circle_close(circle=circle, by=carol)
    circle.refresh_from_db()
    assert not circle.is_open
    reopened = circle_open(programme=programme, by=sam)  # staff count as coordinators
    assert reopened.pk == circle.pk
    assert (reopened.is_open, reopened.opened_by) == (True, sam)


def test_opening_twice_or_closing_twice_is_refused_with_a_sentence(programme, carol):
    circle = circle_open(programme=programme, by=carol)
    with pytest.raises(CircleError, match="open already"):
        circle_open(programme=programme, by=carol)
    circle_close(circle=circle, by=carol)
    with pytest.raises(CircleError, match="closed already"):
        circle_close(circle=circle, by=carol)


def test_only_the_programmes_coordinators_open_the_mentees_circle(programme, bob_mentor, bob, olga):
    for person in (bob, olga):
        with pytest.raises(CircleError, match="Only the programme's coordinators"):
            circle_open(programme=programme, by=person)
    assert not Circle.objects.filter(audience="mentees").exists()


def test_the_mentors_circle_cannot_be_closed(mentors_circle, carol):
    with pytest.raises(CircleError, match="always open"):
        circle_close(circle=mentors_circle, by=carol)
    with pytest.raises(IntegrityError), transaction.atomic():
        Circle.objects.filter(pk=mentors_circle.pk).update(is_open=False)


def test_closing_keeps_the_posts(mentees_circle, alice_mentee, alice, carol):
    post_create(circle=mentees_circle, by=alice, title="Nervous", body="Before my first meeting.")
    circle_close(circle=mentees_circle, by=carol)
    assert Post.objects.filter(circle=mentees_circle).count() == 1


# -- posting ----------------------------------------------------------------


def test_a_mentor_posts_trimmed_text_with_its_line_breaks(mentors_circle, bob_mentor, bob):
    post = post_create(circle=mentors_circle, by=bob, title="  Silence  ", body="  Line one\nLine two  ")
    assert (post.title, post.body, post.author, post.by_coordinator) == ("Silence", "Line one\nLine two", bob, False)
    assert post.edited_at is None and not post.is_pinned and not post.is_locked and not post.is_hidden


def test_a_coordinators_post_carries_the_coordinator_mark(mentors_circle, carol):
    post = post_create(circle=mentors_circle, by=carol, title="Welcome", body="Ask anything here.")
    assert post.by_coordinator


@pytest.mark.parametrize(
    ("title", "body", "field", "sentence"),
    [
        ("", "Something", "title", "Give your post a title."),
        ("   ", "Something", "title", "Give your post a title."),
        ("A title", " \n ", "body", "Write something in your post."),
        ("x" * 151, "Something", "title", "A title can be 150 characters at most; this one has 151."),
        ("A title", "x" * 5001, "body", "A post can be 5,000 characters at most; this one has 5,001."),
    ],
)
def test_bad_post_text_is_refused_with_a_sentence(mentors_circle, bob_mentor, bob, title, body, field, sentence):
    with pytest.raises(CircleError) as refused:
        post_create(circle=mentors_circle, by=bob, title=title, body=body)
    assert (str(refused.value), refused.value.field) == (sentence, field)
    assert not Post.objects.exists()


def test_people_outside_the_circle_cannot_post(mentors_circle, alice_mentee, alice, oscar, hana, olga, programme):
    applicant = UserFactory()
    enrol(programme, applicant, "mentor", status="applied")
    for person in (alice, oscar, hana, olga, applicant):
        with pytest.raises(CircleError, match="Only members of this circle"):
            post_create(circle=mentors_circle, by=person, title="Hello", body="Me too.")
    assert not Post.objects.exists()


def test_nobody_posts_in_a_closed_mentees_circle(mentees_circle, alice_mentee, alice, carol):
    circle_close(circle=mentees_circle, by=carol)
    with pytest.raises(CircleError, match="Only members"):
        post_create(circle=mentees_circle, by=alice, title="Hello", body="Anyone?")
    with pytest.raises(CircleError, match="This circle is closed"):
        post_create(circle=mentees_circle, by=carol, title="Hello", body="Anyone?")


def test_a_withdrawn_mentor_can_no_longer_post(mentors_circle, bob_mentor, bob):
    bob_mentor.status = "withdrawn"
    bob_mentor.save()
    with pytest.raises(CircleError, match="Only members"):
        post_create(circle=mentors_circle, by=bob, title="Hello", body="Still here?")


def test_a_hidden_post_needs_a_reason_in_the_database_too(post):
    with pytest.raises(IntegrityError), transaction.atomic():
        Post.objects.filter(pk=post.pk).update(hidden_at=timezone.now())


# -- editing ----------------------------------------------------------------


def test_the_author_edits_within_24_hours(post, bob):
    with time_machine.travel(post.created_at + timedelta(hours=23, minutes=59), tick=False):
        post_edit(post=post, by=bob, title="First mentee meeting (update)", body="It went well.")
    post.refresh_from_db()
    assert (post.title, post.body) == ("First mentee meeting (update)", "It went well.")
    assert post.edited_at == post.created_at + timedelta(hours=23, minutes=59)


def test_editing_after_24_hours_is_refused(post, bob):
    with pytest.raises(CircleError, match="24 hours"):
        late = post.created_at + timedelta(hours=24, seconds=1)
        post_edit(post=post, by=bob, title="Late", body="Too late.", now=late)
    post.refresh_from_db()
    assert post.title == "First mentee meeting" and post.edited_at is None


def test_only_the_author_edits(post, dan, carol):
    for person in (dan, carol):
        with pytest.raises(CircleError, match="Only the author"):
            post_edit(post=post, by=person, title="Mine now", body="Changed.")


def test_a_locked_or_hidden_post_cannot_be_edited(post, bob, carol):
    post_lock(post=post, by=carol)
    with pytest.raises(CircleError, match="locked"):
        post_edit(post=post, by=bob, title="Edit", body="Edited.")
    post_unlock(post=post, by=carol)
    post_hide(post=post, by=carol, reason="Names a mentee.")
    with pytest.raises(CircleError, match="hidden"):
        post_edit(post=post, by=bob, title="Edit", body="Edited.")


# -- replying ---------------------------------------------------------------


def test_a_member_replies(post, dan):
    reply = reply_create(post=post, by=dan, body="  Mine was awkward at first.\nThen fine.  ")
    assert (reply.post, reply.author, reply.body) == (post, dan, "Mine was awkward at first.\nThen fine.")


def test_replies_are_refused_on_locked_and_hidden_posts(post, dan, carol):
    post_lock(post=post, by=carol)
    with pytest.raises(CircleError, match="locked this post: it takes no more replies"):
        reply_create(post=post, by=dan, body="Me too.")
    post_unlock(post=post, by=carol)
    post_hide(post=post, by=carol, reason="Off topic.")
    with pytest.raises(CircleError, match="hidden this post"):
        reply_create(post=post, by=dan, body="Me too.")
    assert not Reply.objects.exists()


def test_an_empty_or_long_reply_is_refused(post, dan):
    with pytest.raises(CircleError, match="Write something in your reply"):
        reply_create(post=post, by=dan, body="   ")
    with pytest.raises(CircleError, match="3,000 characters at most"):
        reply_create(post=post, by=dan, body="x" * 3001)


def test_a_mentee_cannot_reply_in_the_mentors_circle(post, alice_mentee, alice):
    with pytest.raises(CircleError, match="Only members"):
        reply_create(post=post, by=alice, body="Can I join?")


# -- moderation ---------------------------------------------------------------


def test_a_coordinator_hides_and_restores_a_post_with_a_reason(post, carol):
    post_hide(post=post, by=carol, reason="  Names a mentee.  ")
    post.refresh_from_db()
    assert (post.is_hidden, post.hidden_by, post.hidden_reason) == (True, carol, "Names a mentee.")
    with pytest.raises(CircleError, match="hidden already"):
        post_hide(post=post, by=carol, reason="Again.")
    post_restore(post=post, by=carol)
    post.refresh_from_db()
    assert (post.hidden_at, post.hidden_by, post.hidden_reason) == (None, None, "")
    with pytest.raises(CircleError, match="not hidden"):
        post_restore(post=post, by=carol)


def test_hiding_needs_a_reason(post, dan, carol):
    reply = reply_create(post=post, by=dan, body="Me too.")
    with pytest.raises(CircleError, match="Say why it is hidden") as refused:
        reply_hide(reply=reply, by=carol, reason="  ")
    assert refused.value.field == "reason"
    with pytest.raises(CircleError, match="300 characters at most"):
        post_hide(post=post, by=carol, reason="x" * 301)


def test_a_coordinator_hides_and_restores_a_reply(post, dan, carol):
    reply = reply_create(post=post, by=dan, body="Here is my mentee's full name.")
    reply_hide(reply=reply, by=carol, reason="Keep mentees anonymous.")
    reply.refresh_from_db()
    assert reply.is_hidden and reply.hidden_reason == "Keep mentees anonymous."
    reply_restore(reply=reply, by=carol)
    reply.refresh_from_db()
    assert not reply.is_hidden


def test_members_and_other_coordinators_cannot_moderate(post, dan, olga):
    reply = reply_create(post=post, by=dan, body="Me too.")
    for person in (dan, olga):
        for action in (post_pin, post_lock):
            with pytest.raises(CircleError, match="Only the programme's coordinators"):
                action(post=post, by=person)
        with pytest.raises(CircleError, match="Only the programme's coordinators"):
            post_hide(post=post, by=person, reason="Mine.")
        with pytest.raises(CircleError, match="Only the programme's coordinators"):
            reply_hide(reply=reply, by=person, reason="Mine.")
    post.refresh_from_db()
    assert not (post.is_pinned or post.is_locked or post.is_hidden)


def test_pin_and_lock_go_both_ways_and_say_when_nothing_changes(post, carol):
    post_pin(post=post, by=carol)
    with pytest.raises(CircleError, match="pinned already"):
        post_pin(post=post, by=carol)
    post_unpin(post=post, by=carol)
    with pytest.raises(CircleError, match="not pinned"):
        post_unpin(post=post, by=carol)
    post_lock(post=post, by=carol)
    with pytest.raises(CircleError, match="locked already"):
        post_lock(post=post, by=carol)
    post_unlock(post=post, by=carol)
    post.refresh_from_db()
    assert not post.is_pinned and not post.is_locked


def test_a_hidden_post_cannot_be_pinned(post, carol):
    post_hide(post=post, by=carol, reason="Off topic.")
    with pytest.raises(CircleError, match="Restore this post before pinning it"):
        post_pin(post=post, by=carol)

"""The demo's messages: Maya and Theo have a private thread and one with the
coordinator, Theo has one unread message, the programme has a sent
announcement; seeding again adds nothing and mails nobody."""

import pytest
from django.core import mail
from django.core.management import call_command

from conversations.models import Announcement, Message, Thread
from conversations.selectors import unread_count
from people.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_pair_has_threads_an_unread_message_and_an_announcement(client):
    call_command("seed_demo")
    counts = Message.objects.count(), Thread.objects.count(), Announcement.objects.count()
    call_command("seed_demo")
    assert (Message.objects.count(), Thread.objects.count(), Announcement.objects.count()) == counts
    assert sorted(Thread.objects.values_list("kind", flat=True)) == ["coordinators", "pair"]
    theo, maya = User.objects.get(email="mentee@demo.example"), User.objects.get(email="mentor@demo.example")
    assert unread_count(theo) == 1 and unread_count(maya) == 0
    announcement = Announcement.objects.get()
    assert announcement.sent_at and announcement.recipients_count > 0
    assert not mail.outbox
    client.force_login(theo)
    assert 'id="nav-unread">1' in client.get("/").content.decode()

"""The demo's messages: Maya and Theo's private thread (its last message, from
Maya, still unread by Theo, so his navigation shows it), their thread with the
coordinator, and one announcement the coordinator sent to the programme's
mentees. Seeded once (a pair with threads is left alone). Written as rows with
past dates, so seeding mails nobody about them."""

from datetime import timedelta

from django.utils import timezone

from conversations.models import Announcement, Message, ReadState, Thread
from conversations.selectors import announcement_recipients
from matching.models import Match
from programmes.models import Programme

PAIR_THREAD = [
    ("theo", 6, "Hi Maya, thanks for Wednesday. I wrote down the three things we said I would try before "
                "the next meeting."),
    ("maya", 6, "Great. Which one feels hardest?"),
    ("theo", 5, "Saying no to the extra reporting work.\nI worry it looks like I am not a team player."),
    ("maya", 4, "What would a good \u201cno\u201d sound like to you? Draft it and bring it to our next meeting: "
                "we can practise it."),
    ("maya", 1, "Running ten minutes late for our next meeting, sorry. Same place."),
]  # fmt: skip
COORDINATORS_THREAD = [
    ("coordinator", 9, "Past the halfway mark: how is it going for you both? If anything about the pairing is "
                       "not working, write here: this thread is read by the coordinators."),
    ("theo", 8, "Going well, thanks! We meet every two weeks and I have reached my first goal."),
]  # fmt: skip


def seed_messages(programme: Programme, *, coordinator, maya, theo) -> None:
    match = Match.objects.filter(programme=programme, mentee__user=theo, mentor__user=maya).first()
    if match is None or Thread.objects.filter(match=match).exists():
        return
    people = {"maya": maya, "theo": theo, "coordinator": coordinator}
    now = timezone.now()
    for kind, lines in ((Thread.Kind.PAIR, PAIR_THREAD), (Thread.Kind.COORDINATORS, COORDINATORS_THREAD)):
        thread = Thread.objects.create(match=match, kind=kind, created_at=now - timedelta(days=lines[0][1], hours=2))
        written = [
            Message.objects.create(thread=thread, author=people[who], body=body,
                                   created_at=now - timedelta(days=days, hours=2 - number % 3))
            for number, (who, days, body) in enumerate(lines)
        ]  # fmt: skip
        # Each has read their thread, but Theo not yet Maya's last message.
        for who, person in people.items():
            if kind == Thread.Kind.PAIR and who == "coordinator":
                continue
            upto = written[-2].pk if (who == "theo" and kind == Thread.Kind.PAIR) else written[-1].pk
            ReadState.objects.create(thread=thread, user=person, last_read_id=upto)
    if not programme.announcements.exists():
        recipients = announcement_recipients(programme, Announcement.Audience.MENTEES)
        Announcement.objects.create(
            programme=programme, author=coordinator, audience=Announcement.Audience.MENTEES,
            subject="Mentees' lunch on Friday",
            body="All mentees are welcome at a lunch on Friday at 12:30 in the atrium.\n"
                 "Bring one question you would like to ask the other mentees.",
            created_at=now - timedelta(days=3), sent_at=now - timedelta(days=3), recipients_count=len(recipients),
        )  # fmt: skip

"""The demo's mentors' circle: a few conversations among the running
programme's mentors, one pinned by the coordinator. Seeded once (a circle with
posts is left alone). Posts and replies are written as rows with past dates, so
seeding mails nobody about them."""

from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from circles import services
from circles.models import Post, Reply
from programmes.models import Participant, Programme

CONVERSATIONS = [
    ("How do you start the first meeting?",
     "I have my first meeting next week. Do you start with goals straight away, or get to know each other first?",
     ["I spend the first half hour on their story and mine; goals come at the second meeting.",
      "Ask what a great outcome would look like in six months. It breaks the ice and points at goals."]),
    ("My mentee keeps cancelling",
     "Three cancellations in a row now, always last minute. How do you raise it without making it awkward?",
     ["Name it kindly and ask what would make the time work: shorter, earlier, by video?"]),
    ("A book that helped me mentor",
     "\u201cThe Coaching Habit\u201d: seven questions, and the discipline to stay curious a little longer.",
     []),
]  # fmt: skip


def posted_at(programme: Programme, number: int) -> datetime:
    """The first conversation ("I have my first meeting next week") on the day
    after the pairs were matched, before any first meeting (from the third day of
    the programme, demo.seed_sessions); the others in the last two weeks."""
    if number == 0 and programme.starts_on:
        return datetime.combine(programme.starts_on + timedelta(days=1), time(11), tzinfo=UTC)
    return timezone.now() - timedelta(days=12 - 4 * number, hours=3)


def seed_circles(programme: Programme, coordinator) -> None:
    circle = services.mentors_circle_get_or_create(programme=programme)
    if circle.posts.exists():
        return
    mentors = [
        p.user
        for p in programme.participants.filter(role=Participant.Role.MENTOR, status=Participant.Status.APPROVED)
        .select_related("user")
        .order_by("user__email")[:6]
    ]
    if len(mentors) < 3:
        return
    for number, (title, body, replies) in enumerate(CONVERSATIONS):
        posted = posted_at(programme, number)
        post = Post.objects.create(circle=circle, author=mentors[number], title=title, body=body, created_at=posted)
        Reply.objects.bulk_create(
            Reply(post=post, author=mentors[(number + offset) % len(mentors)], body=text,
                  created_at=posted + timedelta(hours=5 * offset))
            for offset, text in enumerate(replies, start=1)
        )  # fmt: skip
    first = circle.posts.order_by("created_at").first()
    services.post_pin(post=first, by=coordinator)

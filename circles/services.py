"""Every change to a circle: posting, replying, editing, and the coordinators'
moderation. Each service checks who acts through rules.py, refuses with a
CircleError the person can act on, and changes rows in one transaction.

Moderation never deletes: a hidden post or reply stays in the database, its
author still sees it with the coordinator's reason, and a coordinator may
restore it."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from networks.models import Network
from notifications.services import Notice, notify_many
from people.models import User
from programmes.models import Programme

from .models import Circle, Post, Reply
from .rules import in_reach, lead_channels, may_read, may_write, role_in

TITLE_MAX = Post._meta.get_field("title").max_length
POST_BODY_MAX = Post._meta.get_field("body").max_length
REPLY_BODY_MAX = Reply._meta.get_field("body").max_length
REASON_MAX = Post._meta.get_field("hidden_reason").max_length


class CircleError(Exception):
    """A refused change to a circle, with a sentence the person can act on.
    `field` names the form field the sentence is about, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# -- helpers ----------------------------------------------------------------


def _text(value: str, *, field: str, empty: str, limit: int, what: str) -> str:
    """Trimmed text, or a CircleError saying what is wrong with it. Line breaks
    inside stay: the pages show them."""
    value = (value or "").strip()
    if not value:
        raise CircleError(empty, field)
    if len(value) > limit:
        raise CircleError(f"{what} can be {limit:,} characters at most; this one has {len(value):,}.", field)
    return value


def _require_moderator(circle: Circle, by: User) -> None:
    if role_in(by, circle.programme) != "coordinator":
        raise CircleError("Only the programme's coordinators can moderate its circles.")


def _require_writer(circle: Circle, by: User, post: Post | None = None) -> bool:
    """Refuses people who may not write here (a network's lead: outside their
    channel, when `post` is the post they write under); returns whether they
    write as a coordinator."""
    role = role_in(by, circle.programme, circle.audience)
    if not may_read(role, circle.audience, circle):
        raise CircleError("Only members of this circle can write in it.")
    if not may_write(role, circle.audience, circle):
        raise CircleError("This circle is closed: nobody can write in it until a coordinator opens it again.")
    if post is not None and not in_reach(post, role, lead_channels(by, circle.programme) if role == "lead" else
                                         frozenset()):  # fmt: skip
        raise CircleError("Only members of this circle can write in it.")
    return role == "coordinator"


def channel_choices(circle: Circle, *, role: str | None, channels: frozenset[int]) -> list[Network]:
    """The channels someone in `role` may post in (one query): in the mentors'
    circle, every active co-sponsoring network for its mentors and coordinators;
    for a lead, their own networks (`channels`) only; elsewhere none."""
    if circle.audience != Circle.Audience.MENTORS or role is None:
        return []
    networks = circle.programme.sponsor_networks.filter(is_active=True).order_by("name", "pk")
    if role == "lead":
        networks = networks.filter(pk__in=channels)
    return list(networks)


def _channel(circle: Circle, by: User, network: Network | None) -> Network | None:
    """The channel a new post goes to, checked: a co-sponsor's channel of the mentors'
    circle the person may use; a lead must choose one of theirs."""
    role = role_in(by, circle.programme, circle.audience)
    channels = lead_channels(by, circle.programme) if role == "lead" else frozenset()
    choices = {n.pk: n for n in channel_choices(circle, role=role, channels=channels)}
    if network is None:
        if role == "lead":
            raise CircleError("Choose your network's channel: as a network lead you post there.", "network")
        return None
    if network.pk not in choices:
        raise CircleError("That network has no channel here that you can post in.", "network")
    return choices[network.pk]


def _locked(model, pk: int):
    """The row, locked until the transaction ends, so two moderators (or a reply and
    a lock) cannot both act on the state they read."""
    return (
        model.objects.select_for_update(of=("self",))
        .select_related(*(["circle__programme"] if model is Post else ["post__circle__programme"]))
        .get(pk=pk)
    )


# -- circles ----------------------------------------------------------------


def mentors_circle_get_or_create(*, programme: Programme) -> Circle:
    """Every programme has a mentors' circle, open from the start; it is made the
    first time anyone opens it (two first visits at once make one circle)."""
    circle, _ = Circle.objects.get_or_create(programme=programme, audience=Circle.Audience.MENTORS)
    return circle


def circle_open(*, programme: Programme, by: User) -> Circle:
    """Open the programme's mentees' circle (making it the first time)."""
    if role_in(by, programme) != "coordinator":
        raise CircleError("Only the programme's coordinators can open the mentees' circle.")
    with transaction.atomic():
        circle, created = Circle.objects.select_for_update().get_or_create(
            programme=programme, audience=Circle.Audience.MENTEES, defaults={"opened_by": by, "is_open": True}
        )
        if not created:
            if circle.is_open:
                raise CircleError("The mentees' circle is open already.")
            circle.is_open = True
            circle.opened_by = by
            circle.full_clean()
            circle.save(update_fields=["is_open", "opened_by"])
    return circle


def circle_close(*, circle: Circle, by: User) -> Circle:
    """Close the mentees' circle: its posts stay, hidden from mentees until it opens again."""
    if circle.audience != Circle.Audience.MENTEES:
        raise CircleError("The mentors' circle is always open; only the mentees' circle can be closed.")
    _require_moderator(circle, by)
    with transaction.atomic():
        locked = Circle.objects.select_for_update().get(pk=circle.pk)
        if not locked.is_open:
            raise CircleError("The mentees' circle is closed already.")
        circle.is_open = False
        circle.full_clean()
        circle.save(update_fields=["is_open"])
    return circle


# -- posts and replies -------------------------------------------------------


def post_create(*, circle: Circle, by: User, title: str, body: str, network: Network | None = None) -> Post:
    """A new conversation, in the whole circle or (mentors' circle) in a co-sponsoring network's channel."""
    title = _text(title, field="title", empty="Give your post a title.", limit=TITLE_MAX, what="A title")
    body = _text(body, field="body", empty="Write something in your post.", limit=POST_BODY_MAX, what="A post")
    as_coordinator = _require_writer(circle, by)
    network = _channel(circle, by, network)
    post = Post(circle=circle, author=by, by_coordinator=as_coordinator, title=title, body=body, network=network)
    post.full_clean()
    with transaction.atomic():
        post.save()
    return post


def post_edit_refusal(*, post: Post, by: User, now: datetime | None = None) -> str | None:
    """Why this person may not edit the post now, in a sentence; None if they may.
    (Pages use it to explain; post_edit enforces it.)"""
    if post.author_id is None or post.author_id != by.pk:
        return "Only the author can edit a post."
    if post.is_hidden:
        return "A coordinator has hidden this post, so it can no longer be edited."
    if post.is_locked:
        return "A coordinator has locked this post, so it can no longer be edited."
    if (now or timezone.now()) > post.edit_window_ends_at:
        return "Posts can be edited for 24 hours after they are written; reply to add something."
    return None


def post_edit(*, post: Post, by: User, title: str, body: str, now: datetime | None = None) -> Post:
    """The author corrects their post within 24 hours of writing it, unless a
    coordinator has locked or hidden it meanwhile."""
    title = _text(title, field="title", empty="Give your post a title.", limit=TITLE_MAX, what="A title")
    body = _text(body, field="body", empty="Write something in your post.", limit=POST_BODY_MAX, what="A post")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(Post, post.pk)
        refusal = post_edit_refusal(post=locked, by=by, now=now)
        if refusal:
            raise CircleError(refusal)
        _require_writer(locked.circle, by, locked)
        post.title, post.body, post.edited_at = title, body, now
        post.full_clean()
        post.save(update_fields=["title", "body", "edited_at"])
    return post


def reply_create(*, post: Post, by: User, body: str) -> Reply:
    """A reply under a post; the post's author hears of it (unless they replied to themselves)."""
    body = _text(body, field="body", empty="Write something in your reply.", limit=REPLY_BODY_MAX, what="A reply")
    with transaction.atomic():
        locked = _locked(Post, post.pk)  # a lock or a hide at the same moment waits for us, or we for it
        as_coordinator = _require_writer(locked.circle, by, locked)
        if locked.is_hidden:
            raise CircleError("A coordinator has hidden this post, so it takes no replies.")
        if locked.is_locked:
            raise CircleError("A coordinator has locked this post: it takes no more replies.")
        reply = Reply(post=locked, author=by, by_coordinator=as_coordinator, body=body)
        reply.full_clean()
        reply.save()
        if locked.author_id is not None and locked.author_id != by.pk:
            notify_many([
                Notice(locked.author_id, "circle_reply", reply, timezone.localdate(reply.created_at),
                       locked.circle.programme_id),
            ])  # fmt: skip
    return reply


# -- moderation -------------------------------------------------------------


def _hide(model, item: Post | Reply, *, by: User, reason: str, now: datetime | None) -> None:
    reason = _text(reason, field="reason", empty="Say why it is hidden: its author will read the reason.",
                   limit=REASON_MAX, what="The reason")  # fmt: skip
    what = "post" if model is Post else "reply"
    with transaction.atomic():
        locked = _locked(model, item.pk)
        _require_moderator(locked.circle if model is Post else locked.post.circle, by)
        if locked.is_hidden:
            raise CircleError(f"This {what} is hidden already.")
        item.hidden_at, item.hidden_by, item.hidden_reason = now or timezone.now(), by, reason
        item.full_clean()
        item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])


def _restore(model, item: Post | Reply, *, by: User) -> None:
    what = "post" if model is Post else "reply"
    with transaction.atomic():
        locked = _locked(model, item.pk)
        _require_moderator(locked.circle if model is Post else locked.post.circle, by)
        if not locked.is_hidden:
            raise CircleError(f"This {what} is not hidden.")
        item.hidden_at, item.hidden_by, item.hidden_reason = None, None, ""
        item.full_clean()
        item.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])


def post_hide(*, post: Post, by: User, reason: str, now: datetime | None = None) -> Post:
    """Hide a post from everyone but its author (who reads the reason) and the moderators."""
    _hide(Post, post, by=by, reason=reason, now=now)
    return post


def reply_hide(*, reply: Reply, by: User, reason: str, now: datetime | None = None) -> Reply:
    _hide(Reply, reply, by=by, reason=reason, now=now)
    return reply


def post_restore(*, post: Post, by: User) -> Post:
    _restore(Post, post, by=by)
    return post


def reply_restore(*, reply: Reply, by: User) -> Reply:
    _restore(Reply, reply, by=by)
    return reply


def _set_flag(post: Post, *, by: User, field: str, value: bool, already: str) -> Post:
    with transaction.atomic():
        locked = _locked(Post, post.pk)
        _require_moderator(locked.circle, by)
        if getattr(locked, field) == value:
            raise CircleError(already)
        if field == "is_pinned" and value and locked.is_hidden:
            raise CircleError("Restore this post before pinning it: hidden posts cannot be pinned.")
        setattr(post, field, value)
        post.save(update_fields=[field])
    return post


def post_pin(*, post: Post, by: User) -> Post:
    """Pinned posts come first in the circle."""
    return _set_flag(post, by=by, field="is_pinned", value=True, already="This post is pinned already.")


def post_unpin(*, post: Post, by: User) -> Post:
    return _set_flag(post, by=by, field="is_pinned", value=False, already="This post is not pinned.")


def post_lock(*, post: Post, by: User) -> Post:
    """A locked post stays readable but takes no more replies and no edits."""
    return _set_flag(post, by=by, field="is_locked", value=True, already="This post is locked already.")


def post_unlock(*, post: Post, by: User) -> Post:
    return _set_flag(post, by=by, field="is_locked", value=False, already="This post is not locked.")


# -- the next cohort -----------------------------------------------------------


def circles_copy(*, source: Programme, target: Programme, by: User) -> list[Circle]:
    """The next cohort gets the programme's circles as they are set ("Run it
    again", docs/cohorts.md): the mentors' circle, and the mentees' circle open
    or closed as it is now (opened by the coordinator who runs it again). The
    posts and replies stay with the old cohort: they were written to its people."""
    return Circle.objects.bulk_create(
        Circle(
            programme=target, audience=circle.audience, is_open=circle.is_open,
            opened_by=by if circle.audience == Circle.Audience.MENTEES and circle.is_open else None,
        )
        for circle in Circle.objects.filter(programme=source).order_by("audience")
    )  # fmt: skip

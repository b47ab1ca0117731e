"""The circle pages: a circle's posts with a form to start a conversation, a
post with its replies and a reply form, the author's edit page, and the
coordinators' POST-only moderation actions.

Every view fetches through permissions.py (outsiders get 404; members who may
not moderate get 403 on moderation), calls one service, and answers with a
message and a redirect, or with the form again, filled in, when input is wrong."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sessions_log.services import timezone_name_of

from . import selectors, services
from .forms import HideForm, PostForm, ReplyForm
from .models import Circle, Post
from .permissions import CircleAccess, get_circle_for_user, get_post_for_user, get_reply_for_user
from .services import CircleError

POSTS_PER_PAGE = 20


def _add_error(form: forms.Form, error: CircleError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _require_moderator(access: CircleAccess) -> None:
    if not access.is_moderator:
        raise PermissionDenied("Only the programme's coordinators can moderate its circles.")


# -- the circle ---------------------------------------------------------------


@login_required
def circle(request: HttpRequest, programme_pk: int, audience: str) -> HttpResponse:
    """The circle's posts; a POST starts a new conversation."""
    access = get_circle_for_user(request.user, programme_pk, audience)
    channels = (
        services.channel_choices(access.circle, role=access.role, channels=access.channels) if access.circle else []
    )
    form = PostForm(request.POST if request.method == "POST" else None, channels=channels,
                    channel_required=access.role == "lead")  # fmt: skip
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied("This circle is closed.")
        if form.is_valid():
            network = {n.pk: n for n in channels}.get(form.cleaned_data.get("network"))
            try:
                post = services.post_create(
                    circle=access.circle, by=request.user,
                    title=form.cleaned_data["title"], body=form.cleaned_data["body"], network=network,
                )  # fmt: skip
            except CircleError as error:
                _add_error(form, error)
            else:
                messages.success(request, "Your post is in the circle.")
                return redirect(post)
    return _render_circle(request, access, form, channels)


def _chosen_channel(request: HttpRequest, channels: list) -> int | None:
    """The channel filter (?channel=<network pk>), if it names one of the channels shown."""
    try:
        chosen = int(request.GET.get("channel", ""))
    except ValueError:
        return None
    return chosen if any(n.pk == chosen for n in channels) else None


def _render_circle(request: HttpRequest, access: CircleAccess, form: PostForm, channels: list) -> HttpResponse:
    page = None
    channel = _chosen_channel(request, channels)
    if access.circle is not None:
        posts = selectors.posts_for_circle(
            access.circle, viewer=request.user, is_moderator=access.is_moderator, channel=channel,
            channels=access.channels if access.role == "lead" else None,
        )  # fmt: skip
        page = Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page"))
    mentees_circle = access.circle if access.audience == Circle.Audience.MENTEES else None
    if access.is_moderator and access.audience == Circle.Audience.MENTORS:
        # The tab to the mentees' circle says whether it is open (one query, coordinators only).
        mentees_circle = Circle.objects.filter(programme=access.programme, audience=Circle.Audience.MENTEES).first()
    return render(request, "circles/circle.html", {
        "access": access, "programme": access.programme, "circle": access.circle, "audience": access.audience,
        "page": page, "form": form, "mentees_circle": mentees_circle, "viewer_tz": timezone_name_of(request.user),
        "channels": channels, "channel": channel,
    })  # fmt: skip


@login_required
@require_POST
def circle_open(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = get_circle_for_user(request.user, programme_pk, Circle.Audience.MENTEES)
    _require_moderator(access)
    try:
        services.circle_open(programme=access.programme, by=request.user)
    except CircleError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, "The mentees' circle is open: the programme's approved mentees can read and post.")
    return redirect("circles:circle", programme_pk, Circle.Audience.MENTEES)


@login_required
@require_POST
def circle_close(request: HttpRequest, programme_pk: int) -> HttpResponse:
    access = get_circle_for_user(request.user, programme_pk, Circle.Audience.MENTEES)
    _require_moderator(access)
    try:
        if access.circle is None:
            raise CircleError("The mentees' circle has never been opened.")
        services.circle_close(circle=access.circle, by=request.user)
    except CircleError as error:
        messages.warning(request, str(error))
    else:
        messages.success(
            request, "The mentees' circle is closed. Its posts are kept; mentees see them again if it reopens."
        )
    return redirect("circles:circle", programme_pk, Circle.Audience.MENTEES)


# -- a post -------------------------------------------------------------------


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A post and its replies; a POST adds a reply."""
    post, access = get_post_for_user(request.user, pk)
    form = ReplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied("This circle is closed.")
        if form.is_valid():
            try:
                reply = services.reply_create(post=post, by=request.user, body=form.cleaned_data["body"])
            except CircleError as error:
                _add_error(form, error)
            else:
                messages.success(request, "Your reply is posted.")
                return redirect(reply)
    return _render_post(request, post, access, reply_form=form)


def _render_post(
    request: HttpRequest, post: Post, access: CircleAccess, *, reply_form: ReplyForm | None = None,
    hide_form: HideForm | None = None, hide_reply_pk: int | None = None,
) -> HttpResponse:  # fmt: skip
    """The post page; a refused `hide_form` comes back filled in, with its error,
    under the reply `hide_reply_pk` or, without one, under the post."""
    replies = selectors.replies_for_post(post, viewer=request.user, is_moderator=access.is_moderator)
    return render(request, "circles/post.html", {
        "access": access, "programme": access.programme, "circle": post.circle, "post": post,
        "replies": replies, "reply_form": reply_form or ReplyForm(),
        "can_reply": access.can_write and not post.is_locked and not post.is_hidden,
        "can_edit": services.post_edit_refusal(post=post, by=request.user) is None,
        "hide_form": hide_form, "hide_reply_pk": hide_reply_pk, "viewer_tz": timezone_name_of(request.user),
    })  # fmt: skip


@login_required
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    post, access = get_post_for_user(request.user, pk)
    if post.author_id != request.user.pk:
        raise PermissionDenied("Only the author can edit a post.")
    refusal = services.post_edit_refusal(post=post, by=request.user)
    if refusal:
        messages.warning(request, refusal)
        return redirect(post)
    if request.method == "POST":
        form = PostForm(request.POST)
        if form.is_valid():
            try:
                services.post_edit(
                    post=post, by=request.user, title=form.cleaned_data["title"], body=form.cleaned_data["body"]
                )
            except CircleError as error:
                _add_error(form, error)
            else:
                messages.success(request, "Your post is updated.")
                return redirect(post)
    else:
        form = PostForm(initial={"title": post.title, "body": post.body})
    return render(request, "circles/post_edit.html", {
        "access": access, "programme": access.programme, "circle": post.circle, "post": post, "form": form,
    })  # fmt: skip


# -- moderation (coordinators, POST only) ---------------------------------------


@login_required
@require_POST
def post_hide(request: HttpRequest, pk: int) -> HttpResponse:
    post, access = get_post_for_user(request.user, pk)
    _require_moderator(access)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.post_hide(post=post, by=request.user, reason=form.cleaned_data["reason"])
        except CircleError as error:
            _add_error(form, error)
        else:
            messages.success(request, "The post is hidden. Its author sees your reason; nobody else sees the post.")
            return redirect(post)
    return _render_post(request, post, access, hide_form=form)


@login_required
@require_POST
def reply_hide(request: HttpRequest, pk: int) -> HttpResponse:
    reply, access = get_reply_for_user(request.user, pk)
    _require_moderator(access)
    form = HideForm(request.POST)
    if form.is_valid():
        try:
            services.reply_hide(reply=reply, by=request.user, reason=form.cleaned_data["reason"])
        except CircleError as error:
            _add_error(form, error)
        else:
            messages.success(request, "The reply is hidden. Its author sees your reason; nobody else sees the reply.")
            return redirect(reply)
    post = Post.objects.select_related("circle__programme", "author", "hidden_by").get(pk=reply.post_id)
    return _render_post(request, post, access, hide_form=form, hide_reply_pk=reply.pk)


@login_required
@require_POST
def reply_restore(request: HttpRequest, pk: int) -> HttpResponse:
    reply, access = get_reply_for_user(request.user, pk)
    _require_moderator(access)
    try:
        services.reply_restore(reply=reply, by=request.user)
    except CircleError as error:
        messages.warning(request, str(error))
    else:
        messages.success(request, "The reply is visible again.")
    return redirect(reply)


def _post_action(service: Callable[..., Post], done: str):
    """A moderation action on a post that needs no input: restore, pin, unpin, lock, unlock."""

    @login_required
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        post, access = get_post_for_user(request.user, pk)
        _require_moderator(access)
        try:
            service(post=post, by=request.user)
        except CircleError as error:
            messages.warning(request, str(error))
        else:
            messages.success(request, done)
        return redirect(post)

    view.__name__ = service.__name__
    return view


post_restore = _post_action(services.post_restore, "The post is visible again.")
post_pin = _post_action(services.post_pin, "The post is pinned: it comes first in the circle.")
post_unpin = _post_action(services.post_unpin, "The post is no longer pinned.")
post_lock = _post_action(services.post_lock, "The post is locked: it takes no more replies.")
post_unlock = _post_action(services.post_unlock, "The post is unlocked: members can reply again.")

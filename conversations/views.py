"""Pages of messages: the person's threads, one thread (written to without a
full reload through htmx, and polled for new messages; plain forms and links
without JavaScript), and the coordinators' announcements with their preview.

Every view fetches its object through permissions.py: outsiders get 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from notifications import kinds
from programmes.permissions import get_programme_for_coordinator
from sessions_log.services import timezone_name_of

from . import selectors, services
from .forms import AnnouncementForm, MessageForm
from .models import Announcement, Thread
from .permissions import ThreadAccess, get_thread_for_user
from .services import ConversationError


def _add_error(form, error: ConversationError) -> None:
    form.add_error(error.field if error.field in form.fields else None, str(error))


def _after(request: HttpRequest) -> int:
    value = request.GET.get("after") or request.POST.get("after") or "0"
    return int(value) if value.isdigit() else 0


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    threads = list(selectors.threads_for(request.user))
    return render(
        request, "conversations/inbox.html", {"threads": threads, "viewer_tz": timezone_name_of(request.user)}
    )


def _thread_context(request: HttpRequest, access: ThreadAccess, form: MessageForm, shown: list) -> dict:
    last_id = shown[-1].pk if shown else _after(request)
    return {
        "access": access, "match": access.match, "thread": access.thread, "kind": access.kind, "form": form,
        "shown": shown, "last_id": last_id, "viewer_tz": timezone_name_of(request.user),
        "thread_url": reverse("conversations:thread", args=[access.match.pk, access.kind]),
        "poll_url": reverse("conversations:thread_poll", args=[access.match.pk, access.kind]),
    }  # fmt: skip


def _fragment(request: HttpRequest, access: ThreadAccess, form: MessageForm, *, mark_read: bool = True) -> HttpResponse:
    """What htmx swaps in: the messages after `after` (appended), a fresh poller
    carrying the new last id, and, after a POST, the form (cleared or with its errors).
    A refused message changes nothing, read marks included."""
    if access.thread is None:  # the first message made it
        access.thread = Thread.objects.filter(match=access.match, kind=access.kind).first()
    shown = selectors.messages_of(access.thread, after=_after(request))
    if shown and mark_read:
        services.thread_mark_read(thread=access.thread, user=request.user, upto=shown[-1].pk)
    context = _thread_context(request, access, form, shown) | {"with_form": request.method == "POST"}
    return render(request, "conversations/_thread_update.html", context)


@login_required
def thread(request: HttpRequest, match_pk: int, kind: str) -> HttpResponse:
    """The thread; a POST writes a message (htmx: answered with the update only)."""
    access = get_thread_for_user(request.user, match_pk, kind)
    form = MessageForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not access.can_write:
            raise PermissionDenied("This pair has ended: its messages can be read, no longer written.")
        if form.is_valid():
            try:
                message = services.message_post(match=access.match, kind=kind, by=request.user,
                                                body=form.cleaned_data["body"])  # fmt: skip
            except ConversationError as error:
                _add_error(form, error)
            else:
                if request.htmx:
                    return _fragment(request, access, MessageForm())
                return redirect(reverse("conversations:thread", args=[match_pk, kind]) + f"#message-{message.pk}")
        if request.htmx:
            return _fragment(request, access, form, mark_read=False)
    shown = selectors.messages_of(access.thread)
    if shown and request.method == "GET":
        services.thread_mark_read(thread=access.thread, user=request.user, upto=shown[-1].pk)
    return render(request, "conversations/thread.html", _thread_context(request, access, form, shown))


@login_required
@require_GET
def thread_poll(request: HttpRequest, match_pk: int, kind: str) -> HttpResponse:
    """New messages after `?after=<id>`: polled by the thread page with htmx; without
    JavaScript, the thread page itself (its "Check for new messages" link)."""
    access = get_thread_for_user(request.user, match_pk, kind)
    if not request.htmx:
        return redirect("conversations:thread", match_pk, kind)
    return _fragment(request, access, MessageForm())


# -- announcements -------------------------------------------------------------


@login_required
def announce(request: HttpRequest, programme_pk: int) -> HttpResponse:
    programme = get_programme_for_coordinator(request.user, programme_pk)
    form = AnnouncementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.announcement_draft(programme=programme, by=request.user, **form.cleaned_data)
        except ConversationError as error:
            _add_error(form, error)
        else:
            return redirect("conversations:announcement", programme.pk, draft.pk)
    sent = selectors.announcements_of(programme).filter(sent_at__isnull=False)[:20]
    return render(request, "conversations/announce.html", {"programme": programme, "form": form, "sent": sent})


@login_required
def announcement(request: HttpRequest, programme_pk: int, pk: int) -> HttpResponse:
    """The preview (who gets it, how many, the mail as the first of them reads it);
    a POST sends it, once."""
    programme = get_programme_for_coordinator(request.user, programme_pk)
    found = get_object_or_404(Announcement, pk=pk, programme=programme)
    found.programme = programme
    if request.method == "POST":
        try:
            count = services.announcement_send(announcement=found, by=request.user)
        except ConversationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Announcement sent to {count} {'person' if count == 1 else 'people'}.")
            return redirect("conversations:announcement", programme.pk, found.pk)
    recipients = selectors.announcement_recipients(programme, found.audience) if found.sent_at is None else []
    preview = _mail_preview(found, recipients[0] if recipients else request.user)
    return render(request, "conversations/announcement.html", {
        "programme": programme, "announcement": found, "recipients": recipients, "preview": preview,
    })  # fmt: skip


def _mail_preview(found: Announcement, recipient) -> dict:
    kind = kinds.get(services.ANNOUNCEMENT_KIND)
    context = {
        "announcement": found, "programme": found.programme, "recipient": recipient, "kind": kind,
        "url": settings.SITE_URL + reverse("programmes:detail", args=[found.programme_id]),
        "unsubscribe_url": "(a link to turn off announcements)", "preferences_url": "(a link to their preferences)",
    }  # fmt: skip
    subject = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
    return {"subject": subject, "text": render_to_string(f"{kind.template}.txt", context)}

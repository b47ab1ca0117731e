"""Guests from outside the organisation (docs/guests-and-new-joiners.md).

A coordinator of a programme that admits guests invites one (name, email,
organisation, role): an account is made with `User.is_guest`, a `Guest` row ties
it to the programme, and the ordinary invitation (its mail through the outbox)
lets them set a password and join, approved, with `Participant.source = guest`.

A guest has no department and no manager, manages nobody, is never touched by
the roster sync or SCIM, sees only their own programme (GuestBoundaryMiddleware
and programmes.permissions), is marked "Guest · <organisation>" wherever their
name appears (people_tags.person_name), and is erased when their programme
closes (`guests_erase_on_close`, called by programme_close)."""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import get_resolver

from people.models import User

from .models import Guest, Invitation, Participant, Programme
from .services import ProgrammeError, invitations_create

# privacy.services.person_erase, registered by privacy.apps (privacy sits above
# programmes and reads every app, so programmes may not import it).
GUEST_ERASERS: list[Callable[..., object]] = []


@transaction.atomic
def guest_invite(*, programme: Programme, email: str, full_name: str, organisation: str, role: str, by: User) -> Guest:
    """Invite a person from outside to this programme. Refused, saving nothing, when
    the programme does not admit guests or has closed, or the address belongs to
    someone already known (a colleague's account, another programme's guest)."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not programme.admits_guests:
        raise ProgrammeError(
            "This programme does not admit guests from outside. Turn on “admits guests from outside” in its "
            "settings first."
        )
    if programme.status == Programme.Status.CLOSED:
        raise ProgrammeError("The programme has closed: it cannot take guests any more.")
    if role not in Participant.Role.values:
        raise ProgrammeError("Choose whether the guest takes part as a mentor or a mentee.")
    email, full_name, organisation = email.strip().lower(), full_name.strip(), organisation.strip()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None and not existing.is_guest:
        raise ProgrammeError(
            f"{email} already has an account here, so it is not a guest's: invite them as a colleague "
            "on the invitations page."
        )
    if existing is not None:
        raise ProgrammeError(f"{email} has been invited as a guest already (a guest account belongs to one programme).")
    if Invitation.objects.filter(programme=programme, email__iexact=email).exists():
        raise ProgrammeError(f"{email} has been invited to this programme already.")
    # No password until they follow the invitation; no profile: no department, no manager.
    user = User.objects.create_user(email=email, password=None, full_name=full_name, is_guest=True)
    guest = Guest.objects.create(user=user, programme=programme, organisation=organisation, invited_by=by)
    invitations_create(programme=programme, people=[(email, role)], by=by)
    return guest


def guests_erase_on_close(*, programme: Programme, by: User | None) -> int:
    """Erase the accounts of the programme's guests (privacy's person_erase: their
    personal data and text go, anonymous rows stay for the reports; each erasure is
    in the audit log). Runs in programme_close's transaction. Returns how many."""
    users = list(User.objects.filter(guest__programme=programme, is_active=True))
    if users and not GUEST_ERASERS:
        raise ImproperlyConfigured("No guest eraser is registered: is the privacy app installed?")
    for user in users:
        for erase in GUEST_ERASERS:
            erase(user=user, by=by)
    return len(users)


def guests_of(programme: Programme) -> list[Guest]:
    """The programme's guests, with whether each has joined yet: two queries."""
    guests = list(Guest.objects.filter(programme=programme).select_related("user", "invited_by"))
    joined = dict(
        Participant.objects.filter(programme=programme, user__in=[g.user_id for g in guests]).values_list(
            "user_id", "status"
        )
    )
    for guest in guests:
        guest.joined_status = joined.get(guest.user_id, "")
    return guests


# -- what a guest may open -------------------------------------------------------

# The organisation's own pages a guest never sees: find someone to learn from,
# staff networks, the people directory's tags and roles, HR's reports.
GUEST_BLOCKED_PREFIXES = ("/help/", "/networks/", "/people/tags/", "/people/roles/", "/reports/")


def guest_may_open(user, path: str) -> bool:
    return not (user.is_authenticated and user.is_guest and path.startswith(GUEST_BLOCKED_PREFIXES))


class GuestBoundaryMiddleware:
    """A guest asking for one of the organisation's own pages gets 404, as for a page
    that does not exist: one place for the rule, whatever app the page is in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if not guest_may_open(request.user, request.path_info):
            # The site's own 404 (urls.handler404), as for an address that does not exist.
            return get_resolver().resolve_error_handler(404)(request, exception=Http404("No such page."))
        return None

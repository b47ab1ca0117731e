"""The demo's new joiners and guests (docs/guests-and-new-joiners.md): an onboarding
programme, "Welcome buddies", that two recent joiners were enrolled in (one opted
out), and a guest from a partner university in the running mentoring programme."""

from django.db import transaction

from people.models import User
from programmes.models import Guest, Invitation, Participant, Programme

GUEST_EMAIL = "nadia.guest@northbridge.example"


@transaction.atomic
def seed_guests(traditional: Programme, coordinator: User, people: list[User]) -> None:
    """Call after seed_programmes: seed_guests(traditional, coordinator, people). Safe to run twice."""
    from directory.onboarding import new_joiners_enrol
    from programmes import services
    from programmes.guests import guest_invite

    welcome = Programme.objects.filter(name="Welcome buddies").first()
    if welcome is None:
        welcome = services.programme_create(
            created_by=coordinator, name="Welcome buddies", kind="traditional", enrol_new_joiners=True,
            purpose="Everyone who joins us gets a buddy for their first three months.",
        )  # fmt: skip
        services.programme_set_status(programme=welcome, status=Programme.Status.OPEN, by=coordinator)
    joiners = [person for person in people[-2:] if not person.is_guest]
    new_joiners_enrol(joiners)  # as the roster sync does for recent hires: told once, never twice
    Participant.objects.filter(programme=welcome, user=joiners[-1]).update(status=Participant.Status.WITHDRAWN)

    if not traditional.admits_guests:
        traditional.admits_guests = True
        traditional.save(update_fields=["admits_guests"])
    if not Guest.objects.filter(user__email=GUEST_EMAIL).exists():
        guest = guest_invite(programme=traditional, email=GUEST_EMAIL, full_name="Nadia Osei",
                             organisation="Northbridge University", role="mentee", by=coordinator).user  # fmt: skip
        guest.set_password("mentoring-demo")
        guest.save(update_fields=["password"])
        services.invitation_accept(invitation=Invitation.objects.get(email=GUEST_EMAIL), user=guest)

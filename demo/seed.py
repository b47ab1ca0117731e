"""Builds the demo organisation. Every step is idempotent: running it again
updates what is there and creates nothing twice."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from people.models import User

DEMO_PASSWORD = "mentoring-demo"  # noqa: S105 (published demo logins)


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str


ROLE_ACCOUNTS = [
    # email, full name, flags, what to try with the account
    ("admin@demo.example", "Sasha Support", {"is_staff": True, "is_superuser": True}, "staff: admin site, roles"),
    ("coordinator@demo.example", "Corinne Okafor", {"is_coordinator": True}, "coordinator: runs the programmes"),
    ("hr@demo.example", "Hamid Rahimi", {"is_hr": True}, "HR viewer: reports and exports"),
    ("mentor@demo.example", "Maya Lindqvist", {}, "participant: mentor"),
    ("mentee@demo.example", "Theo Mensah", {}, "participant: mentee"),
]


def ensure_user(email: str, full_name: str, **flags) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": full_name, **flags})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    else:
        changed = [field for field, value in {"full_name": full_name, **flags}.items() if getattr(user, field) != value]
        for field in changed:
            setattr(user, field, {"full_name": full_name, **flags}[field])
        if changed:
            user.save(update_fields=changed)
    # Demo addresses are confirmed, so the logins work even where verification is mandatory.
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


@transaction.atomic
def seed() -> list[DemoLogin]:
    logins = []
    for email, full_name, flags, role in ROLE_ACCOUNTS:
        ensure_user(email, full_name, **flags)
        logins.append(DemoLogin(email=email, role=role))
    return logins

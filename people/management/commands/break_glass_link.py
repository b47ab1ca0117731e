"""Staff's way in when single sign-on is down: a one-time sign-in link (docs/sso.md)."""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from people.sso import break_glass_link


class Command(BaseCommand):
    help = "Print a one-time sign-in link for an active staff account, valid for 15 minutes."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email", help="the staff member's email address")

    def handle(self, *args, email: str, **options) -> None:
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"Nobody has the address {email}.")
        if not (user.is_active and user.is_staff):
            raise CommandError(f"{user.email} is not an active staff account; only staff get a break-glass link.")
        link, lifetime = break_glass_link(user)
        minutes = int(lifetime.total_seconds() // 60)
        self.stdout.write(f"One-time sign-in link for {user.email}, valid for {minutes} minutes:\n{link}")

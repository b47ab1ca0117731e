"""Make the token an identity provider provisions people with (docs/scim.md).

    python manage.py scim_token okta-provisioning@example.org --name "Okta" --days 365

The account must exist and be staff (a service account made in the admin, with
no password). The key is printed once; only its hash is stored."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from api.models import ApiToken
from api.services import MAX_LIFETIME, token_create
from people.models import User


class Command(BaseCommand):
    help = "Make a SCIM provisioning token (scope scim) for a staff service account; print its key once."

    def add_arguments(self, parser):
        parser.add_argument("email", help="The staff service account's address.")
        parser.add_argument("--name", default="SCIM provisioning", help="What the token is for, e.g. Okta.")
        parser.add_argument("--days", type=int, default=MAX_LIFETIME.days, help="Days until it expires.")

    def handle(self, *args, email: str, name: str, days: int, **options):
        account = User.objects.filter(email__iexact=email).first()
        if account is None or not account.is_staff or not account.is_active:
            raise CommandError(f"{email} is not an active staff account: make the service account in the admin first.")
        try:
            _, key = token_create(
                user=account, name=name, scopes=["scim"], kind=ApiToken.Kind.SERVICE,
                expires_at=timezone.now() + timedelta(days=days),
            )  # fmt: skip
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(key)

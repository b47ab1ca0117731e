from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, seed


class Command(BaseCommand):
    help = "Load the demo organisation (safe to run again: it updates, never duplicates) and print its logins."

    def handle(self, *args, **options):
        logins = seed()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data is ready. Sign in with any of these (password: {DEMO_PASSWORD}):")
        )
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role}")

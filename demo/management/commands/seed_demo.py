from django.core.management.base import BaseCommand

from demo.seed import login_lines, seed


class Command(BaseCommand):
    help = (
        "Load the demo organisation (safe to run again: it updates, never duplicates) and print its logins "
        "(--verbosity 0: print nothing; `make run` prints them when the app is ready, see demo_logins)."
    )

    def handle(self, *args, **options):
        seed()
        if options["verbosity"] == 0:
            return
        first, *accounts = login_lines()
        self.stdout.write(self.style.SUCCESS(f"Demo data is ready. {first}"))
        for line in accounts:
            self.stdout.write(line)

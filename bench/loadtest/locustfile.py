"""The load test: participants, coordinators and HR viewers browsing the main pages.

Of every 20 virtual users, 16 are participants, 3 coordinators and 1 an HR
viewer (so 40, 7 or 8, and 2 or 3 of 50), each pausing between pages as a
person reads: 2-8 s on a participant's page, 3-10 s on a coordinator's list or
dashboard, 10-30 s on a report. 50 such users ask for about 8 pages a second.

Run by bench/loadtest/run.sh (headless); on its own:

    LOADTEST_MANIFEST=var/loadtest/accounts.json locust -f bench/loadtest/locustfile.py \\
        --host http://127.0.0.1:8000 --headless -u 50 -r 10 -t 3m --csv var/loadtest/result

Each virtual user takes the next unused account of its role from the manifest
that bench/seed_load.py writes, signs in through allauth's real login form
(the CSRF token read from the page), and browses that person's own pages.
Requests are named by page ("participant: workspace", not /pairs/4711/), so
the statistics are per page. A response counts as a failure when its status
is 4xx/5xx or when it lands on the login page (a session lost or refused).

Every virtual user sends its own X-Forwarded-For address, as a reverse proxy
would for people at their own desks: the server runs with BEHIND_PROXY=1 and
TRUSTED_PROXY_COUNT=1, so allauth's login rate limit (30 a minute per address)
counts each person, not the proxy.
"""

import itertools
import json
import os
import random
import re
from pathlib import Path

from locust import HttpUser, between, task
from locust.exception import StopUser

MANIFEST = json.loads(Path(os.environ.get("LOADTEST_MANIFEST", "var/loadtest/accounts.json")).read_text())
PASSWORD = MANIFEST["password"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Where the sign-in figures go when the statistics restart (see Person.signed_in).
SIGN_IN_STATS = os.environ.get("LOADTEST_SIGN_IN_STATS", "")
_address = itertools.count(1)
_signed_in = itertools.count(1)


def _accounts(role: str):
    accounts = list(MANIFEST[role])
    random.Random(role).shuffle(accounts)
    return iter(accounts)


ACCOUNTS = {role: _accounts(role) for role in ("participants", "coordinators", "hr")}


class Person(HttpUser):
    """A signed-in person; subclasses say which accounts they take and what they open."""

    abstract = True
    role = ""

    def on_start(self) -> None:
        try:
            self.account = next(ACCOUNTS[self.role])
        except StopIteration:
            raise StopUser(f"No more {self.role} accounts in the manifest.") from None
        n = next(_address)
        self.client.headers["X-Forwarded-For"] = f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"
        self.sign_in()

    def sign_in(self) -> None:
        with self.client.get("/accounts/login/", name="sign in: form", catch_response=True) as page:
            token = CSRF.search(page.text or "")
            if page.status_code != 200 or not token:
                page.failure(f"login form: status {page.status_code}, CSRF token found: {bool(token)}")
                raise StopUser()
        form = {"csrfmiddlewaretoken": token.group(1), "login": self.account["email"], "password": PASSWORD}
        with self.client.post(
            "/accounts/login/", data=form, name="sign in: submit", catch_response=True,
            headers={"Referer": f"{self.host}/accounts/login/"},
        ) as response:  # fmt: skip
            if response.status_code != 200 or "/accounts/" in response.url:
                response.failure(f"sign-in refused: status {response.status_code}, landed on {response.url}")
                raise StopUser()
        self.signed_in()

    def signed_in(self) -> None:
        """When everyone has signed in, keep the sign-in figures apart and start the
        page statistics again: the figures then describe people browsing, not
        the queue of fifty password checks at the start (each is about half a
        second of CPU: PBKDF2 with a million iterations). Only with
        LOADTEST_SIGN_IN_STATS set (run.sh sets it)."""
        runner = self.environment.runner
        if not SIGN_IN_STATS or next(_signed_in) != runner.target_user_count:
            return
        stats = self.environment.stats
        rows = [
            {"name": entry.name, "method": entry.method, "requests": entry.num_requests,
             "failures": entry.num_failures, "p50": entry.get_response_time_percentile(0.5),
             "p95": entry.get_response_time_percentile(0.95), "max": entry.max_response_time}
            for entry in stats.entries.values()
            if entry.name.startswith("sign in")
        ]  # fmt: skip
        Path(SIGN_IN_STATS).write_text(json.dumps(rows, indent=1))
        stats.reset_all()

    def page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code >= 400:
                response.failure(f"status {response.status_code}")
            elif "/accounts/login/" in response.url:
                response.failure("sent to the login page")


class Participant(Person):
    """A mentor or mentee: the home page, their pair's workspace and goals, settings, programmes."""

    weight = 16
    role = "participants"
    wait_time = between(2, 8)  # reading a page before clicking on

    @task(4)
    def home(self):
        self.page("/", "participant: home")

    @task(4)
    def workspace(self):
        self.page(f"/pairs/{self.account['match']}/", "participant: pair workspace")

    @task(2)
    def goal(self):
        if self.account["goals"]:
            goal = random.choice(self.account["goals"])
            self.page(f"/pairs/{self.account['match']}/goals/{goal}/", "participant: goal")

    @task(1)
    def notification_settings(self):
        self.page("/notifications/", "participant: notification settings")

    @task(1)
    def programme_list(self):
        self.page("/programmes/", "participant: programme list")

    @task(1)
    def messages(self):
        self.page("/messages/", "participant: messages")

    @task(2)
    def programme_detail(self):
        # Their own programme, or one open for enrolment they might join.
        pk = random.choice([self.account["programme"], *MANIFEST["open_programmes"]])
        self.page(f"/programmes/{pk}/", "participant: programme page")


class Coordinator(Person):
    """A coordinator following their programmes: every page of the coordinator's day."""

    weight = 3
    role = "coordinators"
    wait_time = between(3, 10)  # dashboards and lists take longer to read

    def programme(self) -> int:
        return random.choice(self.account["programmes"])

    @task(1)
    def home(self):
        self.page("/", "coordinator: home")

    @task(1)
    def overview(self):
        self.page("/health/", "coordinator: health overview")

    @task(2)
    def programme_page(self):
        self.page(f"/programmes/{self.programme()}/", "coordinator: programme page")

    @task(2)
    def participants(self):
        query = random.choice(["", "?page=2", "?page=7", "?role=mentor", "?status=approved&page=3", "?q=Grace"])
        self.page(f"/programmes/{self.programme()}/participants/{query}", "coordinator: participants")

    @task(1)
    def console(self):
        self.page(f"/matching/{self.programme()}/", "coordinator: matching console")

    @task(2)
    def matches(self):
        query = random.choice(["", "?page=2", "?page=10", "?status=active"])
        self.page(f"/matching/{self.programme()}/matches/{query}", "coordinator: matches")

    @task(3)
    def health(self):
        query = random.choice(["", "", "?health=stalled", "?health=on_track&page=3"])
        self.page(f"/health/{self.programme()}/{query}", "coordinator: health dashboard")

    @task(2)
    def pair(self):
        pairs = self.account["queued"] or self.account["pairs"]
        if not pairs:
            return  # coordinators of the programme still open for enrolment: no pairs yet
        programme, match = random.choice(pairs)
        self.page(f"/health/{programme}/pairs/{match}/", "coordinator: pair follow-up")


class HRViewer(Person):
    """HR: the reports dashboard with different filters, and an export now and then."""

    weight = 1
    role = "hr"
    wait_time = between(10, 30)  # a report is read, not clicked through

    def filters(self) -> str:
        by = random.choice(["programme", "department", "month", "cohort", "gender"])
        programmes = random.sample(MANIFEST["programmes"], random.randint(0, 2))
        dated = random.choice(["", "&date_from=2026-01-01"])
        return f"by={by}{dated}" + "".join(f"&programme={pk}" for pk in programmes)

    @task(1)
    def home(self):
        self.page("/", "hr: home")

    @task(4)
    def dashboard(self):
        self.page("/reports/", "hr: reports dashboard")

    @task(4)
    def filtered(self):
        self.page(f"/reports/?{self.filters()}", "hr: reports dashboard, filtered")

    @task(1)
    def export(self):
        kind = random.choice(["figures.csv", "figures.xlsx", "matches.csv"])
        programme = random.choice(MANIFEST["programmes"])
        self.page(f"/reports/exports/{kind}?programme={programme}", "hr: export download")

"""The Content-Security-Policy in a real Chromium: each role walks its main pages
of the demo and the browser reports no violation, while htmx, Bootstrap's
JavaScript and our own script keep working under the policy.

Violations are caught twice: a `securitypolicyviolation` listener installed
before any page script runs (Playwright's init scripts are not subject to the
page's CSP), and the console, where Chromium logs every refused inline script,
style or eval as an error."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from demo.seed import DEMO_PASSWORD
from matching.models import Match, MatchRun
from programmes.models import Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} `
    + `at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


class Watch:
    """Collects CSP violations and console errors of every page the browser opens."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.errors: list[str] = []
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message) -> None:
        if "favicon.ico" in (message.location or {}).get("url", ""):
            return  # the admin's pages do not link our icon, so Chromium asks for /favicon.ico
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(f"{message.text} ({self.page.url})")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response is not None and response.ok, f"{url} answered {response.status if response else None}"
        assert response.headers.get("content-security-policy"), f"{url} has no Content-Security-Policy"
        self.check()

    def check(self) -> None:
        self.page.wait_for_load_state("load")
        violations = self.page.evaluate("window.__cspViolations || []")
        assert violations == [], f"{self.page.url}: {violations}"
        assert self.console == [], self.console
        assert self.errors == [], self.errors


@pytest.fixture
def watch(page) -> Watch:
    return Watch(page)


@pytest.fixture
def demo(db):
    call_command("seed_demo")
    traditional = Programme.objects.get(name="Mentoring", cohort="2026–27")
    reverse_programme = Programme.objects.get(name="Two-way mentoring")
    office_hours = Programme.objects.get(kind=Programme.Kind.OFFICE_HOURS, name="Open office hours")
    match = Match.objects.filter(
        programme=traditional, mentor__user__email="mentor@demo.example", status=Match.Status.ACTIVE
    ).first()
    return {"traditional": traditional, "reverse": reverse_programme, "office_hours": office_hours, "match": match}


def test_no_page_breaks_the_policy_for_anyone_signed_out(live_server, watch):
    for name in ("account_login", "account_signup", "account_reset_password"):
        watch.visit(live_server.url + reverse(name))
    response = watch.page.goto(f"{live_server.url}/no-such-page/")  # our 404 page
    assert response.status == 404
    assert response.headers.get("content-security-policy")
    # Chromium logs the 404 itself as a console error; that one is expected.
    watch.console = [line for line in watch.console if "404" not in line]
    watch.check()


def test_a_participant_walks_their_pages_without_a_violation_and_confirm_dialogs_still_ask(
    live_server, page, watch, sign_in, demo, screenshot
):
    programme, match = demo["traditional"], demo["match"]
    sign_in("mentor@demo.example", DEMO_PASSWORD)
    watch.check()
    user = match.mentor.user
    for url in [
        reverse("home"),
        reverse("programmes:list"),
        reverse("programmes:detail", args=[programme.pk]),
        reverse("sessions_log:workspace", args=[match.pk]),
        reverse("sessions_log:meeting_schedule", args=[match.pk]),
        reverse("sessions_log:goal_add", args=[match.pk]),
        reverse("sessions_log:resources", args=[programme.pk]),
        reverse("sessions_log:office_hours", args=[demo["office_hours"].pk]),
        reverse("circles:circle", args=[programme.pk, "mentors"]),
        reverse("notifications:preferences"),
        reverse("people:profile", args=[user.pk]),
        reverse("people:profile_edit"),
        reverse("people:demographics"),
        reverse("sessions_log:calendar_feed"),
        reverse("account_email"),  # allauth's page with its own script files and a JSON data block
        reverse("account_change_password"),
    ]:
        watch.visit(live_server.url + url)

    # Bootstrap's JavaScript (a file) opens the account menu.
    page.get_by_role("button", name=user.get_short_name()).or_(
        page.get_by_role("link", name=user.get_short_name())
    ).first.click()
    expect(page.get_by_role("link", name="Your profile")).to_be_visible()
    watch.check()


def test_the_confirm_question_of_a_form_is_asked_by_our_script_file(live_server, page, watch, sign_in, demo):
    """The resource library's Remove button asked with an inline onsubmit before the
    policy; now static/js/app.js asks, and Cancel keeps the resource."""
    from sessions_log.models import Resource

    programme = demo["traditional"]
    sign_in("coordinator@demo.example", DEMO_PASSWORD)
    resource = Resource.objects.filter(programme=programme).first()
    if resource is None:
        pytest.fail("the demo has no resource in its library")
    watch.visit(live_server.url + reverse("sessions_log:resources", args=[programme.pk]))
    asked = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name=f"Remove {resource.title}").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert asked == ["Remove this resource from the library?"]
    assert Resource.objects.filter(pk=resource.pk).exists()
    watch.check()


def test_the_coordinator_and_hr_walk_their_pages_without_a_violation(
    live_server, page, watch, sign_in, demo, screenshot
):
    traditional, match = demo["traditional"], demo["match"]
    sign_in("coordinator@demo.example", DEMO_PASSWORD)
    for url in [
        reverse("home"),
        reverse("programmes:detail", args=[traditional.pk]),
        reverse("programmes:participants", args=[traditional.pk]),
        reverse("programmes:invite", args=[traditional.pk]),
        reverse("programmes:roster_upload", args=[traditional.pk]),
        reverse("matching:console", args=[demo["reverse"].pk]),
        reverse("matching:matches", args=[traditional.pk]),
        reverse("engagement:overview"),
        reverse("engagement:dashboard", args=[traditional.pk]),
        reverse("engagement:pair", args=[traditional.pk, match.pk]),
        reverse("surveys:pulse_results", args=[traditional.pk]),
        reverse("circles:circle", args=[traditional.pk, "mentors"]),
    ]:
        watch.visit(live_server.url + url)

    page.context.clear_cookies()
    sign_in("hr@demo.example", DEMO_PASSWORD)
    watch.visit(live_server.url + reverse("reports:dashboard"))
    expect(page.locator("svg.chart").first).to_be_visible()  # the SVG charts, styled from app.css
    assert page.locator("svg.chart rect.chart-bar").count() > 0
    fill = page.locator("svg.chart rect.chart-bar").first.evaluate("bar => getComputedStyle(bar).fill")
    assert fill not in ("", "rgb(0, 0, 0)"), "the bars lost their colour from app.css"
    screenshot("hr-reports")
    watch.visit(f"{live_server.url}{reverse('reports:dashboard')}?programme={traditional.pk}")
    watch.check()


def test_the_admin_site_and_the_audit_log_work_under_the_policy(live_server, page, watch, sign_in, demo):
    sign_in("admin@demo.example", DEMO_PASSWORD)
    user = demo["match"].mentor.user
    for url in [
        reverse("admin:index"),
        reverse("admin:people_user_changelist"),
        reverse("admin:people_user_change", args=[user.pk]),
        reverse("admin:programmes_programme_change", args=[demo["traditional"].pk]),
        reverse("admin:django_celery_beat_periodictask_changelist"),
        reverse("audit:events"),  # staff's audit log, in our own layout
    ]:
        watch.visit(live_server.url + url)


def test_htmx_polls_a_queued_run_and_follows_its_redirect_under_the_policy(
    live_server, page, watch, carol, password, sign_in, screenshot
):
    from matching import services
    from matching.tests.factories import make_trio
    from programmes.tests.factories import make_programme

    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="running")
    make_trio(programme)
    run = MatchRun.objects.create(programme=programme, started_by=carol)  # queued, no worker yet
    sign_in(carol.email, password)

    with page.expect_request(re.compile(r"/progress/$")) as polled:
        watch.visit(f"{live_server.url}/matching/{programme.pk}/")
    assert polled.value.headers.get("hx-request") == "true"
    assert polled.value.headers.get("x-csrftoken")  # from hx-headers on <body>: no cookie is read
    expect(page.get_by_role("status").filter(has_text="Matching is waiting to start")).to_be_visible()
    # htmx added no <style> of its own: the indicator rules come from app.css.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    services.match_run_execute(run_id=run.pk)

    expect(page).to_have_url(re.compile(re.escape(run.get_absolute_url()) + "$"), timeout=10_000)
    expect(page.get_by_role("heading", name=f"Proposals of run {run.number}")).to_be_visible()
    watch.check()
    screenshot("run-opened")

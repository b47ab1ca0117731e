"""The demo's coordinator matches the reverse mentoring programme in a real
Chromium: run, lock one pair, forbid another, re-run, publish.

Celery runs eagerly here, so each run has finished when the page comes back;
the htmx polling of a queued run is covered in test_views_console."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from matching.models import Match, MatchRun
from programmes.models import Programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ready_run(programme: Programme) -> MatchRun:
    return programme.match_runs.get(status=MatchRun.Status.READY)


def names(proposal) -> str:
    return f"{proposal.mentee.user} with {proposal.mentor.user}"


def test_the_coordinator_runs_locks_forbids_reruns_and_publishes(live_server, page, screenshot, sign_in):
    call_command("seed_demo")
    programme = Programme.objects.get(name="Two-way mentoring")
    sign_in("coordinator@demo.example", DEMO_PASSWORD)

    page.goto(f"{live_server.url}/matching/{programme.pk}/")
    expect(page.get_by_role("heading", name="Matching", exact=True)).to_be_visible()
    expect(page.get_by_text("approved mentees without a mentor")).to_be_visible()
    screenshot("1-console")

    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_role("alert")).to_contain_text("Matching finished:")
    first = ready_run(programme)
    expect(page).to_have_url(re.compile(re.escape(first.get_absolute_url()) + "$"))
    proposals = list(first.proposals.select_related("mentee__user", "mentor__user"))
    assert len(proposals) >= 3
    # The demo's reverse programme prefers pairs who differ: one count over the run, no pair's attributes.
    expect(page.locator("#attribute-figure-differ")).to_contain_text("Over the pairs the engine proposed")
    expect(page.locator("table.proposals")).not_to_contain_text("attribute")
    screenshot("2-run")

    # Lock the third pair, forbid the first.
    locked, forbidden = proposals[2], proposals[0]
    page.get_by_role("button", name=f"Lock {names(locked)}", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(f"Locked: {names(locked)}.")
    page.get_by_role("button", name=f"Forbid {names(forbidden)}", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(f"Forbidden: {names(forbidden)} will never be proposed again.")
    expect(page.get_by_role("button", name=f"Forbid {names(forbidden)}", exact=True)).to_have_count(0)

    page.get_by_role("button", name="Re-run matching").click()
    expect(page.get_by_role("alert")).to_contain_text("Matching finished:")
    second = ready_run(programme)
    assert second.pk != first.pk
    expect(page).to_have_url(re.compile(re.escape(second.get_absolute_url()) + "$"))
    locked_row = page.locator("tbody tr").filter(has=page.get_by_role("button", name=f"Forbid {names(locked)}"))
    expect(locked_row).to_contain_text("Locked")
    expect(locked_row).to_contain_text("Lock kept")
    expect(page.get_by_role("button", name=f"Forbid {names(forbidden)}", exact=True)).to_have_count(0)
    rules = page.get_by_role("region", name="Locks and forbids")
    expect(rules.get_by_text("Forbidden", exact=True)).to_be_visible()
    expect(rules.get_by_role("button", name=f"Remove the forbid of {names(forbidden)}")).to_be_visible()
    screenshot("3-rerun")

    count = second.proposals.count()
    page.get_by_role("link", name=re.compile(r"^Publish \d+ match")).click()  # first, what it will do
    expect(page.locator("#publish-effect")).to_contain_text(f"{2 * count} mails go out at once")
    page.get_by_role("button", name=re.compile(rf"^Publish {count} match")).click()
    expect(page.get_by_role("alert")).to_contain_text(f"Published {count} match")
    expect(page.get_by_text("these pairs are now")).to_be_visible()
    screenshot("4-published")

    assert Match.objects.filter(programme=programme, mentee=locked.mentee, mentor=locked.mentor).exists()
    assert not Match.objects.filter(programme=programme, mentee=forbidden.mentee, mentor=forbidden.mentor).exists()
    assert programme.match_runs.get(pk=second.pk).status == MatchRun.Status.PUBLISHED


def test_the_console_polls_a_queued_run_and_opens_it_when_it_is_ready(
    live_server, page, screenshot, carol, password, sign_in
):
    from matching import services
    from matching.tests.factories import make_trio
    from programmes.tests.factories import make_programme

    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="running")
    make_trio(programme)
    # Queued as if the worker were busy: nothing executes it until the test does.
    run = MatchRun.objects.create(programme=programme, started_by=carol)
    sign_in(carol.email, password)

    page.goto(f"{live_server.url}/matching/{programme.pk}/")
    expect(page.get_by_role("status").filter(has_text="Matching is waiting to start")).to_be_visible()
    screenshot("1-queued")
    services.match_run_execute(run_id=run.pk)  # the worker, at last

    # The next poll answers with HX-Redirect: the browser opens the run by itself.
    expect(page).to_have_url(re.compile(re.escape(run.get_absolute_url()) + "$"), timeout=10_000)
    expect(page.get_by_role("heading", name=f"Proposals of run {run.number}")).to_be_visible()
    screenshot("2-ready")

"""Carol reviews a run in a real Chromium (issue 22): the console warns that one
mentor has both mentees while another with room has none; the run page shows
each pair's strengths and concerns apart; she moves a proposed mentee to the
idle mentor; publishing shows who is mailed and the mail before anything is
sent. Then the same run page on a 390 px phone: every action within reach,
nothing to scroll sideways."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import ARTIFACTS
from matching.models import Match, MatchingSettings, MatchRun
from matching.tests.factories import enrol, make_cohort, make_person, run_matching
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# How far the page and its scrollable tables are scrolled sideways.
SIDEWAYS = "window.scrollX + [...document.querySelectorAll('.table-responsive')].reduce((s, e) => s + e.scrollLeft, 0)"


@pytest.fixture
def piling(carol, password):
    """Without a spread preference the engine gives Stella both mentees and Nico none."""
    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="running")
    MatchingSettings.objects.create(programme=programme, weights={"spread": 0})
    for name, zone, capacity in (("Stella Star", "Europe/London", 2), ("Nico Near", "Europe/Athens", 1)):
        person = make_person(name, seniority=4, skills=["Leadership"], department="Sales", timezone=zone)
        enrol(programme, person, "mentor", capacity=capacity)
    enrol(programme, make_person("Ann Ash", seniority=2, topics=["Leadership"]), "mentee")
    enrol(programme, make_person("Bea Birch", seniority=2, topics=["Leadership"], department="Sales"), "mentee")
    return programme


def test_the_coordinator_sees_uneven_load_moves_a_mentee_and_publishes_after_a_preview(
    live_server, page, screenshot, sign_in, carol, password, piling
):
    sign_in(carol.email, password)
    page.goto(f"{live_server.url}/matching/{piling.pk}/")
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_role("heading", name="Proposals of run 1")).to_be_visible()

    warning = page.locator("#load-balance")
    expect(warning).to_contain_text("Uneven load: 1 mentor has 2 mentees while 1 with room has none.")
    bea = page.locator("tbody tr").filter(has_text="Bea Birch")
    expect(bea.locator("td.strengths")).to_contain_text(
        "The mentor offers skills in the topic the mentee wants help with"
    )
    expect(bea.locator("td.concerns")).to_contain_text("Same department (Sales)")
    expect(bea.locator("td.strengths")).not_to_contain_text("Same department")
    expect(page.get_by_text("seconds to compute")).to_have_count(0)
    screenshot("1-run-strengths-concerns-uneven")

    page.get_by_role("link", name="Matching", exact=True).click()
    expect(page.locator("#load-balance")).to_contain_text(
        "Uneven load: 1 mentor has 2 mentees while 1 with room has none, counting the proposals of run 1."
    )
    screenshot("2-console-uneven")
    page.get_by_role("link", name="Move mentees by hand in run 1").click()

    page.get_by_label("Mentee", exact=True).select_option(label="Bea Birch (now with Stella Star)")
    page.get_by_label("Mentor", exact=True).select_option(label="Nico Near (1 place left)")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Assigned by hand: Bea Birch with Nico Near (moved from Stella Star)."
    )
    expect(page.locator("#load-balance")).to_have_count(0)
    screenshot("3-moved")

    page.get_by_role("link", name="Publish 2 matches…").click()
    expect(page.get_by_role("heading", name="Publish run 1?")).to_be_visible()
    expect(page.locator("#publish-effect")).to_contain_text("4 mails go out at once")
    expect(page.locator("#mail-subject")).to_contain_text("You have a mentor in Mentoring:")
    expect(page.locator("#mail-preview")).to_contain_text("Hello Ann,")
    expect(page.locator("#mail-preview")).to_contain_text("Why you two:")
    assert not mail.outbox
    screenshot("4-publish-confirmation")

    page.get_by_role("button", name="Publish 2 matches and send 4 mails").click()
    expect(page.get_by_role("alert")).to_contain_text("Published 2 matches")
    assert {(m.mentee.user.full_name, m.mentor.user.full_name) for m in Match.objects.select_related(
        "mentee__user", "mentor__user")} == {("Ann Ash", "Stella Star"), ("Bea Birch", "Nico Near")}  # fmt: skip
    assert len(mail.outbox) == 4
    bea_mail = next(m for m in mail.outbox if "Nico Near" in m.subject and "Bea" in m.body)
    assert "Same department" not in bea_mail.body  # a concern is never mailed
    screenshot("5-published")


def test_a_draft_programme_shows_why_it_cannot_publish(live_server, page, screenshot, sign_in, carol, password):
    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="draft")
    make_cohort(programme, mentees=2, mentors=2)
    run = run_matching(programme, carol)
    sign_in(carol.email, password)

    page.goto(f"{live_server.url}/matching/{programme.pk}/runs/{run.pk}/publish/")

    expect(page.get_by_role("alert")).to_contain_text("This programme is still a draft")
    expect(page.get_by_role("button", name=re.compile(r"^Publish 2 matches"))).to_be_disabled()
    screenshot("draft-refused")


def test_every_action_of_the_run_page_is_within_reach_on_a_390_px_phone(
    live_server, page, screenshot, sign_in, carol, password
):
    carol.set_password(password)
    carol.save()
    programme = make_programme(carol, status="running")
    make_cohort(programme, mentees=4, mentors=4)
    run = run_matching(programme, carol)
    assert run.status == MatchRun.Status.READY
    page.set_viewport_size(PHONE)
    sign_in(carol.email, password)

    page.goto(f"{live_server.url}{run.get_absolute_url()}")

    expect(page.get_by_role("heading", name="Proposals of run 1")).to_be_visible()
    actions = page.get_by_role("button", name=re.compile(r"^(Lock|Forbid|Remove) "))
    expect(actions.first).to_be_visible()
    assert actions.count() == 12  # lock, forbid and remove for each of the 4 pairs
    reachable = [page.get_by_role("link", name=re.compile(r"^Publish 4 matches")),
                 page.get_by_role("button", name="Re-run matching")]  # fmt: skip
    for target in [actions.nth(i) for i in range(actions.count())] + reachable:
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        # ...reached by scrolling down only: neither the page nor a table was scrolled sideways.
        assert page.evaluate(SIDEWAYS) == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert (
        page.evaluate(
            "Math.max(...[...document.querySelectorAll('.table-responsive')].map(e => e.scrollWidth - e.clientWidth))"
        )
        <= 0
    )
    # Each pair is a card that names its parts.
    first = page.locator("table.proposals tbody tr").first
    expect(first.locator('td[data-label="Strengths"]')).to_be_visible()
    screenshot("run-page-390px")
    # And what the phone's screen shows of the first card, at its real size.
    first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "run-page-390px-first-card.png"))
    actions.first.click()  # Lock, with a thumb
    expect(page.get_by_role("alert")).to_contain_text("Locked:")

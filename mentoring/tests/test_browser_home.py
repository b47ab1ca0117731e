"""Each role's first screen leads on: HR from the home page to the reports, a
coordinator from the health summary to the work queue. In a real Chromium, with
screenshots of both homes."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.models import Escalation
from engagement.tests.factories import add_meeting, make_match
from matching.tests.factories import enrol, make_person
from people.tests.factories import UserFactory
from programmes.tests.factories import make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_goes_from_the_home_page_to_the_reports(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    UserFactory(email="hana@example.org", full_name="Hana Haddad", is_hr=True)
    programme = make_programme(carol, name="Engineering mentoring", cohort="Spring 2027", status="running")
    for number in range(8):
        enrol(programme, make_person(f"Person {number}"), "mentor" if number < 3 else "mentee")

    sign_in("hana@example.org")
    reports = page.get_by_role("region", name="Reports")
    expect(reports).to_contain_text("1 programme you report on")
    expect(page.get_by_role("link", name="Complete your profile")).to_have_count(0)
    screenshot("1-hr-home")
    reports.get_by_role("link", name="Open the reports").click()
    expect(page).to_have_url(f"{live_server.url}/reports/")


def test_a_coordinator_goes_from_the_health_summary_to_the_work_queue(live_server, page, screenshot, sign_in):
    carol = UserFactory(email="carol@example.org", full_name="Carol Chen", is_coordinator=True)
    now = timezone.now()
    stalled = make_match(carol, make_person("Mia Mentee"), make_person("Max Mentor"),
                         created_at=now - timedelta(days=44), cadence="weekly", goals_expected=0,
                         name="Engineering mentoring")  # fmt: skip
    add_meeting(stalled, now - timedelta(days=34))
    on_track = make_match(carol, make_person("Nia Mentee"), make_person("Ned Mentor"), programme=stalled.programme,
                          created_at=now - timedelta(days=20))  # fmt: skip
    add_meeting(on_track, now - timedelta(days=2))
    Escalation.objects.create(match=stalled, stage=Escalation.Stage.QUEUED, opened_on=now.date())

    sign_in("carol@example.org")
    health = page.get_by_role("region", name="How your pairs are doing")
    expect(health).to_contain_text("1 stalled")
    expect(health).to_contain_text("1 on track")
    expect(page.get_by_role("link", name="Complete your profile")).to_have_count(0)
    screenshot("1-coordinator-home")
    health.get_by_role("link", name="1 in your work queue").click()
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/health/{stalled.programme_id}/#queue-heading")

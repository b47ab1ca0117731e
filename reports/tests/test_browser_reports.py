"""HR in a real browser on the demo: the reports page, filtered by a programme
and a date range, and the Excel download opened with openpyxl."""

import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from programmes.models import Participant
from reports.models import ExportAudit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hr_filters_the_reports_and_downloads_the_excel_file(live_server, page, screenshot, sign_in):
    call_command("seed_demo")
    sign_in("hr@demo.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Mentoring reports")).to_be_visible()
    screenshot("1-all-programmes")

    today = timezone.localdate()
    page.get_by_label("Programmes").select_option(label="Mentoring · 2026–27")
    page.get_by_label("From", exact=True).fill(str(today - timedelta(days=90)))
    page.get_by_label("To", exact=True).fill(str(today))
    page.get_by_label("Break down by").select_option(label="Month")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="By month", exact=True)).to_be_visible()
    screenshot("2-filtered-by-month")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Excel").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    by_programme = list(workbook["By programme"].values)
    assert by_programme[0][:2] == ("Programme", "People")
    assert [row[0] for row in by_programme[1:]] == ["Mentoring · 2026–27", "All"]
    audit = ExportAudit.objects.get()
    assert (audit.kind, audit.file_format, audit.filters["date_to"]) == ("figures", "xlsx", str(today))

    page.get_by_label("Break down by").select_option(label="Department")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="By department", exact=True)).to_be_visible()
    screenshot("3-by-department")


ATTRIBUTE_HEADINGS = ["Gender identity", "Ethnic group", "Disability or long-term condition", "Generation",
                      "Staff network"]  # fmt: skip


@pytest.mark.parametrize("by", ["Programme", "Department", "Cohort", "Month", *ATTRIBUTE_HEADINGS])
def test_each_breakdown_with_a_filter_shows_hidden_cells(live_server, page, screenshot, sign_in, by):
    """Each breakdown of the demo's figures over the last 90 days: the figures resting
    on fewer than 5 read "hidden", in the table and in the charts' tables."""
    call_command("seed_demo")
    # The demo enrols everyone today; attribute views count enrolments up to the end of
    # last month, so the reverse programme's people are taken to have enrolled 60 days ago.
    Participant.objects.filter(programme__kind="reverse").update(applied_at=timezone.now() - timedelta(days=60))
    sign_in("hr@demo.example", DEMO_PASSWORD)
    today = timezone.localdate()
    page.goto(f"{live_server.url}/reports/?date_from={today - timedelta(days=90)}&date_to={today}")
    page.get_by_label("Break down by").select_option(label=by)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name=f"By {by.lower()}", exact=True)).to_be_visible()
    screenshot(by.lower().replace(" ", "-"))
    table = page.locator("table.report-table")
    expect(table.get_by_text("hidden").first).to_be_visible()
    if by in ATTRIBUTE_HEADINGS:
        expect(page.get_by_text("The programme and date filters do not apply to them")).to_be_visible()


@pytest.mark.parametrize("width", [1280, 390])
def test_hr_follows_a_column_to_what_it_means_on_a_desktop_and_a_phone(live_server, page, screenshot, sign_in, width):
    """Each column header leads to its one definition under "What the figures mean",
    and the sentences under the table say how it adds up (screenshots of the page, and
    of the screen at the notes and at the glossary, for a person to look at)."""
    call_command("seed_demo")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in("hr@demo.example", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    notes = page.locator("#table-notes")
    expect(notes).to_contain_text("People = Mentors + Mentees + Awaiting approval + Withdrawn or declined")
    folder = screenshot(f"{width}-page").parent
    notes.scroll_into_view_if_needed()
    page.screenshot(path=str(folder / f"glossary-{width}-table-notes.png"))
    page.locator("table.report-table thead").get_by_role("link", name="Awaiting approval").click()
    entry = page.locator("#figure-awaiting")
    expect(entry).to_be_in_viewport()
    expect(page.locator("#figure-awaiting + dd")).to_contain_text("applied, or on the waiting list")
    page.screenshot(path=str(folder / f"glossary-{width}-definition.png"))

"""HR in a real browser: the figures as a zip of CSVs and the table on the page
alone, from the reports page's links; a table the export has not gets a page
that says so, with the way back."""

import io
import shutil
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .test_export_files import programme  # noqa: F401 (the fixture: 7 pairs, one department of 2)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/work/shots/exports")


def test_hr_downloads_the_figures_as_csv_files_and_is_told_of_a_wrong_table(
    live_server,
    page,
    screenshot,
    sign_in,
    hana,
    programme,  # noqa: F811
):
    sign_in(hana.email)
    page.goto(f"{live_server.url}/reports/?by=department")
    section = page.locator("section[aria-labelledby=exports-heading]")
    expect(section).to_contain_text("one sheet per table")
    shot = screenshot("1-reports-page")

    with page.expect_download() as zipped:
        section.get_by_role("link", name="CSV (zip)").click()
    assert zipped.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(Path(zipped.value.path()).read_bytes())) as archive:
        assert {"README.txt", "department.csv", "programme.csv"} <= set(archive.namelist())

    with page.expect_download() as one:
        section.get_by_role("link", name="By department as CSV").click()
    assert one.value.suggested_filename.startswith("mentoring-figures-department-")
    assert Path(one.value.path()).read_text(encoding="utf-8-sig").startswith("Department,")

    page.goto(f"{live_server.url}/reports/exports/figures.csv?by=department&table=salaries")
    expect(page.get_by_role("heading", name="This export cannot be made")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text('no table called "salaries"')
    refused = screenshot("2-refused")
    page.get_by_role("link", name="Back to the reports").click()
    expect(page.get_by_role("heading", name="By department", exact=True)).to_be_visible()
    if SHOTS.parent.exists():  # the team's folder of screenshots, when there is one
        SHOTS.mkdir(exist_ok=True)
        for path in (shot, refused):
            shutil.copy(path, SHOTS / path.name)

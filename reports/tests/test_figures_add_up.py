"""Issue 22 (HR): the figures add up, or the page says why not, and each is
defined once, in words, on the page and in the Excel file.

carol coordinates two cohorts of "Leadership mentoring" (Spring 2026 and
Autumn 2026). Spring holds 6 approved mentors and 6 approved mentees (enrolled
in January), 2 applicants and 1 on the waiting list (awaiting approval), 1 who
withdrew and 1 declined (enrolled in March). Autumn holds 5 approved mentors
and 5 approved mentees enrolled in May; one of the Autumn mentors, Robin, is
also a Spring mentee (enrolled in January): counted once among people, but in
both roles and in two months."""

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from lxml import html

from matching.tests.factories import enrol, make_person
from programmes.models import Participant
from programmes.tests.factories import make_programme
from reports.figures import FIGURES, ReportFilter, figure_rows
from reports.tasks import send_monthly_reports

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
SPRING, AUTUMN = "Leadership mentoring · Spring 2026", "Leadership mentoring · Autumn 2026"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def enrolled(programme, person, role, day, status="approved"):
    participant = enrol(programme, person, role, status=status)
    Participant.objects.filter(pk=participant.pk).update(applied_at=datetime(day.year, day.month, day.day, tzinfo=UTC))
    return participant


@pytest.fixture
def cohorts(carol):
    spring = make_programme(carol, name="Leadership mentoring", cohort="Spring 2026", status="running")
    autumn = make_programme(carol, name="Leadership mentoring", cohort="Autumn 2026", status="open")
    Participant.objects.filter(programme__in=[spring, autumn]).delete()
    january, march, may = date(2026, 1, 10), date(2026, 3, 10), date(2026, 5, 10)
    robin = make_person("Robin Both")
    for number in range(6):
        enrolled(spring, make_person(f"Spring mentor {number}"), "mentor", january)
        enrolled(spring, robin if number == 0 else make_person(f"Spring mentee {number}"), "mentee", january)
    for number, status in enumerate(["applied", "applied", "waitlisted", "withdrawn", "declined"]):
        enrolled(spring, make_person(f"Spring other {number}"), "mentee", march, status=status)
    for number in range(5):
        enrolled(autumn, robin if number == 0 else make_person(f"Autumn mentor {number}"), "mentor", may)
        enrolled(autumn, make_person(f"Autumn mentee {number}"), "mentee", may)
    return spring, autumn


def rows(user, report_filter=None, by="programme") -> dict:
    return {row.label: row.values for row in figure_rows(user, report_filter or ReportFilter(), by=by)}


def page(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"), query)
    assert response.status_code == 200
    return html.fromstring(response.content.decode())


def text_of(element) -> str:
    return " ".join(element.text_content().split())


# -- 1. a programme row adds up its people -------------------------------------------


def test_a_programme_row_adds_up_its_people_to_the_roles_and_those_awaiting_or_gone(hana, cohorts):
    spring = rows(hana)[SPRING]
    assert (spring["people"], spring["mentors"], spring["mentees"]) == (17, 6, 6)
    assert (spring["awaiting"], spring["withdrawn"]) == (3, 2), "2 applied + 1 waitlisted; 1 withdrew + 1 declined"
    for label, row in rows(hana).items():
        if label != "All":
            assert row["people"] == row["mentors"] + row["mentees"] + row["awaiting"] + row["withdrawn"], label


def test_the_all_row_says_in_words_why_its_roles_add_up_to_more_than_its_people(client, hana, cohorts):
    total = rows(hana)["All"]
    assert total["people"] == 26, "Robin once"
    assert total["mentors"] + total["mentees"] + total["awaiting"] + total["withdrawn"] == 27, "Robin in both roles"
    notes = text_of(page(client, hana).xpath("//*[@id='table-notes']")[0])
    assert "People = Mentors + Mentees + Awaiting approval + Withdrawn or declined" in notes
    assert "In the All row, someone enrolled in several programmes" in notes
    assert "counts once among People and Mentees but in each of their roles" in notes


# -- 2. no column repeats another; the months add up ------------------------------------


def test_with_open_dates_no_column_repeats_people_and_joined_counts_from_the_start(client, hana, cohorts):
    header = [text_of(th) for th in page(client, hana).xpath("//table[contains(@class, 'report-table')]//thead//th")]
    assert "Applications" not in header and "Joined in the period" not in header, "it would be People again"
    since_march = rows(hana, ReportFilter(date_from=date(2026, 3, 1)))
    assert (since_march[SPRING]["joined"], since_march[AUTUMN]["joined"]) == (5, 10)
    assert since_march[SPRING]["people"] == 17, "everyone enrolled by the end of the period"
    header = [text_of(th) for th in page(client, hana, date_from="2026-03-01")
              .xpath("//table[contains(@class, 'report-table')]//thead//th")]  # fmt: skip
    assert "Joined in the period" in header


def test_the_months_carry_their_enrolments_and_add_up_to_the_total(hana, cohorts):
    months = rows(hana, by="month")
    assert months["2026-01"]["mentors_enrolled"] == 6 and months["2026-05"]["mentors_enrolled"] == 5
    assert (months["2026-01"]["mentees_enrolled"], months["2026-03"]["enrolments"]) == (6, 5)
    total = months.pop("All")
    for key in ("enrolments", "mentors_enrolled", "mentees_enrolled"):
        assert sum(month[key] for month in months.values()) == total[key], key
    assert total["enrolments"] == 27, "Robin's two enrolments, in January and May"


# -- 3. programme rows carry the cohort -------------------------------------------------


def test_two_cohorts_of_one_programme_are_two_rows_named_with_their_cohort(client, hana, cohorts):
    assert list(rows(hana)) == [AUTUMN, SPRING, "All"]
    labels = [text_of(th) for th in page(client, hana).xpath("//table[contains(@class, 'report-table')]//tbody/tr/th")]
    assert labels == [AUTUMN, SPRING, "All"]
    options = [text_of(option) for option in page(client, hana).xpath("//select[@name='programme']/option")]
    assert sorted(options) == [AUTUMN, SPRING], "the filter names them alike"
    client.force_login(hana)
    content = b"".join(
        client.get(reverse("reports:export", args=["figures", "csv"]), {"table": "programme"}).streaming_content
    )
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == [AUTUMN, SPRING, "All"]
    response = client.get(reverse("reports:export", args=["figures", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert [row[0] for row in workbook["By programme"].values][1:] == [AUTUMN, SPRING, "All"]


def test_the_monthly_mail_names_the_cohorts_and_says_what_the_figures_mean(client, hana, cohorts):
    client.force_login(hana)
    client.post(reverse("reports:subscription"), {"subscribe": "1"})
    with TestCase.captureOnCommitCallbacks(execute=True):  # on 15 June, May's report
        send_monthly_reports.delay()
    [message] = mail.outbox
    assert "a sheet saying what each figure means" in message.body
    [(_name, content, _type)] = message.attachments
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert [row[0] for row in workbook["By programme"].values][1:] == [AUTUMN, SPRING, "All"]
    assert "What the figures mean" in workbook.sheetnames


# -- 4. a glossary, on the page and in Excel ------------------------------------------------


def test_every_column_and_tile_links_to_its_one_definition_on_the_page(client, hana, cohorts):
    for by in ("programme", "month", "department"):
        tree = page(client, hana, by=by, date_from="2026-01-01")
        entries = {dt.get("id"): text_of(dt) for dt in tree.xpath("//section[@id='glossary']//dl/dt")}
        assert len(entries) == len(set(entries.values())), "each figure once"
        links = tree.xpath("//table[contains(@class, 'report-table')]//thead//th/a/@href")
        links += tree.xpath("//section[@aria-labelledby='headline-heading']//a/@href")
        links += tree.xpath("//figure//figcaption//a/@href")
        headers = tree.xpath("//table[contains(@class, 'report-table')]//thead//th")[1:]
        assert len(links) >= len(headers) + 6 + 4
        for link in links:
            assert link.startswith("#figure-") and link[1:] in entries, link
        definitions = tree.xpath("//section[@id='glossary']//dl/dd")
        assert all(len(text_of(dd)) > 20 for dd in definitions)
        assert "docs/reports.md" not in html.tostring(tree, encoding="unicode")


def test_the_excel_file_defines_the_figures_from_the_same_glossary(client, hana, cohorts):
    client.force_login(hana)
    response = client.get(reverse("reports:export", args=["figures", "xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = list(workbook["What the figures mean"].values)
    assert sheet[0][:2] == ("Figure", "What it counts")
    defined = {row[0]: row[1] for row in sheet[1:]}
    for figure in FIGURES.values():
        assert defined[figure.label] == figure.definition


# -- 5. each table adds up or says why not ------------------------------------------------


def test_under_each_table_a_sentence_for_each_column_group_that_does_not_add_up(client, hana, cohorts):
    by_programme = text_of(page(client, hana).xpath("//*[@id='table-notes']")[0])
    assert "count distinct people: someone enrolled in two programmes counts in each row and once in All" in (
        by_programme
    )
    assert "Actions done (%), Meeting rating (1-5) and Check-in rating (1-5) are averages" in by_programme
    assert "Active matches, Ended matches, Meetings held" in by_programme and "add up to All" in by_programme
    by_month = text_of(page(client, hana, by="month").xpath("//*[@id='table-notes']")[0])
    assert "People who met count distinct people: someone who met in two months" in by_month
    assert "Enrolments = Mentors enrolled + Mentees enrolled + " in by_month
    by_department = text_of(page(client, hana, by="department").xpath("//*[@id='table-notes']")[0])
    assert "count distinct people" not in by_department, "each person has one department: people add up"

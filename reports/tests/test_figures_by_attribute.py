"""HR's figures by each consented attribute (the organisation's lists) and by staff
network: a row per option, "Self-described" and "Prefer not to say" rows of their
own, k >= 5 in every cell and no hidden cell recoverable from the total, retired
options still counted, no self-description ever shown as text, and a clear error
for a breakdown that does not exist.

People are enrolled in a reverse programme before the attribute views' cut-off
(the end of the month before NOW), each answering one attribute."""

import io
from datetime import UTC, datetime

import openpyxl
import pytest
import time_machine
from django.urls import reverse

from matching.tests.factories import enrol, make_person
from networks.tests.factories import make_network
from people.attributes import DEFAULT_ATTRIBUTES, PREFER_NOT_TO_SAY, default_lists_add
from people.models import Attribute, AttributeOption
from people.tests.factories import answer
from programmes.models import Participant
from programmes.tests.factories import make_programme
from reports.disclosure import SMALL
from reports.figures import SELF_DESCRIBED, ReportFilter, build_report, table_notes
from reports.tests.exported import body, text_of

NOW = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
BEFORE_CUTOFF = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = reverse("reports:dashboard")
SECRET = "Two-spirit-9Z"  # a self-description: its text must never reach a page or an export


@pytest.fixture(autouse=True)
def lists(db):
    default_lists_add(Attribute, AttributeOption)


@pytest.fixture
def reverse_programme(carol):
    programme = make_programme(carol, name="Reverse", kind="reverse", status="running")
    Participant.objects.filter(programme=programme).delete()
    return programme


def people_answering(programme, key: str, count: int, tag: str, **how) -> list:
    """`count` people enrolled in `programme` (as mentees) who answered `key` so."""
    people = []
    for number in range(count):
        person = make_person(f"{key} {tag} {number}")
        enrol(programme, person, "mentee")
        answer(person, key, **how)
        people.append(person)
    Participant.objects.filter(programme=programme).update(applied_at=BEFORE_CUTOFF)
    return people


def table_of(user, by: str, report_filter: ReportFilter | None = None):
    with time_machine.travel(NOW, tick=False):
        return build_report(user, report_filter or ReportFilter(), attributes=True).tables[by]


def assert_k5(table) -> None:
    """No shown count rests on 1-4, and in the people column (whose rows add up to All)
    a hidden row cannot be worked out: another row or All is hidden beside it."""
    for row in table.rows:
        for key, cell in row.cells.items():
            if cell.shown and cell.value is not None and key != "people":
                assert not 0 < cell.support < 5, f"{row.label} / {key}: {cell.value} on {cell.support}"
        people = row.cells["people"]
        assert people.hidden or not 0 < people.value < 5, f"{row.label}: {people.value} people shown"
    groups = [row.cells["people"] for row in table.rows[:-1]]
    hidden = [cell for cell in groups if cell.hidden]
    if hidden and table.total.cells["people"].shown:
        assert len(hidden) >= 2, f"one hidden row of {table.title} is All minus the others"


@pytest.mark.parametrize("spec", DEFAULT_ATTRIBUTES, ids=[spec["key"] for spec in DEFAULT_ATTRIBUTES])
def test_each_option_answered_4_or_5_times_is_hidden_or_shown(hana, reverse_programme, spec):
    key = spec["key"]
    counts = {label: 5 if index % 2 == 0 else 4 for index, label in enumerate(spec["options"])}
    for label, count in counts.items():
        people_answering(reverse_programme, key, count, label, label=label)
    people_answering(reverse_programme, key, 5, "prefer", prefer_not=True)
    if spec["self_description"]:
        people_answering(reverse_programme, key, 4, "self", text=SECRET)
    table = table_of(hana, key)
    rows = {row.label: row for row in table.rows}
    expected = [*spec["options"], *([SELF_DESCRIBED] if spec["self_description"] else []), PREFER_NOT_TO_SAY, "All"]
    assert list(rows) == expected, "the list's options, then self-described and prefer not to say, then All"
    for label, count in counts.items():
        cell = rows[label].cells["people"]
        assert cell.value == count
        if count == 4:
            assert cell.hidden == SMALL, f"{label}: 4 people must be hidden"
    assert rows[PREFER_NOT_TO_SAY].cells["people"].value == 5, "prefer not to say is its own row"
    if spec["self_description"]:
        assert rows[SELF_DESCRIBED].cells["people"].hidden == SMALL
    assert_k5(table)


def test_prefer_not_to_say_is_never_merged_into_an_option_and_blank_is_not_counted(hana, reverse_programme):
    people_answering(reverse_programme, "gender_identity", 6, "woman", label="Woman")
    people_answering(reverse_programme, "gender_identity", 5, "prefer", prefer_not=True)
    enrol(reverse_programme, make_person("No answer"), "mentor")  # enrolled, never answered: not counted at all
    Participant.objects.filter(programme=reverse_programme).update(applied_at=BEFORE_CUTOFF)
    rows = {row.label: row for row in table_of(hana, "gender_identity").rows}
    assert rows["Woman"].cells["people"].value == 6
    assert rows[PREFER_NOT_TO_SAY].cells["people"].value == 5
    assert rows["All"].cells["people"].value == 11, "only people who answered; blank is not a row"


def test_a_retired_option_still_counts_while_someone_holds_it(hana, reverse_programme):
    people_answering(reverse_programme, "ethnic_group", 5, "white", label="White")
    people_answering(reverse_programme, "ethnic_group", 6, "other", label="Other ethnic group")
    AttributeOption.objects.filter(attribute__key="ethnic_group", label="Other ethnic group").update(is_active=False)
    AttributeOption.objects.filter(attribute__key="ethnic_group", label="Mixed or multiple ethnic groups").update(
        is_active=False
    )
    rows = {row.label: row for row in table_of(hana, "ethnic_group").rows}
    assert rows["Other ethnic group"].cells["people"].value == 6, "retired, but answered: still a row"
    assert "Mixed or multiple ethnic groups" not in rows, "retired and unanswered: no row"
    assert rows["All"].cells["people"].value == 11


def test_an_inactive_attribute_is_no_breakdown_and_an_unknown_one_is_a_clear_error(client, hana, reverse_programme):
    Attribute.objects.filter(key="caring").update(is_active=False)
    client.force_login(hana)
    for by in ("caring", "gender", "no_such_thing"):
        response = client.get(URL, {"by": by})
        assert response.status_code == 200
        assert f"There is no breakdown called {by}" in response.content.decode()
    assert client.get(URL, {"by": "first_generation"}).status_code == 200
    assert client.get(reverse("api:figures"), {"by": "no_such_thing"}).status_code in (400, 401, 403)


def test_self_descriptions_are_one_row_and_their_text_is_never_shown(client, hana, reverse_programme):
    people_answering(reverse_programme, "gender_identity", 6, "self", text=SECRET)
    people_answering(reverse_programme, "gender_identity", 5, "self2", text="Another words")
    rows = {row.label: row for row in table_of(hana, "gender_identity").rows}
    assert rows[SELF_DESCRIBED].cells["people"].value == 11, "every self-description together, as one row"
    client.force_login(hana)
    with time_machine.travel(NOW, tick=False):
        page = client.get(URL, {"by": "gender_identity"}).content.decode()
        response = client.get(reverse("reports:export", args=["figures", "csv"]))
        exported = text_of(body(response))
    assert "Self-described" in page
    for text in (SECRET, "Another words"):
        assert text not in page and text not in exported


def test_the_attribute_views_do_not_move_with_the_filters(hana, carol, reverse_programme):
    people_answering(reverse_programme, "disability", 6, "yes", label="Yes")
    people_answering(reverse_programme, "disability", 3, "no", label="No")
    other = make_programme(carol, name="Other", status="running")

    def shown(report_filter):
        return [(row.label, [(cell.value if cell.shown else "hidden") for cell in row.cells.values()])
                for row in table_of(hana, "disability", report_filter).rows]  # fmt: skip

    everything = shown(ReportFilter())
    assert shown(ReportFilter(programme_ids=(other.pk,))) == everything
    assert shown(ReportFilter(date_from=datetime(2026, 3, 1).date(), date_to=datetime(2026, 3, 1).date())) == everything


def test_someone_in_two_networks_counts_in_each_and_once_in_all(hana, reverse_programme):
    both = people_answering(reverse_programme, "generation", 5, "both", label="Millennial (1981-96)")
    women_only = people_answering(reverse_programme, "generation", 2, "women", label="Millennial (1981-96)")
    pride_only = people_answering(reverse_programme, "generation", 4, "pride", label="Millennial (1981-96)")
    make_network("Women's network", members=both + women_only)
    make_network("Pride network", members=both + pride_only)
    closed = make_network("Closed network", members=both)
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    table = table_of(hana, "staff_network")
    rows = {row.label: row for row in table.rows}
    assert list(rows) == ["Pride network", "Women's network", "All"], "active networks only, by name"
    assert rows["Women's network"].cells["people"].value == 7
    assert rows["Pride network"].cells["people"].value == 9
    assert rows["All"].cells["people"].value == 11, "each person once"
    assert_k5(table)
    notes = " ".join(table_notes(table))
    assert "member of two networks counts in each row" in notes


def test_a_network_of_4_members_is_hidden(hana, reverse_programme):
    members = people_answering(reverse_programme, "generation", 4, "few", label="Millennial (1981-96)")
    many = people_answering(reverse_programme, "generation", 6, "many", label="Millennial (1981-96)")
    make_network("Small network", members=members)
    make_network("Large network", members=many)
    rows = {row.label: row for row in table_of(hana, "staff_network").rows}
    assert rows["Small network"].cells["people"].hidden == SMALL
    assert rows["Large network"].cells["people"].hidden, "else All minus Large gives Small away"


def test_the_figures_export_has_a_sheet_per_attribute_with_the_same_cells(client, hana, reverse_programme):
    people_answering(reverse_programme, "first_generation", 6, "yes", label="Yes")
    people_answering(reverse_programme, "first_generation", 7, "no", label="No")
    people_answering(reverse_programme, "first_generation", 2, "prefer", prefer_not=True)
    client.force_login(hana)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("reports:export", args=["figures", "xlsx"]))
        content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    sheet = next(name for name in book.sheetnames if name.startswith("By first-generation"))
    rows = {row[0]: row[1] for row in book[sheet].values if row and row[0]}
    table = {row.label: row.cells["people"] for row in table_of(hana, "first_generation").rows}
    for label, cell in table.items():
        assert rows[label] == (cell.value if cell.shown else None), label
    assert rows[PREFER_NOT_TO_SAY] is None, "2 people: hidden, an empty cell"

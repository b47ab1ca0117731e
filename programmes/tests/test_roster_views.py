"""Roster import, the pages: upload, preview, confirm, and who may use them."""

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import User
from people.tests.factories import UserFactory
from programmes import roster
from programmes.models import Participant, RosterImport
from programmes.roster import roster_parse
from programmes.services import participant_apply, programme_create

pytestmark = pytest.mark.django_db

HEADER = "name,email,department,title,seniority,manager email,role\n"
GOOD = (
    HEADER
    + "Priya Shah,priya@example.org,Engineering,Director,,,mentee\n"
    + "Tom Becker,tom@example.org,,,,priya@example.org,mentor\n"
)
BAD = (
    HEADER
    + "Priya Shah,priya@example.org,Engineering,Director,,,mentee\n"
    + "Tom Becker,tom@example.org,,,,boss@example.org,mentor\n"
)


@pytest.fixture
def programme(carol):
    return programme_create(
        created_by=carol, name="Reverse mentoring", kind="reverse", purpose="Leaders learn from newer colleagues."
    )


def previewed(programme, by, text: str) -> RosterImport:
    return roster_parse(programme=programme, uploaded_file=SimpleUploadedFile("r.csv", text.encode()),
                        filename="roster.csv", by=by)  # fmt: skip


def upload(client, programme, content: bytes, name: str = "roster.csv"):
    return client.post(
        reverse("programmes:roster_upload", args=[programme.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# -- upload ----------------------------------------------------------------------------


def test_the_upload_page_shows_the_file_input_a_sample_and_the_way_back(client, carol, programme):
    client.force_login(carol)

    page = client.get(reverse("programmes:roster_upload", args=[programme.pk])).content.decode()

    assert '<label for="id_file"' in page
    assert 'type="file"' in page and 'accept=".csv,.xlsx,' in page
    assert 'enctype="multipart/form-data"' in page
    assert "name,email,department,title,seniority,manager email,role" in page
    assert 'href="/static/roster-sample.csv"' in page
    assert f'href="{reverse("programmes:detail", args=[programme.pk])}"' in page


def test_the_sample_file_is_a_roster_without_problems(carol, programme, settings):
    sample = (settings.BASE_DIR / "static" / "roster-sample.csv").read_bytes()

    roster_import = roster_parse(
        programme=programme, uploaded_file=SimpleUploadedFile("s.csv", sample), filename="roster-sample.csv", by=carol
    )

    assert roster.roster_can_apply(roster_import)


def test_uploading_a_roster_stores_it_and_shows_the_preview(client, carol, programme):
    client.force_login(carol)

    response = upload(client, programme, GOOD.encode())

    roster_import = programme.roster_imports.get()
    assert response.status_code == 302
    assert response.url == reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])
    assert roster_import.uploaded_by == carol
    assert roster_import.filename == "roster.csv"


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("roster.csv", b"", "The file is empty."),
        ("roster.txt", GOOD.encode(), "“roster.txt” is not a CSV (.csv) or Excel (.xlsx) file."),
        ("roster.pdf", b"%PDF-1.4", "is not a CSV (.csv) or Excel (.xlsx) file."),
        ("roster.csv", HEADER.encode(), "The file has a header line but nobody under it."),
        ("roster.csv", "Zoë,zoe@example.org,mentee".encode("utf-16"), "The file is not UTF-8 text"),
        ("roster.xlsx", GOOD.encode(), "The file cannot be opened as an Excel workbook (.xlsx)."),
        ("roster.csv", b"x" * (5 * 1024 * 1024 + 1), "The file is more than 5 MB; the limit is 5 MB."),
    ],
    ids=["empty", "txt", "pdf", "header only", "utf-16", "not xlsx", "too large"],
)
def test_a_file_that_is_not_a_roster_gets_a_form_error_and_creates_nothing(
    client, carol, programme, name, content, words
):
    client.force_login(carol)

    response = upload(client, programme, content, name=name)

    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page
    assert words in page
    assert not RosterImport.objects.exists()
    assert User.objects.count() == 1  # carol


def test_uploading_without_choosing_a_file_asks_for_one(client, carol, programme):
    client.force_login(carol)

    response = client.post(reverse("programmes:roster_upload", args=[programme.pk]), {})

    assert "Choose a file to upload." in response.content.decode()


# -- preview ----------------------------------------------------------------------------


def test_the_preview_lists_every_row_with_its_planned_change_counts_and_a_confirm_button(client, carol, programme):
    roster_import = previewed(programme, carol, GOOD)
    client.force_login(carol)

    page = client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])).content.decode()

    assert "<caption" in page and '<th scope="col">Manager email</th>' in page
    assert '<th scope="row">2</th>' in page and '<th scope="row">3</th>' in page
    assert "create person + enrol as mentee + new department: Engineering" in page
    assert "create person + enrol as mentor" in page
    assert "New department: Engineering." in page
    assert "Confirm and import" in page
    assert reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]) in page


def test_the_preview_of_a_file_with_problems_shows_them_and_no_confirm_button(client, carol, programme):
    roster_import = previewed(programme, carol, BAD)
    client.force_login(carol)

    page = client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])).content.decode()

    assert "Unknown manager boss@example.org" in page
    assert 'class="table-danger"' in page
    assert "Confirm and import" not in page
    assert "Fix the file and" in page
    assert reverse("programmes:roster_upload", args=[programme.pk]) in page


def test_the_preview_shows_people_of_other_programmes_and_staff_as_problems_and_no_confirm_button(
    client, carol, programme, alice, sam
):
    dave = UserFactory(email="dave@example.org", is_coordinator=True)
    theirs = programme_create(created_by=dave, name="Dave's programme", kind="traditional", purpose="Learn.")
    Participant.objects.create(programme=theirs, user=alice, role="mentee", status="approved")
    roster_import = previewed(
        programme,
        carol,
        GOOD + "Alice Adams,alice@example.org,Sales,,,,mentee\nSam Support,sam@example.org,,,,,mentor\n",
    )
    client.force_login(carol)

    page = client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])).content.decode()

    assert "alice@example.org has an account but takes part in none of the programmes you coordinate" in page
    assert "sam@example.org is a staff account; a roster never changes staff accounts" in page
    assert page.count('class="table-danger"') == 2
    assert "Confirm and import" not in page
    assert "Dave&#x27;s programme" not in page  # which programme they are in is not told


def test_the_preview_shows_header_problems_and_can_show_only_lines_with_problems(client, carol, programme):
    roster_import = previewed(
        programme, carol, "name,email,role,shoe size\nA,a@example.org,mentee,42\nB,b@x,mentor,41\n"
    )
    client.force_login(carol)
    url = reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])

    page = client.get(url).content.decode()
    only_problems = client.get(url, {"show": "errors"}).content.decode()

    assert "Line 1 (the header): Unknown column “shoe size”" in page
    assert '<th scope="row">2</th>' in page
    assert '<th scope="row">2</th>' not in only_problems
    assert '<th scope="row">3</th>' in only_problems


def test_an_import_of_another_programme_is_not_found_through_this_one(client, carol, programme):
    other = programme_create(created_by=carol, name="Peer circles", kind="peer", purpose="Peers help peers.")
    roster_import = previewed(other, carol, GOOD)
    client.force_login(carol)

    response = client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk]))
    applied = client.post(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    assert response.status_code == 404
    assert applied.status_code == 404
    assert not User.objects.filter(email="priya@example.org").exists()


# -- apply ------------------------------------------------------------------------------


def test_confirming_applies_the_roster_and_returns_to_the_programme_with_the_counts(
    client, carol, programme, django_capture_on_commit_callbacks
):
    roster_import = previewed(programme, carol, GOOD)
    client.force_login(carol)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    assert response.status_code == 302
    assert response.url == reverse("programmes:detail", args=[programme.pk])
    assert message_texts(response) == [
        "Roster imported: 2 people created, 0 updated, 0 unchanged; 2 enrolled (1 mentee, 1 mentor), 2 invited "
        "(the invitations wait until the programme opens)."
    ]
    assert Participant.objects.filter(programme=programme, status="approved").count() == 2


def test_confirming_when_the_database_changed_explains_and_applies_nothing(client, carol, bob, programme):
    peer = programme_create(created_by=carol, name="Peer learning", kind="peer", purpose="Colleagues learn together.")
    Participant.objects.create(programme=peer, user=bob, role="mentee", status="approved")  # within carol's reach
    roster_import = previewed(programme, carol, GOOD + "Bob Brown,bob@example.org,,,,,mentee\n")
    participant_apply(programme=programme, user=bob, role="mentor", approved=True)
    client.force_login(carol)

    response = client.post(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    assert response.url == reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])
    [message] = message_texts(response)
    assert "nothing was imported" in message and "Line 4: bob@example.org is already enrolled" in message
    assert not User.objects.filter(email="priya@example.org").exists()


def test_an_applied_roster_shows_it_was_imported_and_cannot_be_confirmed_again(client, carol, programme):
    roster_import = previewed(programme, carol, GOOD)
    client.force_login(carol)
    client.post(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    page = client.get(reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])).content.decode()
    again = client.post(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    assert "This roster was imported on" in page
    assert "Confirm and import" not in page
    assert message_texts(again) == ["This roster has been imported already."]


def test_apply_only_accepts_post(client, carol, programme):
    roster_import = previewed(programme, carol, GOOD)
    client.force_login(carol)

    response = client.get(reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk]))

    assert response.status_code == 405
    assert not User.objects.filter(email="priya@example.org").exists()


# -- who may -------------------------------------------------------------------------------


def roster_urls(programme, roster_import) -> list[tuple[str, str]]:
    return [
        ("get", reverse("programmes:roster_upload", args=[programme.pk])),
        ("post", reverse("programmes:roster_upload", args=[programme.pk])),
        ("get", reverse("programmes:roster_preview", args=[programme.pk, roster_import.pk])),
        ("post", reverse("programmes:roster_apply", args=[programme.pk, roster_import.pk])),
    ]


@pytest.mark.parametrize("who", ["alice", "hana", "other_coordinator"])
def test_people_who_do_not_coordinate_the_programme_get_404_everywhere(client, request, carol, programme, who):
    roster_import = previewed(programme, carol, GOOD)
    if who == "other_coordinator":
        dora = UserFactory(email="dora@example.org", is_coordinator=True)
        programme_create(created_by=dora, name="Dora's programme", kind="traditional", purpose="Her own.")
        person = dora
    else:
        person = request.getfixturevalue(who)
    if who == "alice":
        participant_apply(programme=programme, user=person, role="mentee", approved=True)
    client.force_login(person)

    for method, url in roster_urls(programme, roster_import):
        data = {"file": SimpleUploadedFile("r.csv", GOOD.encode())} if method == "post" else None
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, method, url)

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEWED
    assert RosterImport.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, carol, programme):
    roster_import = previewed(programme, carol, GOOD)

    for method, url in roster_urls(programme, roster_import):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    roster_import.refresh_from_db()
    assert roster_import.status == RosterImport.Status.PREVIEWED


def test_staff_may_import_a_roster_for_any_programme(client, sam, carol, programme):
    client.force_login(sam)

    response = upload(client, programme, GOOD.encode())

    assert response.status_code == 302
    assert programme.roster_imports.get().uploaded_by == sam

"""Uploads are limited in size and judged by their content, not their name
(docs/security.md). The only upload is the coordinator's roster (programmes);
each refusal is a form error and stores nothing."""

import io
import struct
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from people.models import User
from programmes.models import RosterImport
from programmes.tests.factories import make_programme

pytestmark = pytest.mark.django_db

GOOD = "name,email,department,title,seniority,manager email,role\nDana Diaz,dana@example.org,,,,,mentee\n"


@pytest.fixture
def programme(carol):
    return make_programme(carol)


def upload(client, programme, content: bytes, name: str):
    return client.post(
        reverse("programmes:roster_upload", args=[programme.pk]), {"file": SimpleUploadedFile(name, content)}
    )


def assert_refused(response, words: str) -> None:
    assert response.status_code == 200
    page = response.content.decode()
    assert "is-invalid" in page
    assert words in page, page[page.find("invalid-feedback") - 200 : page.find("invalid-feedback") + 400]
    assert not RosterImport.objects.exists()
    assert User.objects.count() == 1  # carol, and nobody imported


def workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["Name", "Email", "Role"])
    workbook.active.append(["Dana Diaz", "dana@example.org", "mentee"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook_with_part(name: str, megabytes_of_zeros: int) -> bytes:
    """A real workbook with one part (added, or replacing the one of that name) made
    of zeros: about 1 KB compressed for each MB unpacked."""
    original = zipfile.ZipFile(io.BytesIO(workbook_bytes()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in original.infolist():
            if info.filename != name:
                archive.writestr(info, original.read(info))
        with archive.open(name, "w") as part:
            block = bytes(1024 * 1024)
            for _ in range(megabytes_of_zeros):
                part.write(block)
    return buffer.getvalue()


def understate_size(data: bytes, name: str, declared: int) -> bytes:
    """Rewrite the unpacked size a zip declares for one part, in its local header and
    its central directory entry: a bomb that claims to be small."""
    data = bytearray(data)
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    struct.pack_into("<I", data, archive.getinfo(name).header_offset + 22, declared)
    entry = data.find(b"PK\x01\x02", archive.start_dir)
    while data[entry + 46 : entry + 46 + len(name)] != name.encode():
        entry = data.find(b"PK\x01\x02", entry + 4)
    struct.pack_into("<I", data, entry + 24, declared)
    assert zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name).file_size == declared
    return bytes(data)


# -- size -------------------------------------------------------------------------------


def test_a_roster_over_the_limit_gets_a_form_error_naming_both_sizes(client, settings, carol, programme):
    settings.ROSTER_UPLOAD_MAX_BYTES = 1024
    client.force_login(carol)
    padded = GOOD + "Eve Ellis,eve@example.org,,,,,mentee\n" * 40  # ~1.5 KB

    response = upload(client, programme, padded.encode(), "roster.csv")

    assert_refused(response, "The file is 1.5 KB; the limit is 1 KB. Split it into smaller files.")


def test_the_form_states_the_configured_limit(client, settings, carol, programme):
    settings.ROSTER_UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    client.force_login(carol)

    page = client.get(reverse("programmes:roster_upload", args=[programme.pk])).content.decode()

    assert "or an Excel workbook (.xlsx), up to 2 MB." in page


@pytest.mark.parametrize("memory_limit", [10 * 1024 * 1024, 1024], ids=["held in memory", "temporary file"])
def test_past_the_site_limit_the_upload_handler_keeps_one_byte_more_than_the_limit(settings, memory_limit):
    settings.UPLOAD_MAX_BYTES = 4096
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = memory_limit
    request = RequestFactory().post("/", {"file": SimpleUploadedFile("roster.csv", b"x" * (1024 * 1024))})

    kept = request.FILES["file"]

    assert kept.size == 4097
    assert len(kept.read()) == 4097
    if isinstance(kept, TemporaryUploadedFile):  # the temporary file on disk is no bigger
        import os

        assert os.path.getsize(kept.temporary_file_path()) == 4097


def test_a_huge_upload_is_refused_as_more_than_the_limit(client, settings, carol, programme):
    settings.UPLOAD_MAX_BYTES = settings.ROSTER_UPLOAD_MAX_BYTES = 4096
    client.force_login(carol)

    response = upload(client, programme, GOOD.encode() + b"x" * (1024 * 1024), "roster.csv")

    assert_refused(response, "The file is more than 4 KB; the limit is 4 KB.")


# -- type, by content ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("roster.csv", b"\x89PNG\r\n\x1a\n" + bytes(200), "The file is a PNG image, not CSV text."),
        ("roster.csv", b"%PDF-1.7\n1 0 obj", "The file is a PDF document, not CSV text."),
        ("roster.csv", "workbook", "The file is an Excel workbook or another zip archive, not CSV text. "
                                   "If it is an Excel workbook, upload it with its .xlsx name."),
        ("roster.csv", bytes(range(1, 32)) * 100, "The file is not CSV text: it holds binary data."),
        ("roster.xlsx", b"%PDF-1.7\n1 0 obj", "The file cannot be opened as an Excel workbook (.xlsx)."),
        ("roster.xlsx", GOOD.encode(), "The file cannot be opened as an Excel workbook (.xlsx)."),
        ("roster.xlsx", b"PK\x03\x04 truncated", "The file cannot be opened as an Excel workbook (.xlsx)."),
        ("roster.xlsx", "plain zip", "The file is a zip archive but not an Excel workbook (.xlsx)"),
        ("roster.xlsx", "word document", "The file is a zip archive but not an Excel workbook (.xlsx)"),
    ],
    ids=["png as csv", "pdf as csv", "xlsx as csv", "control bytes as csv", "pdf as xlsx", "csv as xlsx",
         "broken zip as xlsx", "zip as xlsx", "docx as xlsx"],
)  # fmt: skip
def test_a_file_renamed_to_csv_or_xlsx_is_judged_by_its_content(client, carol, programme, name, content, words):
    if content == "workbook":
        content = workbook_bytes()
    elif content == "plain zip":
        content = zip_of({"roster.csv": GOOD.encode()})
    elif content == "word document":
        content = zip_of({
            "[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" ContentType="application/'
                                   b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
            "word/document.xml": b"<document/>",
        })  # fmt: skip
    client.force_login(carol)

    assert_refused(upload(client, programme, content, name), words)


def test_a_stray_control_character_is_still_reported_on_its_line_not_as_a_binary_file(client, carol, programme):
    client.force_login(carol)

    response = upload(client, programme, (GOOD + "Eve\x00Ellis,eve@example.org,,,,,mentee\n").encode(), "roster.csv")

    roster_import = RosterImport.objects.get()
    assert response.status_code == 302
    assert any("NUL" in " ".join(row["errors"]) for row in roster_import.rows)


def test_a_real_workbook_still_imports(client, carol, programme):
    client.force_login(carol)

    response = upload(client, programme, workbook_bytes(), "roster.xlsx")

    assert response.status_code == 302
    assert RosterImport.objects.get().summary["rows"] == 1


# -- zip bombs ---------------------------------------------------------------------------------


def test_a_workbook_declaring_a_huge_unpacked_size_is_refused_without_unpacking_it(client, carol, programme):
    bomb = workbook_with_part("xl/media/padding.bin", megabytes_of_zeros=200)
    assert len(bomb) < 1024 * 1024  # small enough to pass the upload limit
    client.force_login(carol)

    tracemalloc.start()
    try:
        response = upload(client, programme, bomb, "roster.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert_refused(response, "The workbook would unpack to 200 MB, more than the 60 MB allowed")
    assert peak < 20 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB held while refusing"


def test_a_workbook_understating_a_part_size_cannot_unpack_more_than_it_declares(client, carol, programme):
    """zipfile stops reading a part at its declared size, so a bomb that lies about
    its size yields only what it declared and then fails its checksum."""
    bomb = understate_size(
        workbook_with_part("xl/worksheets/sheet1.xml", megabytes_of_zeros=200), "xl/worksheets/sheet1.xml", 1024
    )
    client.force_login(carol)

    tracemalloc.start()
    try:
        response = upload(client, programme, bomb, "roster.xlsx")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert_refused(response, "Excel workbook")
    assert peak < 20 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MB held while refusing"


# -- empty ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"), [("roster.csv", b""), ("roster.xlsx", b""), ("roster.csv", b" \r\n\n\t")],
    ids=["empty csv", "empty xlsx", "blank csv"],
)  # fmt: skip
def test_an_empty_file_is_refused(client, carol, programme, name, content):
    client.force_login(carol)

    assert_refused(upload(client, programme, content, name), "The file is empty.")

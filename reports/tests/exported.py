"""Reading back what an export download holds, as a person's spreadsheet would:
a CSV, the figures' zip of CSVs (with its README.txt), or an Excel workbook."""

import csv
import io
import zipfile

import openpyxl

ZIP_MAGIC = b"PK\x03\x04"  # a zip's first bytes: the figures as CSVs, and every .xlsx


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def is_xlsx(content: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "[Content_Types].xml" in archive.namelist()


def files_of(content: bytes) -> dict[str, str]:
    """{file name: text}: a CSV alone is {"": text}; a zip or workbook, each part decompressed."""
    if not content.startswith(ZIP_MAGIC):
        return {"": content.decode("utf-8-sig")}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8-sig") for name in archive.namelist()}


def text_of(content: bytes) -> str:
    """Everything a reader of the file gets, as one text."""
    return "\n".join(files_of(content).values())


def csv_tables(content: bytes) -> dict[str, list[list[str]]]:
    """{file name: rows} of every CSV in the download ("" for a CSV alone)."""
    return {name: list(csv.reader(io.StringIO(text, newline="")))
            for name, text in files_of(content).items() if not name or name.endswith(".csv")}  # fmt: skip


def readme_titles(content: bytes) -> dict[str, str]:
    """The figures zip's README: {file name: the table's title}."""
    pairs = [line.split(": ", 1) for line in files_of(content)["README.txt"].splitlines()]
    return {pair[0]: pair[1] for pair in pairs if len(pair) == 2 and pair[0].endswith(".csv") and " " not in pair[0]}


def sheets_of(content: bytes) -> dict[str, list[list]]:
    """{sheet or table title: rows} of a workbook or of the figures' zip of CSVs."""
    if is_xlsx(content):
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return {sheet.title: [list(row) for row in sheet.values] for sheet in workbook.worksheets}
    titles = readme_titles(content)
    return {titles[name]: rows for name, rows in csv_tables(content).items()}

"""One rule for every spreadsheet cell HR exports, CSV and Excel alike: text a
spreadsheet would run as a formula is written as text.

Names come from sign-up, invitations, rosters and single sign-on; programme,
department and attribute labels are typed by people too. A cell starting with
= + - @, a tab or a carriage return is a formula to Excel and LibreOffice
(OWASP, "CSV injection"): in CSV it gets a leading single quote, which
spreadsheets show as text; in Excel the cell is written as a string (never a
formula), with the characters XML cannot hold dropped."""

from datetime import datetime

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_value(value):
    """The value as a CSV field: None is empty, text that would be a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, datetime):  # a wall-clock time (its column names the zone): to the minute
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def xlsx_cell(worksheet, value) -> WriteOnlyCell:
    """The value as a cell of a write-only sheet: text always as text."""
    if not isinstance(value, str):
        return WriteOnlyCell(worksheet, value=value)
    cell = WriteOnlyCell(worksheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # openpyxl takes text starting with "=" for a formula
    return cell

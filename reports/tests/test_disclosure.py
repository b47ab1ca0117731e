"""k >= 5 in every cell HR sees: every breakdown x every filter x every format.

Over reports/tests/world.py (groups of 1-4 beside groups of 5+, and subtraction
traps), the test reads what HR gets (the reports page's table, headline, chart
tables and SVG charts, the figures export as CSV and as Excel, the monthly
mail's workbook) and checks, against a brute-force oracle that shares no code
with reports/:

- every count of people or pairs shown is 0 or at least 5, and every figure
  shown (counts, meetings, hours, recaps, goals, averages) rests on 0 or at
  least 5 people or pairs (averages: at least 5; attribute views hide 0 too);
- a hidden figure is never 0 outside attribute views (readers may rely on it);
- no free-text label of a group of fewer than 5 people appears anywhere;
- nothing hidden can be worked out from what is shown: for each filter, every
  table, chart and sheet of every breakdown and format is put together as an
  attacker would (each column's total is the sum of its groups, mentees =
  matched + waiting, the charts' categories add up to the table's totals, a
  total is the same figure in every breakdown), and a linear program finds the
  smallest and largest value each "fewer than 5" figure can take: they differ;
- the same figure is hidden or shown alike in every format, and attribute
  breakdowns are the same whatever the filters (so two filtered views cannot be
  subtracted to single anyone out).
"""

import io
import math
import re
import zipfile
from collections import defaultdict
from datetime import date

import numpy as np
import openpyxl
import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from lxml import html
from scipy.optimize import linprog

from .exported import body, sheets_of, text_of
from .world import (
    AMOUNTS,
    ATTRIBUTES,
    AVERAGES,
    COUNTS,
    CUTOFF,
    EVENTS,
    FREE_TEXT,
    NOW,
    SMALL_LABELS,
    Oracle,
    build_world,
    merge,
)

BREAKDOWNS = ["programme", "department", "cohort", "month", *ATTRIBUTES]
TITLES = {"programme": "programme", "department": "department", "cohort": "cohort", "month": "month",
          "gender identity": "gender_identity", "ethnic group": "ethnic_group",
          "disability or long-term condition": "disability", "generation": "generation",
          "staff network": "staff_network"}  # fmt: skip
LABEL_KEYS = {
    "people": "people", "people who met": "met", "mentors": "mentors", "mentors enrolled": "mentors_enrolled",
    "mentees": "mentees", "mentees enrolled": "mentees_enrolled", "enrolments": "enrolments",
    "awaiting approval": "awaiting", "withdrawn or declined": "withdrawn", "joined in the period": "joined",
    "mentees matched": "matched", "mentees waiting": "unmatched", "active matches": "active",
    "matches made": "matches_made", "stalled matches": "stalled", "ended matches": "ended",
    "meetings held": "meetings_held", "hours": "hours", "recaps written": "recaps", "goals set": "goals_set",
    "goals achieved": "goals_achieved", "actions done (%)": "actions_done_percent",
    "meeting rating (1-5)": "feedback_average", "check-in rating (1-5)": "pulse_average", "drop-in": "drop_in",
    "one-off sessions": "oneoff_sessions", "one-off hours": "oneoff_hours",
}  # fmt: skip
PAIR_COLUMNS = {"active", "matches_made", "stalled", "ended", "meetings_held", "hours", "oneoff_sessions",
                "oneoff_hours", "recaps", "goals_set", "goals_achieved"}  # fmt: skip
ENROLMENT_COLUMNS = {"enrolments", "mentors_enrolled", "mentees_enrolled"}
# Within a row: the whole and its parts. An equality in a programme's row (one enrolment per
# person) and in a month's (enrolments, with the rest not shown: at least the parts); elsewhere
# a person can stand in several parts, once in the whole.
ROW_SUMS = [("people", ("mentors", "mentees", "awaiting", "withdrawn")),
            ("mentees", ("matched", "unmatched", "drop_in")),
            ("enrolments", ("mentors_enrolled", "mentees_enrolled"))]  # fmt: skip
HIDDEN, NONE, EMPTY = "hidden", "none", "empty"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def filters_of(world) -> dict[str, dict]:
    m, r, p = world.mentoring.pk, world.reverse.pk, world.pilot.pk
    return {
        "everything": {},
        "mentoring": {"programme": [m]},
        "reverse": {"programme": [r]},
        "spring": {"date_from": "2026-03-01", "date_to": "2026-04-30"},
        "mentoring and pilot, April-May": {"programme": [m, p], "date_from": "2026-04-01", "date_to": "2026-05-31"},
        "May": {"date_from": "2026-05-01", "date_to": "2026-05-31"},  # the monthly mail's month
    }


# -- reading what HR gets -----------------------------------------------------


def cell_of(text) -> tuple:
    """A shown number, or what stands for a figure not shown."""
    if text is None:
        return (EMPTY,)
    if isinstance(text, int | float):
        return ("shown", float(text))
    text = " ".join(str(text).split())
    if text == "":
        return (EMPTY,)
    if text.lower() in ("hidden", "fewer than 5", "<5"):  # today's pages said "fewer than 5"
        return (HIDDEN,)
    if text in ("–", "-", "—"):
        return (NONE,)
    try:
        return ("shown", float(text.replace(",", "")))
    except ValueError:
        return ("text", text)


def column_key(label: str) -> str:
    return LABEL_KEYS[" ".join(label.split()).lower()]


def _classes(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(element) -> str:
    return " ".join(element.text_content().split())


def read_page(content: str) -> dict:
    """The page's breakdown table, headline, chart tables, SVG charts and end reasons."""
    tree = html.fromstring(content)
    found = {"tables": {}, "charts": {}, "svg": {}}
    table = tree.xpath(f"//table[{_classes('report-table')}]")[0]
    heading = _text(tree.xpath("//*[@id='table-heading']")[0])
    by = TITLES[heading.removeprefix("By ").lower()]
    header = [column_key(_text(th)) for th in table.xpath("./thead//th")[1:]]
    rows = {}
    for tr in table.xpath("./tbody/tr"):
        label = _text(tr.xpath("./th")[0])
        tds = tr.xpath("./td")
        if len(tds) == 1 and tds[0].get("colspan"):  # a whole row said "fewer than 5"
            rows[label] = {key: cell_of(_text(tds[0])) for key in header}
        else:
            rows[label] = {key: cell_of(_text(td)) for key, td in zip(header, tds, strict=True)}
    found["tables"][by] = rows
    headline = {}
    for card in tree.xpath(f"//section[@aria-labelledby='headline-heading']//div[{_classes('card-body')}]"):
        label = _text(card.xpath(f".//div[{_classes('small')}]")[-1])
        headline[column_key(label)] = cell_of(_text(card.xpath(f".//div[{_classes('h3')}]")[0]))
    found["headline"] = headline
    for figure in tree.xpath("//figure"):
        svg = figure.xpath(".//*[local-name()='svg']")[0]
        title = svg.xpath("./*[local-name()='title']")[0]
        key = title.get("id").removeprefix("chart-").removesuffix("-title")
        found["charts"][key] = [(_text(tr.xpath("./th")[0]), cell_of(_text(tr.xpath("./td")[0])))
                                for tr in figure.xpath(".//details//tbody/tr")]  # fmt: skip
        found["svg"][key] = html.tostring(svg, encoding="unicode")
    reasons = tree.xpath("//section[@aria-labelledby='reasons-heading']//table/tbody/tr")
    found["reasons"] = [(_text(tr.xpath("./td")[0]), cell_of(_text(tr.xpath("./td")[1]))) for tr in reasons]
    return found


def svg_points(svg: str) -> list[tuple[str, tuple]]:
    """What a chart draws: each mark's "label: value" title, and each "<5"/"hidden" note."""
    points = [(label, cell_of(value)) for label, value in re.findall(r"<title>([^<:]+): ([^<]+)</title>", svg)]
    notes = re.findall(r'text-anchor="middle">(&lt;5|hidden)</text>', svg)
    return points + [("note", cell_of(note.replace("&lt;", "<"))) for note in notes]


def sheet_key(title: str) -> str | None:
    title = title.strip()
    if title == "End reasons":
        return "reasons"
    if title.startswith("By "):  # a sheet's title is cut at 31 characters
        heading = title.removeprefix("By ").lower()
        return next((key for name, key in TITLES.items() if name[: len(heading)] == heading), None)
    return None


def read_rows(sheets: dict[str, list[list]]) -> dict:
    """Figures sheets ({title: rows}) as {breakdown: {label: {column: cell}}} and the end reasons."""
    tables, reasons = {}, []
    for title, rows in sheets.items():
        key = sheet_key(title)
        if key is None or not rows:
            continue
        width = len(rows[0])
        rows = [list(row) + [None] * (width - len(row)) for row in rows]  # a sheet may drop trailing empty cells
        if str(rows[0][-1]).startswith("Hidden ("):  # the marker column: labels of the row's hidden figures
            rows = [row[:-1] for row in rows]
        if key == "reasons":
            reasons = [(str(row[0]), cell_of(row[1])) for row in rows[1:] if row and row[0] not in (None, "")]
            continue
        header = [column_key(str(label)) for label in rows[0][1:]]
        tables[key] = {
            " ".join(str(row[0]).split()): dict(zip(header, map(cell_of, row[1:]), strict=True))
            for row in rows[1:] if row and row[0] not in (None, "")
        }  # fmt: skip
    return {"tables": tables, "reasons": reasons}


def read_csv(content: bytes) -> dict:
    """The figures as CSV: a zip of one CSV per table, their titles in its README."""
    return read_rows(sheets_of(content))


def read_xlsx(content: bytes) -> dict:
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return read_rows({sheet.title: [list(row) for row in sheet.values] for sheet in workbook.worksheets})


def xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist())


# -- the walk -------------------------------------------------------------------


@pytest.fixture
def walk(client, hana, carol):
    """Everything HR gets for every filter: {filter: [(source, observed)]}, and every text."""
    world = build_world(carol)
    client.force_login(hana)
    seen, texts = defaultdict(list), []
    for name, query in filters_of(world).items():
        for by in BREAKDOWNS:
            response = client.get(reverse("reports:dashboard"), {**query, "by": by})
            assert response.status_code == 200
            content = response.content.decode()
            texts.append(content)
            seen[name].append((f"page {by}", read_page(content)))
        for file_format, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
            response = client.get(reverse("reports:export", args=["figures", file_format]), query)
            assert response.status_code == 200
            content = body(response)
            texts.append(text_of(content))
            seen[name].append((f"figures.{file_format}", reader(content)))
        for kind in ("matches", "meetings"):
            for file_format in ("csv", "xlsx"):
                response = client.get(reverse("reports:export", args=[kind, file_format]), query)
                texts.append(text_of(body(response)))
    client.post(reverse("reports:subscription"), {"subscribe": "1"})
    from reports.tasks import send_monthly_reports

    with TestCase.captureOnCommitCallbacks(execute=True):  # on 15 June, May's report (as on 1 June)
        send_monthly_reports.delay()
    [message] = mail.outbox
    [(_name, attachment, _type)] = message.attachments
    texts += [message.body, *(str(part[0]) for part in getattr(message, "alternatives", [])), xlsx_text(attachment)]
    seen["May"].append(("monthly mail", read_xlsx(attachment)))
    return world, seen, texts


def test_every_breakdown_filter_and_format_keeps_k_5_in_every_cell(walk):
    """One walk (it takes a while), three promises: see the module's docstring."""
    world, seen, texts = walk
    oracle = Oracle()
    problems = []
    for text in texts:  # no small group's free-text label, anywhere
        for label in SMALL_LABELS:
            if label.lower() in text.lower():
                problems.append(f"the label of a small group, {label!r}, is shown")
    for name, observations in seen.items():
        query = filters_of(world)[name]
        small = set()
        for source, observed in observations:  # no figure resting on 1-4, no hidden 0
            for by, rows in observed["tables"].items():
                found, hidden = check_table(oracle, world, query, by, rows, f"{name} / {source} / by {by}")
                problems += found
                small |= hidden
        problems += audit(name, observations, query, small)  # nothing hidden can be worked out
        problems += running_total(name, observations)
    for by in ATTRIBUTES:  # attribute views do not move with the filters
        views = [observed["tables"][by] for observations in seen.values()
                 for source, observed in observations if source == f"page {by}"]  # fmt: skip
        if not views or any(view != views[0] for view in views):
            problems.append(f"the {by} breakdown changes with the filters")
    problems = sorted(set(problems))
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:80])


def running_total(name: str, observations) -> list[str]:
    """The participation chart adds up only the enrolments the month table shows: a
    hidden month adds nothing (a running total over it would give it away)."""
    months = next(observed["tables"]["month"] for source, observed in observations if source == "page month")
    expected, running = [], 0
    for label, cells in months.items():
        if label == "All":
            continue
        running += sum(cells[key][1] for key in ("mentors_enrolled", "mentees_enrolled") if cells[key][0] == "shown")
        expected.append((label, ("shown", float(running))))
    charts = [(source, observed.get("charts", {}).get("participation")) for source, observed in observations]
    return [f"{name} / {source}: the running total is {points}, not {expected}"
            for source, points in charts if points is not None and points != expected]  # fmt: skip


# -- the oracle's view of a table --------------------------------------------------


def scope_of(world, query: dict, by: str) -> tuple[set[int], date | None, date | None]:
    if by in ATTRIBUTES:  # attribute views: every reverse programme, up to the cut-off, whatever the filters
        return {world.reverse.pk}, None, CUTOFF
    ids = set(query.get("programme") or [world.mentoring.pk, world.reverse.pk, world.pilot.pk, world.drop_in.pk])
    start = date.fromisoformat(query["date_from"]) if query.get("date_from") else None
    end = date.fromisoformat(query["date_to"]) if query.get("date_to") else None
    return ids, start, end


def raw_key(by: str, label: str):
    """The oracle's key of a shown row label."""
    return label  # departments as typed; an attribute's rows are its list's labels


def check_table(oracle, world, query, by, rows, where) -> tuple[list[str], set]:
    """The problems of one table, and the figures it hides that rest on 1-4 (0-4)."""
    problems, small = [], set()
    ids, start, end = scope_of(world, query, by)
    groups = oracle.groups(by, ids, start, end)
    people = oracle.people_of(by, ids, end)
    shown_keys = {raw_key(by, label) for label in rows if label not in ("All", "Other")}
    if by in FREE_TEXT:
        for key in shown_keys - {"Not recorded"}:
            if len(people.get(key, ())) < 5:
                problems.append(f"{where}: the label {key!r} of a group of {len(people.get(key, ()))} is shown")
    attribute = by in ATTRIBUTES
    everyone = merge(groups, groups) if attribute else {}
    for label, cells in rows.items():
        if label == "All":
            if attribute:
                figures = merge(groups, groups)
            elif by == "month":
                figures = oracle.groups("month_total", ids, start, end).get("All", {})
            else:
                figures = oracle.groups("total", ids, start, end).get("All", {})
        elif label == "Other":
            figures = merge(groups, [key for key in groups if key not in shown_keys and key != "Not recorded"])
        else:
            figures = groups.get(raw_key(by, label), {})
        # In attribute views a 0 is hidden too ("none of this group's mentees waits"),
        # unless the group is empty or the whole column is 0 (then it says nothing).
        informative = attribute and figures.get("people", (0, 0))[1] > 0
        for column, cell in cells.items():
            value, support = figures.get(column, (0, 0))
            at = f"{where}: {label} / {column}"
            zero_hidden = informative and everyone.get(column, (0, 0))[0] > 0
            if cell[0] == "shown":
                if column in COUNTS and 1 <= cell[1] <= 4:
                    problems.append(f"{at}: a count of {cell[1]:g} people or pairs is shown")
                if 1 <= support <= 4 or (zero_hidden and support == 0 and column not in AVERAGES):
                    problems.append(f"{at}: {cell[1]:g} is shown, resting on {support}")
                if column in AVERAGES and support < 5:
                    problems.append(f"{at}: an average over {support} is shown")
                if column in COUNTS | EVENTS and cell[1] != value:
                    problems.append(f"{at}: shows {cell[1]:g}, the oracle counts {value:g}")
                if column in AMOUNTS and abs(cell[1] - value) > 0.051:
                    problems.append(f"{at}: shows {cell[1]:g} hours, the oracle counts {value:.2f}")
            elif cell[0] == HIDDEN:
                if support == 0 and not zero_hidden and not attribute:
                    problems.append(f"{at}: a 0 is hidden, where readers know a hidden figure is not 0")
                if support < 5 and column not in AVERAGES:
                    small.add(figure_id(by, label, column))
    return problems, small


# -- the attacker ---------------------------------------------------------------------


def figure_id(by: str, label: str, column: str) -> tuple:
    """The same figure wherever it is shown: a breakdown's total is the same in every
    breakdown but the month's (whose totals of people are of those who met or enrolled
    within the range) and the attribute ones' (their own population)."""
    if label == "All" and by in ("programme", "department", "cohort"):
        return ("total", column)
    if label == "All" and by == "month" and column in PAIR_COLUMNS - {"active", "matches_made"}:
        return ("total", column)
    return (by, label, column)


def audit(name: str, observations, query, small: set) -> list[str]:
    known: dict[tuple, tuple] = {}
    problems = []
    tables: dict[str, dict] = {}

    def learn(figure, cell, where):
        if cell[0] in (NONE, EMPTY) and figure in known:
            return
        if figure in known and known[figure] != cell and known[figure][0] not in (NONE, EMPTY):
            problems.append(f"{name}: {figure} is {known[figure]} in one place and {cell} in {where}")
        known[figure] = cell

    for source, observed in observations:
        for by, rows in observed["tables"].items():
            tables.setdefault(by, {})
            for label, cells in rows.items():
                tables[by].setdefault(label, set()).update(cells)
                for column, cell in cells.items():
                    learn(figure_id(by, label, column), cell, source)
        for column, cell in observed.get("headline", {}).items():
            learn(("total", column), cell, f"{source} headline")
        for reason, cell in observed.get("reasons", []):
            learn(("reasons", reason), cell, source)
        for chart, points in observed.get("charts", {}).items():
            if chart == "meetings":
                for label, cell in points:
                    learn(("month", label, "meetings_held"), cell, f"{source} chart")
            elif chart in ("health", "goals"):
                for label, cell in points:
                    learn((chart, label), cell, f"{source} chart")
        for chart, svg in observed.get("svg", {}).items():
            table = dict(observed["charts"][chart])
            for label, cell in svg_points(svg):
                if label != "note" and table.get(label) != cell:
                    problems.append(f"{name}: {chart} chart draws {label}: {cell}, its table {table.get(label)}")
    relations = []  # (terms [(coefficient, figure)], exact): sum <= 0 or == 0
    for by, rows in tables.items():
        groups = [label for label in rows if label != "All"]
        columns = set().union(*rows.values())
        for column in columns & (COUNTS | EVENTS | AMOUNTS):
            if "All" not in rows:
                continue
            terms = [(1, figure_id(by, "All", column))] + [(-1, figure_id(by, g, column)) for g in groups]
            exact = column in PAIR_COLUMNS | ENROLMENT_COLUMNS or by == "department" or by in ATTRIBUTES
            relations.append((terms, exact))  # the total is (at most) the sum of the groups
        for whole, parts in ROW_SUMS:
            if not {whole, *parts} <= columns:
                continue
            for label in rows:
                terms = [(1, figure_id(by, label, whole))] + [(-1, figure_id(by, label, part)) for part in parts]
                if whole == "enrolments":  # the enrolments awaiting, withdrawn or declined are not shown
                    relations.append(([(-c, f) for c, f in terms], False))
                elif by == "programme" and label != "All":
                    relations.append((terms, True))
                else:  # the parts at least the whole, each part at most the whole
                    relations.append((terms, False))
                    relations += [([(1, figure_id(by, label, part)), (-1, figure_id(by, label, whole))], False)
                                  for part in parts]  # fmt: skip
        if {"joined", "people"} <= columns:
            relations += [([(1, figure_id(by, label, "joined")), (-1, figure_id(by, label, "people"))], False)
                          for label in rows]  # fmt: skip
    charts = {figure[0] for figure in known if figure[0] in ("health", "goals", "reasons")}
    if "health" in charts and not query.get("date_to"):
        relations.append(([(1, ("total", "active"))] + [(-1, f) for f in known if f[0] == "health"], True))
    if "goals" in charts:
        relations.append(([(1, ("total", "goals_set"))] + [(-1, f) for f in known if f[0] == "goals"], True))
    if "reasons" in charts:
        relations.append(([(1, ("total", "ended"))] + [(-1, f) for f in known if f[0] == "reasons"], True))
    links = [(("health", "Stalled"), ("total", "stalled")), (("goals", "Achieved"), ("total", "goals_achieved"))]
    for one, other in links:
        if one in known and other in known:
            relations.append(([(1, one), (-1, other)], True))
    return problems + solve(name, known, relations, small)


def bounds_of(figure, cell) -> tuple[float, float | None]:
    """What a reader knows of a figure: its value if shown; if hidden, that it is not 0
    (zeros are shown), except in attribute views, where zeros are hidden too (but not
    a group's people: a group of nobody shows 0 everywhere)."""
    column = figure[-1] if figure[0] not in ("health", "goals", "reasons") else "active"
    if cell[0] == "shown":
        slack = 0.05 if column in AMOUNTS else 0
        return cell[1] - slack, cell[1] + slack
    if cell[0] == HIDDEN and column not in AMOUNTS and (figure[0] not in ATTRIBUTES or column == "people"):
        return 1, None
    return 0, None


def solve(name, known, relations, small: set) -> list[str]:
    figures = sorted({f for terms, _exact in relations for _c, f in terms} | set(known), key=str)
    index = {figure: position for position, figure in enumerate(figures)}
    bounds = [bounds_of(figure, known.get(figure, (EMPTY,))) for figure in figures]
    a_eq, a_ub = [], []
    for terms, exact in relations:
        row = np.zeros(len(figures))
        for coefficient, figure in terms:
            row[index[figure]] += coefficient
        (a_eq if exact else a_ub).append(row)
    kwargs = {"bounds": bounds, "method": "highs"}
    if a_eq:
        kwargs.update(A_eq=np.array(a_eq), b_eq=np.zeros(len(a_eq)))
    if a_ub:
        kwargs.update(A_ub=np.array(a_ub), b_ub=np.zeros(len(a_ub)))
    problems = []
    for figure in figures:
        if figure not in small:
            continue
        objective = np.zeros(len(figures))
        objective[index[figure]] = 1
        low, high = linprog(objective, **kwargs), linprog(-objective, **kwargs)
        # 3: unbounded above. The minimum found proves the figures consistent, so a maximum said to be
        # infeasible (2) is unbounded too: HiGHS's presolve reports "infeasible or unbounded" so.
        if low.status != 0 or high.status not in (0, 2, 3):
            problems.append(f"{name}: no consistent reading of the figures around {figure} ({low.message})")
            continue
        top = math.inf if high.status in (2, 3) else -high.fun
        if figure[-1] in AMOUNTS:
            pinned = top - low.fun < 1  # hours: known to within an hour
        else:
            pinned = math.isfinite(top) and math.floor(top + 1e-6) - math.ceil(low.fun - 1e-6) < 1
        if pinned:
            problems.append(f"{name}: the hidden {figure} can be worked out: it is {low.fun:g}")
    return problems

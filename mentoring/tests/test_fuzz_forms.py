"""Every form and upload, fuzzed with Hypothesis: nothing answers 500, and a
refused submission changes no row.

The forms are found, not listed: each page of the permission table
(url_table.ROWS) is opened as its rightful user and its HTML parsed (stdlib
html.parser) for `<form>`s, their fields, input types, select options and
buttons. Every row that takes a POST is then fuzzed as the first role the row
lets in, with values drawn for each field's type (text with control and
unicode characters, very long text, numbers out of range, malformed dates and
times, wrong choices, files of random bytes with misleading names), fields
left out and fields added. The GET forms (filters) are fuzzed through their
query strings.

A submission counts as accepted when it answers a redirect without an error or
warning message (or the row's own success status, FUZZ_SUCCESS); anything else
must leave every table as it was (url_table.fingerprint: on PostgreSQL the
transaction's own counts of rows inserted, updated and deleted per table).
Each example runs in a savepoint that is rolled back, so examples never see
each other's writes.

FUZZ_EXAMPLES (environment, default 15) sets the examples per form; no
Hypothesis database is written (database=None)."""

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.messages import constants, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_every_url import clients_for, fetch, world  # noqa: F401 (the module's world fixture)
from .url_table import LOGIN, ROLE_USERS, ROWS, changed, fingerprint, watched_tables

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
# Who posts: the first of these roles the row lets in (or the row's `fuzz_as`).
ACTOR_ORDER = ("owner", "coordinator", "staff", "participant", "other_pair", "other_coordinator", "hr", "anonymous")
# Rows that answer a successful POST with a page rather than a redirect.
# A new API token's key is shown once, in the answer to the POST (refusals answer 400).
FUZZ_SUCCESS = {"notifications:unsubscribe": (200,), "api_tokens:list": (200,)}
# Forms a page of the world does not show (the exit survey opens when a match has
# ended, the programme feedback in its window, the ladder's acts for a stalled pair):
# their fields are read from the form class instead.
FORM_CLASSES = {
    "sessions_log:exit_survey": "sessions_log.forms_recaps.ExitSurveyForm",
    "surveys:programme_feedback": "surveys.forms.ProgrammeFeedbackForm",
    "engagement:pair_message": "engagement.forms.MessageForm",
    "engagement:pair_extend": "engagement.forms.ExtendForm",
    "engagement:pair_end": "engagement.forms.EndForm",
}


# -- reading forms -----------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input type, "select", "textarea" or "button"
    values: list[str] = field(default_factory=list)  # options, or the value(s) the page gives
    multiple: bool = False
    required: bool = False


@dataclass
class Form:
    method: str
    action: str  # a path
    multipart: bool
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, new: Field) -> None:
        known = self.fields.get(new.name)
        if known is None:
            self.fields[new.name] = new
        else:
            known.values += [value for value in new.values if value not in known.values]


class FormParser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = urlsplit(a.get("action") or self.page_path).path or self.page_path
            self.form = Form(method=(a.get("method") or "get").lower(), action=action,
                             multipart="multipart" in (a.get("enctype") or ""))  # fmt: skip
            self.forms.append(self.form)
            return
        if tag == "option" and self.select is not None:
            self.select.values.append(a.get("value", ""))
            return
        if self.form is None or not a.get("name"):
            return
        name, required = a["name"], "required" in a
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                kind = "button"
            self.form.add(Field(name, kind, [a["value"]] if a.get("value") is not None else [], required=required))
        elif tag == "button":
            self.form.add(Field(name, "button", [a.get("value") or ""]))
        elif tag == "select":
            self.form.add(Field(name, "select", [], multiple="multiple" in a, required=required))
            self.select = self.form.fields[name]
        elif tag == "textarea":
            self.form.add(Field(name, "textarea", [], required=required))
            self.textarea = self.form.fields[name]

    def handle_data(self, data):
        if self.textarea is not None and data.strip():
            self.textarea.values.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def forms_of(html: str, page_path: str) -> list[Form]:
    parser = FormParser(page_path)
    parser.feed(html)
    return parser.forms


# -- what to send ------------------------------------------------------------------------------

SAFE = st.characters(exclude_categories=("Cs",))  # no lone surrogates: they cannot be encoded to send
TEXTS = st.one_of(
    st.text(SAFE, max_size=40),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),  # control characters, NUL included
    st.integers(300, 70_000).map(lambda n: "x" * n),
    st.integers(100, 5_000).map(lambda n: "é🙂" * n),
    st.sampled_from(["", " ", "\x00", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "null", "None",
                     "../../etc/passwd", "\u202e", "\ufeff", "0", "-1"]),
)  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e309", "-0", "0x10", "١٢", "9" * 40, "1,5", " 3 "]),
)
DATES = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-02-30", "0000-00-00", "9999-12-31", "0001-01-01", "31/12/2026", "2026-13-01",
                     "2026-1-1", "yesterday", "2026-06-01T25:00", "1e10"]),
)  # fmt: skip
TIMES = st.one_of(
    st.times().map(lambda t: t.isoformat()),
    st.sampled_from(["25:00", "12:60", "-1:00", "24:00", "12:00:00.9999999", "noon", "23:59:59"]),
)
DATETIMES = st.one_of(
    st.datetimes().map(lambda d: d.isoformat(timespec="minutes")),
    st.tuples(DATES, TIMES).map(lambda parts: f"{parts[0]}T{parts[1]}"),
)
FILE_NAMES = st.one_of(
    st.sampled_from(["roster.csv", "roster.xlsx", "roster.CSV", "roster.csv.exe", "roster.exe", "roster",
                     ".csv", "../../roster.csv", "a" * 300 + ".csv", "ro\x00ster.csv", "röster 名簿.xlsx"]),
    st.text(SAFE, min_size=1, max_size=30),
)  # fmt: skip
CSV_CELLS = st.one_of(st.text(SAFE, max_size=20), st.emails(), st.sampled_from(["mentor", "mentee", "", "1", "x;y"]))
CSV_BODIES = st.lists(st.lists(CSV_CELLS, min_size=1, max_size=8), min_size=0, max_size=6).map(
    lambda rows: "\n".join(",".join(cell.replace("\n", " ") for cell in row) for row in rows)
)
FILE_BODIES = st.one_of(
    st.binary(max_size=4_000),
    st.sampled_from(["", "name,email,role"]).flatmap(
        lambda head: CSV_BODIES.map(lambda body: f"{head}\n{body}".encode())
    ),
    CSV_BODIES.map(lambda body: body.encode("utf-16")),
    st.just(b"PK\x03\x04" + b"\x00" * 100),  # the start of a zip (an .xlsx) and nothing after
)
FILES = st.builds(lambda name, body: SimpleUploadedFile(name, body), FILE_NAMES, FILE_BODIES)


def value_strategy(spec: Field):
    """Values for one field: mostly of its type, sometimes anything."""
    given_values = [value for value in spec.values if value is not None]
    kind = spec.kind
    if kind == "file":
        return FILES
    if kind in ("select", "radio", "checkbox", "button", "hidden") and given_values:
        one = (
            st.one_of(st.sampled_from(given_values), TEXTS)
            if kind != "hidden"
            else st.one_of(st.sampled_from(given_values), st.sampled_from(given_values), TEXTS)
        )
        if spec.multiple or kind == "checkbox":
            return st.lists(one, max_size=4)
        return one
    typed = {
        "number": NUMBERS,
        "range": NUMBERS,
        "date": DATES,
        "time": TIMES,
        "datetime-local": DATETIMES,
        "email": st.one_of(st.emails(), TEXTS),
        "url": st.one_of(st.just("https://example.org/"), TEXTS),
    }
    if kind in typed:
        return st.one_of(typed[kind], typed[kind], TEXTS)
    return TEXTS


@st.composite
def form_data(draw, fields: list[Field]):
    """A body for the form: each field left out, kept as the page gives it, or
    fuzzed; and sometimes a few fields the form does not have."""
    data = {}
    for spec in fields:
        choice = draw(st.sampled_from(["fuzz", "fuzz", "fuzz", "page", "omit"]))
        if choice == "omit":
            continue
        if choice == "page":
            if spec.values and spec.kind not in ("file", "textarea"):
                data[spec.name] = spec.values[0]
            continue
        data[spec.name] = draw(value_strategy(spec))
    extra = draw(st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), TEXTS, max_size=3))
    return {**extra, **data}


def refused(response, row) -> bool:
    """Did the view refuse the input? A redirect is acceptance unless it carries an error or warning."""
    if response.status_code in FUZZ_SUCCESS.get(row.name, ()):
        return False
    if response.status_code != 302:
        return True
    levels = {message.level for message in get_messages(response.wsgi_request)}
    return bool(levels & {constants.ERROR, constants.WARNING})


# -- finding the forms ---------------------------------------------------------------------------


def actor_of(row) -> str:
    """The role that may post to the row: its `fuzz_as`, else the first one let in."""
    if row.fuzz_as:
        return row.fuzz_as
    for role in ACTOR_ORDER:
        if row.post.get(role) in (200, 302, 400):
            return role
    raise AssertionError(f"{row.id}: no role may post to it")


def user_name(row, role: str) -> str | None:
    if role == "anonymous":
        return None
    return row.owner if role == "owner" else ROLE_USERS[role]


TARGETS = [row for row in ROWS if row.post is not None and not row.variant]
PAGES = [row for row in ROWS if not row.variant]


@pytest.fixture(scope="module")
def form_index(world, django_db_blocker):  # noqa: F811 (the fixture imported above)
    """The forms of every page of the table, opened as each role it lets in:
    {(action path, method): [(form, user name)]}."""
    index: dict[tuple[str, str], list[tuple[Form, str | None]]] = {}
    with django_db_blocker.unblock():
        actors = {user_name(row, actor_of(row)) for row in TARGETS}
        for row in PAGES:
            url = row.url(world)
            # as the users who post, and as the page's owner (whose filter forms are fuzzed too)
            names = {user_name(row, role) for role in ACTOR_ORDER if row.get.get(role) == 200} & (actors | {row.owner})
            for name, client in clients_for(world, names).items():
                response = fetch(client, "get", url)
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                for form in forms_of(response.content.decode(), urlsplit(url).path):
                    index.setdefault((form.action, form.method), []).append((form, name))
    return index


def fields_for(index, path: str, method: str, user: str | None) -> tuple[list[Field], bool]:
    """The fields of the forms posting to `path` (the user's own first), and whether one is an upload."""
    found = index.get((path, method), [])
    mine = [form for form, name in found if name == user] or [form for form, _ in found]
    merged = Form(method=method, action=path, multipart=any(form.multipart for form in mine))
    for form in mine:
        for spec in form.fields.values():
            merged.add(Field(spec.name, spec.kind, list(spec.values), spec.multiple, spec.required))
    hidden = {"csrfmiddlewaretoken"}
    return [spec for name, spec in merged.fields.items() if name not in hidden], merged.multipart


def fields_of_form_class(dotted: str) -> list[Field]:
    """The fields of a Django form class, as the page would render them."""
    from django.utils.module_loading import import_string

    form = import_string(dotted)()
    found = []
    for name, bound in form.fields.items():
        widget = bound.widget
        choices = [str(value) for value, _label in getattr(bound, "choices", [])]
        if choices:
            kind = "select"
        elif widget.__class__.__name__ == "Textarea":
            kind = "textarea"
        else:
            kind = getattr(widget, "input_type", "text")
        found.append(Field(name, kind, choices, required=bound.required))
    return found


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("row", TARGETS, ids=[row.id for row in TARGETS])
def test_no_input_breaks_a_form_or_saves_on_error(world, form_index, row):  # noqa: F811
    role = actor_of(row)
    name = user_name(row, role)
    url = row.url(world)
    fields, _multipart = fields_for(form_index, urlsplit(url).path, "post", name)
    if not fields and row.name in FORM_CLASSES:
        fields = fields_of_form_class(FORM_CLASSES[row.name])
    (client,) = clients_for(world, [name]).values()
    tables = watched_tables()
    assert row.post[role] != LOGIN

    @FUZZ
    @given(data=form_data(fields))
    def submit(data):
        client.cookies.pop("messages", None)  # only this submission's messages count
        with transaction.atomic():
            before = fingerprint(tables)
            response = client.post(url, data)
            after = fingerprint(tables)
            transaction.set_rollback(True)
        assert response.status_code != 500, f"POST {url} as {role}: 500 ({getattr(response, 'exc_info', None)})"
        if refused(response, row):
            assert not changed(before, after), (
                f"POST {url} as {role} was refused ({response.status_code}) but changed {changed(before, after)}"
            )

    submit()


def searching(path: str, client, fields: list[Field]):
    """The Hypothesis search over one filter form's query strings."""

    @FUZZ
    @given(data=form_data(fields))
    def search(data):
        query = urlencode(data, doseq=True)
        response = fetch(client, "get", f"{path}?{query}")
        assert response.status_code != 500, f"GET {path}?{query[:300]}: 500 ({response.exc_info!r})"

    return search


@pytest.mark.django_db
def test_no_query_string_breaks_a_filter(world, form_index):  # noqa: F811
    """The GET forms (filters on lists and reports): any query string answers a page or a refusal, never 500."""
    targets = sorted({(path, name) for (path, method), found in form_index.items() if method == "get"
                      for _form, name in found if not path.startswith("/accounts/")})  # fmt: skip
    assert targets, "no filter forms found"
    failures = []
    for path, name in targets:
        fields, _ = fields_for(form_index, path, "get", name)
        fields = [spec for spec in fields if spec.kind != "file"]
        (client,) = clients_for(world, [name]).values()

        try:
            searching(path, client, fields)()
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_the_form_reader_finds_fields_types_options_and_buttons():
    html = """<form method="post" enctype="multipart/form-data" action="/x/?a=1">
      <input type="hidden" name="csrfmiddlewaretoken" value="t"><input name="title" required>
      <input type="date" name="day"><select name="kind"><option value="">-</option><option value="a">A</option>
      </select><textarea name="body">Hi</textarea><input type="file" name="file">
      <button name="status" value="approved">Approve</button><button name="status" value="declined">No</button>
    </form><form><input name="q"></form>"""
    post, get = forms_of(html, "/page/")
    assert (post.method, post.action, post.multipart) == ("post", "/x/", True)
    assert {name: spec.kind for name, spec in post.fields.items()} == {
        "csrfmiddlewaretoken": "hidden", "title": "text", "day": "date", "kind": "select", "body": "textarea",
        "file": "file", "status": "button",
    }  # fmt: skip
    assert post.fields["kind"].values == ["", "a"] and post.fields["status"].values == ["approved", "declined"]
    assert post.fields["title"].required and (get.method, get.action) == ("get", "/page/")


@pytest.mark.django_db
def test_the_fingerprint_sees_an_insert_an_update_and_a_delete(world):  # noqa: F811
    from sessions_log.models import Goal

    tables = watched_tables()
    start = fingerprint(tables)
    Goal.objects.filter(pk=world.goal_a.pk).update(objective="Speak up twice")  # same count, same ids
    updated = fingerprint(tables)
    assert changed(start, updated) == ["sessions_log_goal"]
    Goal.objects.filter(pk=world.goal_b.pk).delete()
    assert "sessions_log_goal" in changed(updated, fingerprint(tables))

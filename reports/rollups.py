# The SQL below is put together from this module's own constant names; nothing comes from input.
# ruff: noqa: S608
"""The stored figures of HR's reports: one reports.PairDay row per (programme,
mentee, mentor, day) adding up what the reports count of a pair's history (held
meetings and their minutes, one-off sessions, recaps, goals by status, actions
falling due, ratings, check-ins), kept equal to the source rows by PostgreSQL.

How it stays true (docs/reports.md, "How the figures are stored"):
- One definition of every stored number: the view `reports_pairday_source`, the
  full computation from the source rows, grouped by the key.
- Triggers on the six source tables (and on matches, whose pair moves their goals,
  actions and check-ins) recompute from that view the key (or keys) a changed row
  belongs to, old and new, in the transaction of the change: a rolled-back change
  leaves the figures as they were, and a change made by any path (services, the
  admin, factories, `QuerySet.update`, raw SQL) is counted. Recomputing a key is
  idempotent, so a retried or repeated change cannot count twice.
- `reconcile()` (nightly, reports.tasks) compares every stored row with the view
  and puts right what differs, saying how many keys it corrected; `rebuild()`
  (`manage.py rebuild_figures`) starts again from nothing.
- Bulk loads pause the triggers for their transaction and rebuild at the end
  (`paused_then_rebuilt`).

A day is a local date in settings.TIME_ZONE, as the reports' `__date` lookups take
it; `install()` writes the zone into the SQL, so a change of TIME_ZONE needs
`manage.py rebuild_figures` (which installs again). PostgreSQL only: on another
database nothing is installed and the stored figures stay empty."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import FiguresCheck

COUNTERS = ["meetings_held", "minutes", "unpaired_held", "unpaired_minutes", "recaps", "goals_not_started",
            "goals_in_progress", "goals_achieved", "goals_dropped", "actions", "actions_done", "feedback_n",
            "feedback_sum", "pulse_n", "pulse_sum"]  # fmt: skip
KEY = ["programme_id", "mentee_id", "mentor_id", "day"]

# Each source's rows as (key..., its counters in COUNTERS' order); the view adds them up by key.
_HELD = "m.status = 'held'"
_SOURCES = {
    "meetings": (
        "m.programme_id, m.mentee_id, m.mentor_id, reports_local_day(m.starts_at)",
        {
            "meetings_held": "(m.match_id IS NOT NULL)::int",
            "minutes": "CASE WHEN m.match_id IS NOT NULL THEN m.minutes ELSE 0 END",
            "unpaired_held": "(m.match_id IS NULL)::int",
            "unpaired_minutes": "CASE WHEN m.match_id IS NULL THEN m.minutes ELSE 0 END",
        },
        f"sessions_log_meeting m WHERE {_HELD}",
    ),
    "recaps": (
        "m.programme_id, m.mentee_id, m.mentor_id, reports_local_day(r.created_at)",
        {"recaps": "1"},
        "sessions_log_recap r JOIN sessions_log_meeting m ON m.id = r.meeting_id",
    ),
    "goals": (
        "x.programme_id, x.mentee_id, x.mentor_id, reports_local_day(g.created_at)",
        {
            f"goals_{status}": f"(g.status = '{status}')::int"
            for status in ("not_started", "in_progress", "achieved", "dropped")
        },
        "sessions_log_goal g JOIN matching_match x ON x.id = g.match_id",
    ),
    "actions": (
        "x.programme_id, x.mentee_id, x.mentor_id, a.due_on",
        {"actions": "1", "actions_done": "(a.status = 'done')::int"},
        "sessions_log_actionitem a JOIN matching_match x ON x.id = a.match_id",
    ),
    "feedback": (
        "m.programme_id, m.mentee_id, m.mentor_id, reports_local_day(f.created_at)",
        {"feedback_n": "1", "feedback_sum": "f.rating"},
        "sessions_log_feedback f JOIN sessions_log_meeting m ON m.id = f.meeting_id",
    ),
    "pulses": (
        "x.programme_id, x.mentee_id, x.mentor_id, p.due_on",
        {"pulse_n": "1", "pulse_sum": "p.rating"},
        "surveys_pulseresponse p JOIN matching_match x ON x.id = p.match_id",
    ),
}


def _view_sql() -> str:
    branches = []
    for key, counters, source in _SOURCES.values():
        values = ", ".join(f"{counters.get(name, '0')} AS {name}" for name in COUNTERS)
        branches.append(f"SELECT {key}, {values} FROM {source}")  # nosec B608 (no input: the names are this module's)
    union = "\nUNION ALL\n".join(branches)
    sums = ", ".join(f"SUM({name})::int AS {name}" for name in COUNTERS)
    return (f"CREATE VIEW reports_pairday_source (programme_id, mentee_id, mentor_id, day, {', '.join(COUNTERS)}) AS "  # nosec B608 (no input: the names are this module's)
            f"SELECT programme_id, mentee_id, mentor_id, day, {sums} FROM (\n{union}\n) "
            f"AS sources (programme_id, mentee_id, mentor_id, day, {', '.join(COUNTERS)}) "
            f"GROUP BY programme_id, mentee_id, mentor_id, day")  # fmt: skip


_COLUMNS = ", ".join(KEY + COUNTERS)

# Recompute one key from the view. The advisory lock orders two transactions touching
# the same key (the second recomputes after the first commits and sees its rows).
_REFRESH = f"""
CREATE FUNCTION reports_pairday_refresh(p bigint, me bigint, mo bigint, d date) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(format('pairday %s %s %s %s', p, me, mo, d), 0));
    DELETE FROM reports_pairday
     WHERE programme_id = p AND mentee_id = me AND mentor_id = mo AND day IS NOT DISTINCT FROM d;
    INSERT INTO reports_pairday ({_COLUMNS})
    SELECT {_COLUMNS} FROM reports_pairday_source
     WHERE programme_id = p AND mentee_id = me AND mentor_id = mo AND day IS NOT DISTINCT FROM d;
END $$;
"""  # nosec B608 (no input: the names are this module's)

_PAUSED = "IF current_setting('reports.figures_paused', true) = 'on' THEN RETURN NULL; END IF;"

# Per table: the trigger's body, given OLD and NEW (either may be absent: TG_OP says).
# A row of a meeting counts on its own key; recaps and ratings on their meeting's;
# goals, actions and check-ins on their match's. An update that changes none of the
# columns counted returns at once (an agenda edited, a recap's text).
_TRIGGERS = {
    "sessions_log_meeting": """
    IF TG_OP = 'UPDATE' AND (OLD.status, OLD.starts_at, OLD.minutes, OLD.match_id, OLD.programme_id, OLD.mentee_id,
        OLD.mentor_id) IS NOT DISTINCT FROM (NEW.status, NEW.starts_at, NEW.minutes, NEW.match_id, NEW.programme_id,
        NEW.mentee_id, NEW.mentor_id) THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.status = 'held' THEN
        PERFORM reports_pairday_refresh(OLD.programme_id, OLD.mentee_id, OLD.mentor_id,
                                        reports_local_day(OLD.starts_at));
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status = 'held' THEN
        PERFORM reports_pairday_refresh(NEW.programme_id, NEW.mentee_id, NEW.mentor_id,
                                        reports_local_day(NEW.starts_at));
    END IF;
    -- The meeting moved to another pair: its recaps and ratings move with it.
    IF TG_OP = 'UPDATE' AND (OLD.programme_id, OLD.mentee_id, OLD.mentor_id)
        IS DISTINCT FROM (NEW.programme_id, NEW.mentee_id, NEW.mentor_id) THEN
        FOR d IN SELECT reports_local_day(created_at) FROM sessions_log_recap WHERE meeting_id = NEW.id
                 UNION SELECT reports_local_day(created_at) FROM sessions_log_feedback WHERE meeting_id = NEW.id LOOP
            PERFORM reports_pairday_refresh(OLD.programme_id, OLD.mentee_id, OLD.mentor_id, d);
            PERFORM reports_pairday_refresh(NEW.programme_id, NEW.mentee_id, NEW.mentor_id, d);
        END LOOP;
    END IF;""",
    "matching_match": """
    IF (OLD.programme_id, OLD.mentee_id, OLD.mentor_id)
        IS NOT DISTINCT FROM (NEW.programme_id, NEW.mentee_id, NEW.mentor_id) THEN RETURN NULL; END IF;
    FOR d IN SELECT reports_local_day(created_at) FROM sessions_log_goal WHERE match_id = NEW.id
             UNION SELECT due_on FROM sessions_log_actionitem WHERE match_id = NEW.id
             UNION SELECT due_on FROM surveys_pulseresponse WHERE match_id = NEW.id LOOP
        PERFORM reports_pairday_refresh(OLD.programme_id, OLD.mentee_id, OLD.mentor_id, d);
        PERFORM reports_pairday_refresh(NEW.programme_id, NEW.mentee_id, NEW.mentor_id, d);
    END LOOP;""",
}
# The rows that count on their parent's key: (table, parent table, parent column, day, columns counted).
_CHILDREN = [
    ("sessions_log_recap", "sessions_log_meeting", "meeting_id", "reports_local_day({row}.created_at)",
     ["meeting_id", "created_at"]),
    ("sessions_log_feedback", "sessions_log_meeting", "meeting_id", "reports_local_day({row}.created_at)",
     ["meeting_id", "created_at", "rating"]),
    ("sessions_log_goal", "matching_match", "match_id", "reports_local_day({row}.created_at)",
     ["match_id", "created_at", "status"]),
    ("sessions_log_actionitem", "matching_match", "match_id", "{row}.due_on", ["match_id", "due_on", "status"]),
    ("surveys_pulseresponse", "matching_match", "match_id", "{row}.due_on", ["match_id", "due_on", "rating"]),
]  # fmt: skip


def _child_body(parent: str, column: str, day: str, counted: list[str]) -> str:
    def refresh(row: str) -> str:
        return (f"SELECT programme_id, mentee_id, mentor_id INTO k FROM {parent} WHERE id = {row}.{column};\n"  # nosec B608 (no input: the names are this module's)
                f"        IF FOUND THEN PERFORM reports_pairday_refresh(k.programme_id, k.mentee_id, k.mentor_id, "
                f"{day.format(row=row)}); END IF;")  # fmt: skip

    old = ", ".join(f"OLD.{name}" for name in counted)
    new = ", ".join(f"NEW.{name}" for name in counted)
    return f"""
    IF TG_OP = 'UPDATE' AND ({old}) IS NOT DISTINCT FROM ({new}) THEN RETURN NULL; END IF;
    IF TG_OP <> 'INSERT' AND OLD.{column} IS NOT NULL THEN
        {refresh("OLD")}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.{column} IS NOT NULL THEN
        {refresh("NEW")}
    END IF;"""


def _trigger_sql(table: str, body: str, events: str) -> str:
    return f"""
CREATE FUNCTION {table}_figures() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE k record; d date;
BEGIN
    {_PAUSED}
    {body}
    RETURN NULL;
END $$;
CREATE TRIGGER {table}_figures AFTER {events} ON {table} FOR EACH ROW EXECUTE FUNCTION {table}_figures();
"""


_TABLES = ["sessions_log_meeting", "matching_match", *(child[0] for child in _CHILDREN)]


def install_sql(time_zone: str) -> str:
    """Everything the stored figures need in the database, for `time_zone`."""
    ZoneInfo(time_zone)  # a zone Python does not know is refused before it reaches SQL
    local_day = (f"CREATE FUNCTION reports_local_day(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE "
                 f"AS $$ SELECT (at AT TIME ZONE '{time_zone}')::date $$;")  # fmt: skip
    triggers = [_trigger_sql("sessions_log_meeting", _TRIGGERS["sessions_log_meeting"], "INSERT OR UPDATE OR DELETE"),
                _trigger_sql("matching_match", _TRIGGERS["matching_match"], "UPDATE")]  # fmt: skip
    for table, parent, column, day, counted in _CHILDREN:
        triggers.append(_trigger_sql(table, _child_body(parent, column, day, counted), "INSERT OR UPDATE OR DELETE"))
    return "\n".join([uninstall_sql(), local_day, _view_sql() + ";", _REFRESH, *triggers])


def uninstall_sql() -> str:
    drops = [f"DROP TRIGGER IF EXISTS {table}_figures ON {table}; DROP FUNCTION IF EXISTS {table}_figures();"
             for table in _TABLES]  # fmt: skip
    return "\n".join([*drops, "DROP FUNCTION IF EXISTS reports_pairday_refresh(bigint, bigint, bigint, date);",
                      "DROP VIEW IF EXISTS reports_pairday_source;",
                      "DROP FUNCTION IF EXISTS reports_local_day(timestamptz);"])  # fmt: skip


def is_supported() -> bool:
    return connection.vendor == "postgresql"


def install() -> None:
    """(Re)install the view, the function and the triggers for settings.TIME_ZONE."""
    if is_supported():
        with connection.cursor() as cursor:
            cursor.execute(install_sql(settings.TIME_ZONE))


# Writers wait while the whole table is checked (seconds), so that no change made
# meanwhile is overwritten by the check's older view of it.
_LOCK = "LOCK TABLE reports_pairday IN SHARE ROW EXCLUSIVE MODE"
_DAY = "COALESCE({t}.day, '-infinity'::date)"  # a key with no day, comparable with =
_SAME_KEY = " AND ".join(
    [f"{{a}}.{name} = {{b}}.{name}" for name in KEY[:3]] + [f"{_DAY.format(t='{a}')} = {_DAY.format(t='{b}')}"]
)


def _finish(check: FiguresCheck, corrected: int) -> int:
    check.corrected, check.finished_at = corrected, timezone.now()
    check.save(update_fields=["corrected", "finished_at"])
    return corrected


def rebuild() -> int:
    """Install again and recompute every stored row from the sources; the number of
    rows stored."""
    if not is_supported():
        return 0
    with transaction.atomic():
        check = FiguresCheck.objects.create(kind=FiguresCheck.Kind.REBUILD)
        install()
        with connection.cursor() as cursor:
            # DELETE, not TRUNCATE: readers keep their snapshot, and it may follow rows
            # written earlier in the same transaction (a bulk load's).
            cursor.execute(_LOCK)
            cursor.execute("DELETE FROM reports_pairday")
            cursor.execute(f"INSERT INTO reports_pairday ({_COLUMNS}) SELECT {_COLUMNS} FROM reports_pairday_source")  # nosec B608 (no input: the names are this module's)
            return _finish(check, cursor.rowcount)


def reconcile() -> int:
    """Compare every stored row with the full computation and put right the keys that
    differ (missing, extra or wrong): how many. Safe to run twice (the second finds 0)."""
    if not is_supported():
        return 0
    counters = ", ".join(f"w.{name}" for name in COUNTERS)
    stored = ", ".join(f"t.{name}" for name in COUNTERS)
    key = ", ".join(f"COALESCE(w.{name}, t.{name}) AS {name}" for name in KEY)
    with transaction.atomic():
        check = FiguresCheck.objects.create(kind=FiguresCheck.Kind.RECONCILE)
        with connection.cursor() as cursor:
            cursor.execute(_LOCK)
            cursor.execute(
                "CREATE TEMPORARY TABLE reports_wanted ON COMMIT DROP AS SELECT * FROM reports_pairday_source"
            )
            cursor.execute(
                f"CREATE TEMPORARY TABLE reports_wrong ON COMMIT DROP AS SELECT {key} FROM reports_wanted w "  # nosec B608 (no input: the names are this module's)
                f"FULL JOIN reports_pairday t ON {_SAME_KEY.format(a='w', b='t')} "
                f"WHERE ROW({counters}) IS DISTINCT FROM ROW({stored})"
            )  # nosec B608 (no input: the names are this module's)
            cursor.execute(
                f"DELETE FROM reports_pairday t USING reports_wrong x WHERE {_SAME_KEY.format(a='t', b='x')}"  # nosec B608 (no input: the names are this module's)
            )
            cursor.execute(
                f"INSERT INTO reports_pairday ({_COLUMNS}) SELECT {', '.join(f'w.{n}' for n in KEY + COUNTERS)} "  # nosec B608 (no input: the names are this module's)
                f"FROM reports_wanted w JOIN reports_wrong x ON {_SAME_KEY.format(a='w', b='x')}"
            )  # nosec B608
            cursor.execute("SELECT COUNT(*) FROM reports_wrong")
            corrected = cursor.fetchone()[0]
            cursor.execute("DROP TABLE reports_wanted, reports_wrong")
        return _finish(check, corrected)


@contextmanager
def paused_then_rebuilt():
    """For a bulk load (bulk_create of thousands of rows): the triggers stand aside
    for this transaction and every stored row is recomputed at the end, once."""
    with transaction.atomic():
        if is_supported():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL reports.figures_paused = 'on'")
        yield
        if is_supported():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL reports.figures_paused = 'off'")
        rebuild()


@dataclass(frozen=True)
class Freshness:
    """What a page says of its figures: as of when, kept as things happen, and the
    last full check (the nightly reconcile or a rebuild) with what it corrected."""

    as_of: datetime
    checked_at: datetime | None
    check_kind: str
    corrected: int | None

    def __str__(self) -> str:
        said = f"Figures as of {timezone.localtime(self.as_of):%H:%M}, updated as things happen"
        if self.checked_at is None:
            return f"{said}; no full check yet."
        when = timezone.localtime(self.checked_at)
        fixed = "" if not self.corrected else f", {self.corrected} corrected"
        return f"{said}; last full check {when:%d %b %H:%M} ({self.check_kind.lower()}{fixed})."


def freshness() -> Freshness:
    """One query: the last finished full check."""
    last = FiguresCheck.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    if last is None:
        return Freshness(timezone.now(), None, "", None)
    return Freshness(timezone.now(), last.finished_at, last.get_kind_display(), last.corrected)

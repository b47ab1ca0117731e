"""The database triggers that mark a pair's stored health stale (engagement.PairHealth).

Why triggers rather than signals or service hooks: the facts of a pair's health
live in ten tables written by services, the admin, bulk updates, imports, the
load seed and tests. Signals miss `QuerySet.update()`, `bulk_create()` and raw
SQL; hooks in services miss everything else. A trigger runs in the writer's own
transaction whatever wrote the row, so a failed transaction leaves nothing
behind and a committed one can never leave a stale row looking fresh. The
trigger only marks the row (empties `fresh_until`, bumps `version`): judging
needs Python (health.assess), which engagement.stored runs before anyone reads.

PostgreSQL gets statement-level triggers with transition tables (one UPDATE per
statement, so bulk writes stay cheap); SQLite, the no-setup default, row-level
ones. `install` is idempotent: a later migration that watches a new table calls
it again."""

# Each watched table, with the SQL giving the pairs a set of its rows belongs to:
# `{rows}` is the transition table (PostgreSQL) or a one-row SELECT (SQLite).
WATCHED = {
    "sessions_log_meeting": "SELECT match_id FROM {rows}",
    "sessions_log_goal": "SELECT match_id FROM {rows}",
    "sessions_log_actionitem": "SELECT match_id FROM {rows}",
    "sessions_log_agreement": "SELECT match_id FROM {rows}",
    "surveys_pulseresponse": "SELECT match_id FROM {rows}",
    "outcomes_selfassessment": "SELECT match_id FROM {rows}",
    "sessions_log_recap": "SELECT match_id FROM sessions_log_meeting WHERE id IN (SELECT meeting_id FROM {rows})",
    "sessions_log_feedback": "SELECT match_id FROM sessions_log_meeting WHERE id IN (SELECT meeting_id FROM {rows})",
    "matching_match": "SELECT id FROM {rows}",
    # The framework: cadence, goals expected, end date.
    "programmes_programme": "SELECT m.id FROM matching_match m WHERE m.programme_id IN (SELECT id FROM {rows})",
}
STALE = "UPDATE engagement_pairhealth SET fresh_until = NULL, version = version + 1 WHERE match_id IN ({pairs})"
# A new pair gets its (stale) row at once, so the version check covers it from the start.
NEW_PAIR = (
    "INSERT INTO engagement_pairhealth (match_id, status, severity, reasons, in_grace, hr_status, facts, version) "
    "SELECT id, '', 0, '[]', {false}, '', '{{}}', 0 FROM {rows} WHERE true ON CONFLICT (match_id) DO NOTHING"
)
EVENTS = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}


def _postgresql() -> list[str]:
    statements = []
    for table, pairs in WATCHED.items():
        for event, sides in EVENTS.items():
            name = f"health_stale_{table}_{event.lower()}"
            body = [STALE.format(pairs=pairs.format(rows=f"{side.lower()}_rows")) + ";" for side in sides]
            if table == "matching_match" and event == "INSERT":
                body = [NEW_PAIR.format(rows="new_rows", false="false") + ";"]
            referencing = " ".join(f"{side} TABLE AS {side.lower()}_rows" for side in sides)
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {' '.join(body)} RETURN NULL; END $$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def _sqlite() -> list[str]:
    statements = []
    for table, pairs in WATCHED.items():
        for event, sides in EVENTS.items():
            name = f"health_stale_{table}_{event.lower()}"
            body = [STALE.format(pairs=pairs.format(rows=_one_row(table, side))) + ";" for side in sides]
            if table == "matching_match" and event == "INSERT":
                body = [NEW_PAIR.format(rows="(SELECT NEW.id AS id)", false="0") + ";"]
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW BEGIN {' '.join(body)} END",
            ]
    return statements


def _one_row(table: str, side: str) -> str:
    """The changed row as a one-row derived table with the columns the pair SQL reads."""
    names = {
        "matching_match": ["id"],
        "programmes_programme": ["id"],
        "sessions_log_recap": ["meeting_id"],
        "sessions_log_feedback": ["meeting_id"],
    }.get(table, ["match_id"])
    return "(SELECT " + ", ".join(f"{side}.{name} AS {name}" for name in names) + ")"


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgresql, "sqlite": _sqlite}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in WATCHED:
        for event in EVENTS:
            name = f"health_stale_{table}_{event.lower()}"
            if vendor == "postgresql":
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}", params=None)
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()", params=None)
            else:
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)

"""Each pair's health, stored (engagement.PairHealth) and kept exact.

A stored judgement is right until one of two things happens: the pair's rows
change (the triggers of engagement.triggers then mark it stale, in the writer's
transaction), or the clock passes its `fresh_until` (health.pair_facts_until:
the next midnight, the next booked meeting's start, a rating leaving its window).
Every reader first re-judges the stale rows of what it reads (`judge_stale`:
eleven queries however many), so a page never shows a status that judging the pair
from scratch would not give now; the daily job re-judges every active pair just
after midnight so that pages rarely find one stale. A judgement is written only
over the version of the row it read: a change committed meanwhile leaves the row
stale for the next reader rather than overwritten with the older facts."""

import json
from dataclasses import asdict, replace
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from matching.models import Match

from . import health
from .models import PairHealth

BATCH = 2000  # pairs judged per round by the daily job and the rebuild


def stale(now: datetime) -> Q:
    """Rows whose judgement may not hold at `now` (one judged "later" than now, as
    when tests move the clock back, is stale too)."""
    return Q(fresh_until__isnull=True) | Q(fresh_until__lte=now) | Q(assessed_at__gt=now)


def judge_stale(matches: QuerySet[Match], now: datetime | None = None) -> int:
    """Re-judge the stale rows among `matches`; the number written. Always the same
    eleven queries (none, one or thousands stale), so a page costs the same either way."""
    now = now or timezone.now()
    rows = PairHealth.objects.filter(match__in=matches).filter(stale(now))
    return _judge(rows, now)


def judge(matches: QuerySet[Match], now: datetime | None = None, *, only_stale: bool = False) -> int:
    """Re-judge the rows among `matches` (every one, or `only_stale`), in rounds of BATCH pairs."""
    now = now or timezone.now()
    written, last = 0, None
    rows = PairHealth.objects.filter(match__in=matches).filter(stale(now) if only_stale else Q())
    ids = rows.order_by("match_id").values_list("match_id", flat=True)
    while True:
        chunk = list((ids.filter(match_id__gt=last) if last is not None else ids)[:BATCH])
        if not chunk:
            return written
        last = chunk[-1]
        written += _judge(rows.filter(match_id__in=chunk), now)


def rebuild(now: datetime | None = None) -> int:
    """For repair: a row for every pair (were a trigger ever missing), each judged anew."""
    missing = Match.objects.filter(stored_health__isnull=True).values_list("pk", flat=True)
    PairHealth.objects.bulk_create([PairHealth(match_id=pk) for pk in missing], ignore_conflicts=True)
    written = judge(Match.objects.all(), now)
    if connection.vendor == "postgresql":
        # Every row rewritten: clear the dead versions out of the stale-row index (a bulk load's
        # triggers leave many) and tell the planner that few rows are stale (VACUUM needs autocommit).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE engagement_pairhealth" if connection.in_atomic_block else
                           "VACUUM ANALYZE engagement_pairhealth")  # fmt: skip
    return written


def judge_daily(now: datetime | None = None) -> int:
    """The daily job: every active pair judged for the new day (health moves with the date
    alone). Every judgement expires at midnight at the latest, so after midnight every
    row is stale; a second run the same day finds none (and writes nothing)."""
    return judge(Match.objects.filter(status=Match.Status.ACTIVE), now, only_stale=True)


def _judge(rows: QuerySet[PairHealth], now: datetime) -> int:
    # The versions first, then the facts: a change committed in between bumps the
    # version, so its row is not written and stays stale (see the module's docstring).
    versions = dict(rows.values_list("match_id", "version"))
    matches = Match.objects.filter(pk__in=rows.values("match_id"))
    facts, until = health.pair_facts_until(matches, now)
    frameworks = health.frameworks_of(matches)
    today = timezone.localdate(now)
    judged = []
    for pk, version in versions.items():
        if pk not in facts or pk not in frameworks:  # judged by someone else meanwhile
            continue
        state = health.assess(facts[pk], frameworks[pk], today)
        unrated = replace(facts[pk], ratings=0, average_rating=None, latest_pulse=None)
        judged.append({
            "match_id": pk, "version": version, "status": state.status, "severity": health.SEVERITY[state.status],
            "reasons": state.reasons, "in_grace": state.in_grace,
            "hr_status": health.assess(unrated, frameworks[pk], today).status,
            "facts": {**asdict(facts[pk]), "framework": asdict(frameworks[pk])},
            "assessed_at": _moment(now), "fresh_until": _moment(until[pk]),
        })  # fmt: skip
    return _write(judged)


def _moment(value: datetime) -> str:
    """A datetime as the database stores it (SQLite keeps naive UTC text)."""
    return str(connection.ops.adapt_datetimefield_value(value))


# One statement, however many rows (also none, so a page's query count never varies),
# writing each row only over the version it was read at.
_WRITE = {
    "postgresql": """
        UPDATE engagement_pairhealth AS h SET status = j.status, severity = j.severity, reasons = j.reasons,
            in_grace = j.in_grace, hr_status = j.hr_status, facts = j.facts, assessed_at = j.assessed_at,
            fresh_until = j.fresh_until
        FROM jsonb_to_recordset(%s::jsonb) AS j(match_id bigint, version bigint, status text, severity smallint,
            reasons jsonb, in_grace boolean, hr_status text, facts jsonb, assessed_at timestamptz,
            fresh_until timestamptz)
        WHERE h.match_id = j.match_id AND h.version = j.version""",
    "sqlite": """
        UPDATE engagement_pairhealth SET status = j.value ->> 'status', severity = j.value ->> 'severity',
            reasons = j.value -> 'reasons', in_grace = j.value ->> 'in_grace', hr_status = j.value ->> 'hr_status',
            facts = j.value -> 'facts', assessed_at = j.value ->> 'assessed_at',
            fresh_until = j.value ->> 'fresh_until'
        FROM json_each(%s) AS j
        WHERE engagement_pairhealth.match_id = j.value ->> 'match_id'
            AND engagement_pairhealth.version = j.value ->> 'version'""",
}


def _write(judged: list[dict]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(_WRITE[connection.vendor], [json.dumps(judged, cls=DjangoJSONEncoder)])
        return cursor.rowcount


# -- reading -------------------------------------------------------------------------


def health_of(row: PairHealth) -> health.Health:
    return health.Health(row.status, list(row.reasons), row.in_grace)


def stored_health(matches: QuerySet[Match], now: datetime | None = None) -> dict[int, health.Health]:
    """What health.health_of_matches gives, read from the stored rows (twelve queries)."""
    judge_stale(matches, now)
    rows = PairHealth.objects.filter(match__in=matches).only("match_id", "status", "reasons", "in_grace")
    return {row.match_id: health_of(row) for row in rows}

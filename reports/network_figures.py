"""A staff network's figures, for its leads (and HR and staff): how the network's
members take part, per programme the network co-sponsors and over every
programme, with k >= 5 in every cell (reports.disclosure, the same engine as HR's
figures: a cell resting on 1-4 people, pairs or nominees is hidden, and so is
any cell that would let one be worked out, down a column or across a row).

Members are people who declared a membership (networks.NetworkMembership),
whether or not they let the leads see it: the figures are counts, never who.
There is no per-person row anywhere, and a 0 is hidden like a small count
("none of our members applied" is said of every member). Like HR's attribute
views, the figures stand still within a month: they count what happened up to
the end of last month, so that two visits cannot be subtracted to single out
someone who applied between them."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from matching.models import Match
from networks.models import Network, NetworkMembership
from programmes.models import Nomination, Participant, Programme

from .disclosure import COUNT, EVENTS, Cell, Relation, holds, protect
from .figures import Row, Table, attribute_cutoff, programme_label

OVERALL_LABEL = "All programmes"
COLUMNS = [
    ("applied", "Members who applied"),
    ("approved", "Members approved"),
    ("matched", "Members matched"),
    ("active_pairs", "Active pairs with a member"),
    ("nominated", "Nominations made by the network"),
    ("accepted", "Nominations accepted"),
]
DEFINITIONS = {
    "applied": "Members who enrolled in the programme by the end of last month, whatever became of the enrolment.",
    "approved": "Of those, the members whose enrolment (as a mentor or a mentee) is approved.",
    "matched": "Members in a match made by the end of last month, as a mentor or a mentee.",
    "active_pairs": "Matches made by the end of last month and not ended by then, with a member on either side.",
    "nominated": "Nominations the network's leads made by the end of last month (whoever they were for).",
    "accepted": "Of those, the nominations the nominee accepted.",
}
# Within a row, what a reader may take to hold (smaller, larger): audited where true.
_AT_MOST = [("approved", "applied"), ("matched", "approved"), ("accepted", "nominated")]


@dataclass
class NetworkFigures:
    network: Network
    cutoff: date
    table: Table


def network_programmes(network: Network, programmes: QuerySet[Programme]) -> list[Programme]:
    """The programmes (of `programmes`) the network co-sponsors, in name order."""
    return list(programmes.filter(sponsor_networks=network).order_by("name", "cohort"))


def network_figures(network: Network, programmes: QuerySet[Programme], *, today: date | None = None) -> NetworkFigures:
    """The protected table: a row per co-sponsored programme, then every programme in
    `programmes` together. Seven queries, whatever the numbers."""
    cutoff = attribute_cutoff(today)
    sponsored = network_programmes(network, programmes)
    members = NetworkMembership.objects.filter(network=network).values("user_id")
    enrolled = Participant.objects.filter(programme__in=programmes, user__in=members, applied_at__date__lte=cutoff)
    in_match = Match.objects.filter(created_at__date__lte=cutoff).filter(
        Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk"))
    )
    people = {
        "applied": Count("user", distinct=True),
        "approved": Count("user", distinct=True, filter=Q(status=Participant.Status.APPROVED)),
        "matched": Count("user", distinct=True, filter=Q(in_match=True)),
    }
    enrolled = enrolled.annotate(in_match=Exists(in_match))
    matches = Match.objects.filter(programme__in=programmes, created_at__date__lte=cutoff).filter(
        Q(ended_at__isnull=True) | Q(ended_at__date__gt=cutoff)
    )
    member_pairs = matches.filter(Q(mentor__user__in=members) | Q(mentee__user__in=members))
    pairs = {"active_pairs": Count("pk", distinct=True)}
    nominations = Nomination.objects.filter(network=network, programme__in=programmes, created_at__date__lte=cutoff)
    accepted = Q(status=Nomination.Status.ACCEPTED)
    nominated = {
        "nominated": Count("pk"), "accepted": Count("pk", filter=accepted),
        "nominated~": Count("nominee", distinct=True), "accepted~": Count("nominee", distinct=True, filter=accepted),
    }  # fmt: skip

    by_programme: dict = {programme.pk: {} for programme in sponsored}
    for queryset, aggregates in ((enrolled, people), (member_pairs, pairs), (nominations, nominated)):
        rows = queryset.filter(programme__in=[p.pk for p in sponsored]).values("programme")
        for found in rows.annotate(**aggregates).order_by():
            by_programme[found.pop("programme")].update(found)
    overall = {**enrolled.aggregate(**people), **member_pairs.aggregate(**pairs), **nominations.aggregate(**nominated)}

    rows = [Row(programme_label(p.name, p.cohort), _cells(by_programme[p.pk])) for p in sponsored]
    rows.append(Row(OVERALL_LABEL, _cells(overall, total=True), total=True))
    table = Table("network", f"{network.name}: participation", COLUMNS, rows)
    table.relations = _relations(table)
    protect(table.cells(), table.relations)
    return NetworkFigures(network, cutoff, table)


def _cells(raw: dict, *, total: bool = False) -> dict[str, Cell]:
    """Each figure as a cell; a 0 is hidden too (it says something of every member)."""
    cells = {}
    for key, _label in COLUMNS:
        value = raw.get(key) or 0
        support = raw.get(f"{key}~", value) or 0
        cells[key] = Cell(value, support, EVENTS if key in ("nominated", "accepted") else COUNT,
                          zero_is_small=True, total=total)  # fmt: skip
    return cells


def _relate(terms: list[tuple[float, Cell]]) -> Relation | None:
    """The relation as exact as it truly is, or None when none holds."""
    if holds(terms, True):
        return Relation(terms, True)
    for signed in (terms, [(-coefficient, cell) for coefficient, cell in terms]):
        if holds(signed, False):
            return Relation(signed, False)
    return None


def _relations(table: Table) -> list[Relation]:
    """What a reader may assume: down a column, All programmes against the co-sponsored
    ones (someone may be in two of them, and All holds every other programme too: audited
    as it truly is), each programme at most All; across a row, the at-most pairs above."""
    found = []
    groups, total = table.rows[:-1], table.total
    for key, _label in table.columns:
        candidates = [[(1, total.cells[key])] + [(-1, row.cells[key]) for row in groups]] if groups else []
        candidates += [[(1, row.cells[key]), (-1, total.cells[key])] for row in groups]
        found += [relation for terms in candidates if (relation := _relate(terms))]
    for row in table.rows:
        for smaller, larger in _AT_MOST:
            relation = _relate([(1, row.cells[smaller]), (-1, row.cells[larger])])
            if relation:
                found.append(relation)
    return found

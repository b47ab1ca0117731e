"""Find someone to learn from: who is listed, how a search filters them, how they
rank, and what each card says. One place for the listing rule (helpers_listed).

Listed: an active person with a HelperOffer that is listed and whose newest
requests did not go unanswered (unanswered_streak < UNANSWERED_STREAK_HIDES), an
approved mentor of a running office-hours programme the viewer can book in (an
approved mentee there, or the programme approves automatically); never the
viewer. Across programmes: one person is one card, whatever number of
programmes they help in.

Ranking is the matching engine's pair score (matching.engine.Weights, the same
terms and weights) with the viewer as the mentee and each helper as the mentor,
written as SQL so ranking thousands costs no Python loop over them: the topic
asked for against the skills offered (goal_skill), the viewer's own topics
against them (topic), a shared language, the time-zone offset (per distinct
zone, in Python) and the meeting format.
Department difference is left out (the department is a filter here, not a
wish) and so is diversity: nothing here reads people.Demographics, so nothing a
viewer sees depends on anyone's. Ties go to the sooner free slot, then to who
answers faster, then by name.

The helper's record (last helped, sessions, how fast they answer) is read as
stored on HelperOffer (dropin.record keeps it), never computed from history here."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TimeField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncTime
from django.utils import timezone

from matching.engine import Weights
from people.models import Department, Profile, Tag, User
from programmes.models import Participant, Programme
from sessions_log.models import OfficeHourSlot
from sessions_log.office_hours import site_key
from sessions_log.services import zone_of

from .links import helper_page_url
from .models import UNANSWERED_STREAK_HIDES, HelperOffer
from .record import record_lines
from .times import WAKING_FROM, WAKING_UNTIL, shared_working_hours

# The engine's weights, less what the directory must not or need not weigh.
WEIGHTS = Weights(diversity=0.0, cross_dept=0.0, cross_dept_reverse=0.0, spread=0.0)
# "Shares at least 2 working hours with me".
OVERLAP_HOURS = 2
PAGE_SIZE = 20
WITHIN_DAYS = (7, 14, 28)


class Format:
    VIDEO = "video"
    IN_PERSON = "in_person"


@dataclass(frozen=True)
class Viewer:
    """What the directory uses of the person searching: their zone, site,
    languages, wanted topics and meeting format (never their demographics)."""

    user_id: int
    zone_name: str
    site: str
    languages: tuple[str, ...]
    topic_ids: tuple[int, ...]
    meeting_format: str

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.zone_name)


def viewer_of(user: User) -> Viewer:
    """The searching person's side of the fit (two queries)."""
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return Viewer(user.pk, "UTC", "", (), (), "")
    topic_ids = tuple(profile.topics.order_by("pk").values_list("pk", flat=True))
    languages = tuple(x for x in profile.languages or () if isinstance(x, str))
    return Viewer(user.pk, profile.timezone or "UTC", site_key(profile.location), languages, topic_ids,
                  profile.meeting_format)  # fmt: skip


@dataclass(frozen=True)
class Search:
    """A directory search, as the form cleaned it (every field optional)."""

    text: str = ""
    topic: Tag | None = None
    department: Department | None = None
    language: str = ""
    overlap: bool = False
    format: str = ""
    within_days: int | None = None
    any_time: bool = False

    @property
    def narrows(self) -> bool:
        """Whether the search leaves anyone out (as opposed to listing everyone)."""
        return bool(self.text or self.department or self.language or self.overlap or self.format
                    or self.within_days)  # fmt: skip


def bookable_programme_ids(user: User) -> list[int]:
    """Running office-hours programmes the person can book in: approved mentee,
    or the programme approves automatically (one query)."""
    mine = Participant.objects.filter(programme=OuterRef("pk"), user=user, role=Participant.Role.MENTEE,
                                      status=Participant.Status.APPROVED)  # fmt: skip
    return list(
        Programme.objects.filter(kind=Programme.Kind.OFFICE_HOURS, status=Programme.Status.RUNNING)
        .filter(Q(approve_automatically=True) | Exists(mine))
        .values_list("pk", flat=True)
    )


def helpers_listed(user: User, programme_ids: list[int]) -> QuerySet[User]:
    """The listing rule: everyone the person may find, before any search."""
    helps = Participant.objects.filter(user=OuterRef("pk"), programme_id__in=programme_ids,
                                       role=Participant.Role.MENTOR, status=Participant.Status.APPROVED)  # fmt: skip
    return (
        User.objects.filter(
            is_active=True, helper_offer__listed=True, helper_offer__unanswered_streak__lt=UNANSWERED_STREAK_HIDES
        )
        .exclude(pk=user.pk)
        .filter(Exists(helps))
    )


_WAKING_MINUTES = (WAKING_UNTIL.hour * 60 + WAKING_UNTIL.minute) - (WAKING_FROM.hour * 60 + WAKING_FROM.minute)


def free_slots_for(viewer: Viewer, programme_ids: list[int], search: Search, now: datetime) -> QuerySet:
    """Free future slots the viewer may book: in their programmes, video or in
    person at the viewer's site, and in the viewer's waking hours
    (dropin.times.within_waking_hours, as SQL) unless they asked for any time."""
    slots = OfficeHourSlot.objects.filter(
        programme_id__in=programme_ids, mentor__status=Participant.Status.APPROVED, booked_by__isnull=True,
        starts_at__gt=now,
    )  # fmt: skip
    if search.format == Format.VIDEO:
        slots = slots.filter(site="")
    elif search.format == Format.IN_PERSON:
        slots = slots.filter(site=viewer.site) if viewer.site else slots.none()
    else:
        slots = slots.filter(site__in=["", viewer.site] if viewer.site else [""])
    if not search.any_time:
        # Same rule as within_waking_hours: starts at or after WAKING_FROM and ends
        # by WAKING_UNTIL on the same local day. A slot longer than the waking day
        # never fits, so the latest start (WAKING_UNTIL less its length) cannot
        # wrap past midnight.
        latest = ExpressionWrapper(Value(WAKING_UNTIL) - F("minutes") * Value(timedelta(minutes=1)),
                                   output_field=TimeField())  # fmt: skip
        slots = slots.annotate(local_start=TruncTime("starts_at", tzinfo=viewer.zone)).filter(
            minutes__lte=_WAKING_MINUTES, local_start__gte=WAKING_FROM, local_start__lte=latest
        )
    return slots


@dataclass(frozen=True)
class Zones:
    """Per zone helpers live in: the engine's time-zone term and the working
    hours it shares with the viewer's zone (computed in Python, used in SQL
    as `timezone IN (...)`)."""

    fit: dict[str, float]
    shared_hours: dict[str, float]

    def fit_expression(self):
        """The time-zone term as SQL, from the zones' fits."""
        whens = {}
        for name, value in self.fit.items():
            if value:
                whens.setdefault(value, []).append(name)
        return Case(*[When(profile__timezone__in=names, then=Value(value)) for value, names in sorted(whens.items())],
                    default=Value(0.0), output_field=FloatField())  # fmt: skip


def _offset_hours(zone: ZoneInfo, now: datetime) -> float:
    """Hours from UTC now, as the engine compares time zones (matching.engine._tz_hours)."""
    return now.astimezone(zone).utcoffset().total_seconds() / 3600


def zones_against(viewer: Viewer, names: set[str], now: datetime) -> Zones:
    """The engine's time-zone term (the same offset, or within timezone_near_hours)
    and the shared working hours (dropin.times) of each zone against the viewer's."""
    today = now.astimezone(viewer.zone).date()
    mine = _offset_hours(viewer.zone, now)
    fit, shared = {}, {}
    for name in sorted(n for n in names if n):
        shared[name] = shared_working_hours(viewer.zone_name, name, on=today)
        gap = abs(_offset_hours(zone_of(name), now) - mine)
        near = WEIGHTS.timezone / 2 if gap <= WEIGHTS.timezone_near_hours else 0.0
        fit[name] = WEIGHTS.timezone if gap < 1e-9 else near
    return Zones(fit, shared)


def _fit(viewer: Viewer, search: Search) -> dict:
    """The engine's terms but the time zone's, as SQL annotations, each already weighted."""
    w = WEIGHTS
    zero = Value(0.0, output_field=FloatField())
    skills = HelperOffer.skills.through.objects.filter(helperoffer_id=OuterRef("helper_offer__pk"))
    parts = {}
    if search.topic is not None:  # the mentee's goal: the topic asked about
        parts["fit_goal"] = Case(When(Exists(skills.filter(tag_id=search.topic.pk)), then=Value(w.goal_skill)),
                                 default=zero, output_field=FloatField())  # fmt: skip
    else:
        parts["fit_goal"] = zero
    if viewer.topic_ids:  # share of the viewer's topics the helper offers
        shared = skills.filter(tag_id__in=viewer.topic_ids).values("helperoffer_id")
        shared = shared.annotate(n=Count("pk")).values("n")
        parts["fit_topic"] = Coalesce(Subquery(shared, output_field=IntegerField()), 0) * Value(
            w.topic / len(viewer.topic_ids)
        )
    else:
        parts["fit_topic"] = zero
    if viewer.languages:
        parts["fit_language"] = Case(When(profile__languages__has_any_keys=list(viewer.languages),
                                          then=Value(w.language)), default=zero, output_field=FloatField())  # fmt: skip
    else:
        parts["fit_language"] = zero
    if viewer.meeting_format:  # the same format, or either of them flexible
        flexible = "either"
        if viewer.meeting_format == flexible:
            fits = Q(profile__meeting_format__in=["video", "in_person", flexible])
        else:
            fits = Q(profile__meeting_format__in=[viewer.meeting_format, flexible])
        parts["fit_format"] = Case(When(fits, then=Value(w.meeting_format)), default=zero, output_field=FloatField())
    else:
        parts["fit_format"] = zero
    return parts


@dataclass(frozen=True)
class Found:
    """A page of a search: the people on it (annotated with `fit`, each of its
    terms and `next_slot`) and the zones, for the cards."""

    page: Page
    zones: Zones


class _Counted(list):
    """Stands in for the people in the Paginator: it knows how many, no more."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    def count(self) -> int:
        return self.n


def helpers_search(user: User, viewer: Viewer, search: Search, *, page=1, now: datetime | None = None) -> Found:
    """One page (PAGE_SIZE; a bad number gives the nearest page) of the people
    the search finds, best fit first. Three queries, whatever the size:

    1. the programmes the viewer can book in;
    2. everyone found, grouped by zone and fit without the zone term: the
       distinct zones get their fit and shared hours in Python, which gives
       the count, the overlap filter and every person's fit;
    3. the page, among those at least as good a fit as its last person (by
       id, from 2): only they can be on it, so the next free slot, the costly
       tie-break, is looked up for them alone rather than for everyone found,
       and nobody else is read again."""
    now = now or timezone.now()
    programme_ids = bookable_programme_ids(user)
    people = helpers_listed(user, programme_ids)
    if search.department is not None:
        people = people.filter(profile__department=search.department)
    if search.language:
        people = people.filter(profile__languages__contains=[search.language])
    if search.topic is not None:
        people = people.filter(helper_offer__skills=search.topic)
    for word in search.text.split()[:8]:
        # the tags named so first (a small table, hashed once), then whether the offer has one
        tags = Tag.objects.filter(name__icontains=word).values("pk")
        named = HelperOffer.skills.through.objects.filter(helperoffer_id=OuterRef("helper_offer__pk"), tag_id__in=tags)
        people = people.filter(Q(helper_offer__about__icontains=word) | Q(full_name__icontains=word)
                               | Q(profile__job_title__icontains=word) | Exists(named))  # fmt: skip
    free = free_slots_for(viewer, programme_ids, search, now)
    # "Has a free slot" as a semi-join over the slots, evaluated once (not per person).
    if search.within_days:
        people = people.filter(pk__in=free.filter(starts_at__lte=now + timedelta(days=search.within_days))
                               .values("mentor__user_id"))  # fmt: skip
    elif search.format:
        people = people.filter(pk__in=free.values("mentor__user_id"))
    parts = _fit(viewer, search)
    people = people.annotate(**parts).annotate(fit_rest=sum(parts.values(), Value(0.0)))

    groups = list(people.order_by().values_list("profile__timezone", "fit_rest").annotate(ids=ArrayAgg("pk")))
    zones = zones_against(viewer, {zone for zone, _, _ in groups}, now)
    if search.overlap:
        near = {name for name, hours in zones.shared_hours.items() if hours >= OVERLAP_HOURS}
        groups = [g for g in groups if g[0] in near]
    by_fit = [(float(rest) + zones.fit.get(zone, 0.0), ids) for zone, rest, ids in groups]
    fits = sorted((fit for fit, ids in by_fit for _ in ids), reverse=True)
    found = Paginator(_Counted(len(fits)), PAGE_SIZE).get_page(page)
    if fits:
        # The page's last fit, less a hair: Python's sum and SQL's may differ in the last bit.
        cutoff = fits[found.end_index() - 1] - 1e-6
        candidates = [pk for fit, ids in by_fit if fit >= cutoff for pk in ids]
        slots = free.filter(mentor__user_id=OuterRef("pk")).order_by("starts_at").values("starts_at")
        ranked = (
            User.objects.filter(pk__in=candidates)
            .annotate(**parts).annotate(fit_rest=sum(parts.values(), Value(0.0)), fit_zone=zones.fit_expression())
            .annotate(fit=F("fit_rest") + F("fit_zone"), next_slot=Subquery(slots[:1]))
            .select_related("helper_offer", "profile__department")
            .order_by(F("fit").desc(), F("next_slot").asc(nulls_last=True),
                      F("helper_offer__median_answer_minutes").asc(nulls_last=True), "full_name", "pk")
        )  # fmt: skip
        found.object_list = list(ranked[found.start_index() - 1 : found.end_index()])
    return Found(found, zones)


# -- the cards ------------------------------------------------------------------


@dataclass
class HelperCard:
    user: User
    url: str
    about: str
    skills: list[str]
    languages: list[str]
    zone_name: str
    local_time: datetime
    next_slot: datetime | None
    record: list[str]
    why: str
    job_title: str = ""
    department: str = ""
    extra: dict = field(default_factory=dict)


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def why_of(person: User, skills: list[Tag], viewer: Viewer, search: Search, shares: float) -> str:
    """Why the card ranks where it does, in words, from the fit's own terms."""
    reasons = []
    if search.topic is not None and person.fit_goal:
        reasons.append(f"offers {search.topic.name}, which you asked about")
    wanted = [t.name for t in skills if t.pk in viewer.topic_ids and (search.topic is None or t.pk != search.topic.pk)]
    if wanted:
        reasons.append(f"offers {_join(wanted[:2])}, which you want help with")
    if person.fit_language:
        common = [x for x in viewer.languages if x in (person.profile.languages or [])]
        if common:
            reasons.append(f"speaks {_join(common[:2])}")
    if shares >= 1:
        hours = int(shares) if shares == int(shares) else round(shares, 1)
        reasons.append(f"shares {hours} working hour{'s' if shares != 1 else ''} with you")
    elif person.fit_zone:
        reasons.append("a time zone close to yours")
    if not reasons:
        return "Listed and available to book."
    text = "; ".join(reasons)
    return text[0].upper() + text[1:] + "."


def cards_for(people: list[User], viewer: Viewer, search: Search, zones: Zones, *,
              now: datetime | None = None) -> list[HelperCard]:  # fmt: skip
    """The cards of one page of results (one query: the offers' skills)."""
    now = now or timezone.now()
    through = HelperOffer.skills.through.objects.filter(helperoffer_id__in=[p.helper_offer.pk for p in people])
    skills: dict[int, list[Tag]] = {}
    for row in through.select_related("tag").order_by("tag__name"):
        skills.setdefault(row.helperoffer_id, []).append(row.tag)
    cards = []
    for person in people:
        offer, profile = person.helper_offer, getattr(person, "profile", None)
        zone_name = profile.timezone if profile else "UTC"
        mine = skills.get(offer.pk, [])
        cards.append(
            HelperCard(
                user=person, url=helper_page_url(person.pk), about=offer.about, skills=[t.name for t in mine],
                languages=list(profile.languages or []) if profile else [], zone_name=zone_of(zone_name).key,
                local_time=now.astimezone(zone_of(zone_name)), next_slot=person.next_slot,
                record=record_lines(offer, now),
                why=why_of(person, mine, viewer, search, zones.shared_hours.get(zone_name, 0.0)),
                job_title=profile.job_title if profile else "",
                department=profile.department.name if profile and profile.department else "",
            )
        )  # fmt: skip
    return cards

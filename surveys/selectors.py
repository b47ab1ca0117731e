"""Reading survey answers, each at a fixed number of queries whatever the size
of the programme: rows come back as plain values and are counted in Python,
because a wave's number depends on each pair's own start date.

Programme feedback is read in aggregate only: no names, comments grouped (the
same remark once, with how many wrote it) and ordered by that count and then
alphabetically (never by when they came in), and no figures or comments for a
group of fewer than MIN_GROUP answers."""

import re
import unicodedata
from collections import Counter, defaultdict
from statistics import fmean

from django.db.models import Count, QuerySet
from django.utils import timezone

from matching.models import Match
from matching.permissions import without_own_pairs
from people.models import User
from programmes.models import Participant, Programme

from . import schedule
from .models import ProgrammeFeedback, PulseResponse

# Fewer answers than this and a group's figures could point at the people in it.
MIN_GROUP = 5


def _wave_sort_key(label: schedule.WaveLabel) -> tuple[int, int]:
    return (1, 0) if label == schedule.CLOSE else (0, label)


def pulse_summary(programme: Programme, *, viewer: User | None = None) -> dict:
    """The programme's check-ins, one query.

    Returns {"responses": total, "waves": [per wave, in order: {"wave": 1 | 2 | ... |
    "close", "name", "responses", "average_rating", "meeting_as_planned_share",
    "obstacles": {key: count, in the order of PulseResponse.Obstacle}}],
    "latest_by_match": {match_id: {"rating", "due_on" (the wave), "answered_on"}}}
    where the latest is the answer to the newest wave (the later answer if both
    people answered it); averages and shares are None for a wave nobody answered.
    A `viewer` in one of the pairs reads the others only (matching.permissions)."""
    responses = PulseResponse.objects.filter(match__programme=programme)
    if viewer is not None:
        responses = responses.filter(match__in=without_own_pairs(viewer, Match.objects.filter(programme=programme)))
    rows = responses.values_list(
        "match_id", "match__created_at", "due_on", "rating", "meeting_as_planned", "obstacle", "created_at", "pk"
    )
    by_wave: dict[schedule.WaveLabel, list[tuple[int, bool, str]]] = defaultdict(list)
    latest: dict[int, tuple] = {}
    zone = timezone.get_current_timezone()  # once: timezone.localdate() looks it up at every call
    for match_id, match_created_at, due_on, rating, as_planned, obstacle, created_at, pk in rows:
        created_on = match_created_at.astimezone(zone).date()
        by_wave[schedule.wave_label(created_on, programme.ends_on, due_on)].append((rating, as_planned, obstacle))
        key = (due_on, created_at, pk)
        if match_id not in latest or key > latest[match_id][0]:
            latest[match_id] = (key, rating)
    waves = []
    for label in sorted(by_wave, key=_wave_sort_key):
        answers = by_wave[label]
        obstacles = dict.fromkeys(PulseResponse.Obstacle.values, 0)
        for _, _, obstacle in answers:
            obstacles[obstacle] += 1
        waves.append({
            "wave": label,
            "name": schedule.wave_name(label),
            "responses": len(answers),
            "average_rating": fmean(rating for rating, _, _ in answers),
            "meeting_as_planned_share": sum(as_planned for _, as_planned, _ in answers) / len(answers),
            "obstacles": obstacles,
        })  # fmt: skip
    return {
        "responses": sum(wave["responses"] for wave in waves),
        "waves": waves,
        "latest_by_match": {
            match_id: {"rating": rating, "due_on": key[0], "answered_on": timezone.localdate(key[1])}
            for match_id, (key, rating) in latest.items()
        },
    }


def pairs_of_programme(programme: Programme) -> QuerySet[Match]:
    """The programme's pairs, active first, with both people: one query."""
    return (
        Match.objects.filter(programme=programme)
        .select_related("mentee__user", "mentor__user")
        .order_by("status", "mentee__user__full_name", "pk")
    )


def pulse_history(match: Match, *, author=None) -> list[dict]:
    """A pair's check-ins by wave, newest first: [{"due_on", "name", "responses"}]
    (each response with its author); only the author's own with `author`. One query."""
    responses = PulseResponse.objects.filter(match=match).select_related("author").order_by("-due_on", "created_at")
    if author is not None:
        responses = responses.filter(author=author)
    created_on = timezone.localdate(match.created_at)
    waves: dict = {}
    for response in responses:
        wave = waves.setdefault(response.due_on, {
            "due_on": response.due_on,
            "name": schedule.wave_name(schedule.wave_label(created_on, match.programme.ends_on, response.due_on)),
            "responses": [],
        })  # fmt: skip
        response.role = "mentee" if response.author_id == match.mentee.user_id else "mentor"
        wave["responses"].append(response)
    return list(waves.values())


# -- programme feedback ---------------------------------------------------------

ROLE_GROUPS = (("mentor", "Mentors"), ("mentee", "Mentees"))


def _group(key: str, name: str, answers: list[tuple]) -> dict:
    group = {"key": key, "name": name, "responses": len(answers), "suppressed": len(answers) < MIN_GROUP,
             "overall": None, "matching": None, "support": None, "would_recommend": None}  # fmt: skip
    if answers and not group["suppressed"]:
        group["overall"] = fmean(row[0] for row in answers)
        group["matching"] = fmean(row[1] for row in answers)
        group["support"] = fmean(row[2] for row in answers)
        group["would_recommend"] = sum(row[3] for row in answers) / len(answers)
    return group


def _hide(group: dict) -> None:
    group.update(suppressed=True, overall=None, matching=None, support=None, would_recommend=None)


def programme_feedback_summary(programme: Programme) -> dict:
    """The programme's feedback in aggregate, two queries.

    Returns {"approved": {"mentor", "mentee", "all"}, "minimum": MIN_GROUP, "stages": [per
    stage: {"stage", "name", "opens_on", "closes_on", "responses", "response_rate"
    (answers from approved participants / approved participants, None without any),
    "groups": [mentors, mentees, everyone: {"key", "name", "responses", "suppressed",
    "overall", "matching", "support" (averages), "would_recommend" (a share)}],
    "comments_shown", "keep", "change" (comment_groups: {"text", "count"}, no names)}]}.

    A group with fewer than MIN_GROUP answers is suppressed (its figures are None).
    When one role is suppressed the other is too, or everyone's figures minus one
    role's would reveal the hidden one. Comments are listed only when the stage
    has MIN_GROUP answers or more."""
    approved = dict.fromkeys(("mentor", "mentee"), 0)
    for row in (
        Participant.objects.filter(programme=programme, status=Participant.Status.APPROVED)
        .values("role")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        approved[row["role"]] = row["count"]
    approved["all"] = approved["mentor"] + approved["mentee"]

    rows = ProgrammeFeedback.objects.filter(programme=programme).values_list(
        "stage", "participant__role", "participant__status", "overall", "matching", "support", "would_recommend",
        "keep", "change",
    )  # fmt: skip
    by_stage: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        by_stage[row[0]].append(row[1:])

    has_dates = bool(programme.starts_on and programme.ends_on)
    stages = []
    for stage, name in ProgrammeFeedback.Stage.choices:
        answers = by_stage.get(stage, [])
        groups = [_group(key, label, [row[2:6] for row in answers if row[0] == key]) for key, label in ROLE_GROUPS]
        if any(group["suppressed"] for group in groups):
            for group in groups:
                _hide(group)
        groups.append(_group("all", "Everyone", [row[2:6] for row in answers]))
        from_approved = sum(1 for row in answers if row[1] == Participant.Status.APPROVED)
        comments_shown = len(answers) >= MIN_GROUP
        window = (
            schedule.feedback_stage_window(programme.starts_on, programme.ends_on, stage) if has_dates else (None, None)
        )
        stages.append({
            "stage": stage, "name": name, "opens_on": window[0], "closes_on": window[1],
            "responses": len(answers),
            "response_rate": from_approved / approved["all"] if approved["all"] else None,
            "groups": groups, "comments_shown": comments_shown,
            "keep": _texts(answers, 6) if comments_shown else [],
            "change": _texts(answers, 7) if comments_shown else [],
        })  # fmt: skip
    return {"approved": approved, "minimum": MIN_GROUP, "stages": stages}


def _texts(answers: list[tuple], index: int) -> list[dict]:
    """The non-empty texts, grouped and ordered so their order says nothing about who wrote them or when."""
    return comment_groups(row[index] for row in answers)


def _words(text: str) -> list[str]:
    """The words of a comment without case, accents or punctuation."""
    plain = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    return re.findall(r"\w+", plain.casefold())


def comment_groups(texts) -> list[dict]:
    """Comments that say the same thing, counted once: [{"text", "count"}], the
    most frequent first, then alphabetically. Two comments are the same when they
    have the same words whatever their case, spacing, punctuation, accents or
    order ("The library.", "the library", "Library, the"); a group reads as its
    most common wording. Empty comments are left out."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for text in texts:
        shown = " ".join((text or "").split())
        if shown:
            words = _words(shown)
            groups[tuple(sorted(set(words))) if words else ("", shown)].append(shown)
    found = []
    for wordings in groups.values():
        # The commonest word order first, then its commonest spelling; ties alphabetically.
        orders = Counter(" ".join(_words(wording)) for wording in wordings)
        order = min(orders, key=lambda form: (-orders[form], form))
        spellings = Counter(wording for wording in wordings if " ".join(_words(wording)) == order)
        text = min(spellings, key=lambda wording: (-spellings[wording], wording.casefold(), wording))
        found.append({"text": text, "count": len(wordings)})
    return sorted(found, key=lambda group: (-group["count"], group["text"].casefold(), group["text"]))


def check_ins_due_for(user, matches: list[Match], today=None) -> set[int]:
    """Of the person's active `matches` (with their programme), those whose current
    check-in they have not answered (one query)."""
    from .services import pulse_current_wave

    today = today or timezone.localdate()
    waves = {match.pk: pulse_current_wave(match, today) for match in matches}
    waves = {pk: wave for pk, wave in waves.items() if wave}
    if not waves:
        return set()
    answered = set(PulseResponse.objects.filter(author=user, match_id__in=waves).values_list("match_id", "due_on"))
    return {pk for pk, wave in waves.items() if (pk, wave) not in answered}

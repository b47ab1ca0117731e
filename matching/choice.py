"""Participant choice: suggestions from the engine, a mentee's ranked requests,
the mentors' answers, expiry, and stable matching of both sides' rankings.

A mentee's requests go out one at a time, in their order: the first is pending
with its mentor, the others wait. A decline or an expiry passes the request on to
the next choice. Every change to a mentee's requests first locks the mentee's
Participant row (always before any mentor's row, so two paths never wait on each
other in opposite orders), and every transition claims its request with a
conditional UPDATE on the status, so a double click, a retried task or two
workers at once pass a request on exactly once.

Nothing here uses demographics, even in programmes that prefer pairs who differ:
suggestions, their order, the reasons a mentor reads and stable matching are seen
pair by pair, and each person knows their own answers, so any difference they made
would tell about the other person (cohorts.build leaves them out unless asked for
a coordinator's whole-cohort run)."""

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from common.services import handler, outbox_record
from people.models import Profile, User
from programmes.models import Participant, Programme

from . import cohorts, engine
from .models import (
    Match,
    MatchingSettings,
    MatchRequest,
    MatchRun,
    MentorRanking,
    Proposal,
    UnmatchedMentee,
)
from .services import MatchingError, match_create, pair_check

CHOICE_MODES = (Programme.MatchingMode.CHOICE, Programme.MatchingMode.BOTH)
# Participants choose while the programme enrols and while it runs (rolling enrolment).
CHOOSING_STATUSES = (Programme.Status.OPEN, Programme.Status.RUNNING)
LIVE = (MatchRequest.Status.PENDING, MatchRequest.Status.WAITING)
SUGGESTIONS = 8


@dataclass(frozen=True)
class Explanation:
    """A pair's score and reasons in words, or the hard rule it now breaks."""

    score: float | None
    reasons: list[str]
    problem: str = ""


@dataclass(frozen=True)
class Suggestion:
    mentor: Participant
    score: float
    reasons: list[str]


def options_of(programme: Programme) -> MatchingSettings:
    options, _ = MatchingSettings.objects.get_or_create(programme=programme)
    return options


def uses_choice(programme: Programme) -> bool:
    return programme.matching_mode in CHOICE_MODES


def choice_problem(mentee: Participant) -> str | None:
    """Why this enrolment may not choose mentors now, in words; None when it may."""
    programme = mentee.programme
    if not uses_choice(programme):
        return "In this programme the coordinators match people; there is nothing to choose."
    if mentee.role != Participant.Role.MENTEE:
        return "Only mentees choose mentors."
    if programme.status not in CHOOSING_STATUSES:
        return f"This programme is {programme.get_status_display().lower()}; mentors cannot be chosen now."
    if mentee.status != Participant.Status.APPROVED:
        return "You can choose mentors once the coordinators have approved your application."
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        return "You already have a mentor in this programme."
    return None


# -- the engine's view of chosen pairs ---------------------------------------------


def explain_pairs(
    programme: Programme, pairs: Sequence[tuple[Participant, Participant]]
) -> dict[tuple[int, int], Explanation]:
    """Score and explain each (mentee, mentor) pair with the engine, keyed by their
    participant ids. One cohort is built for all of them (a fixed number of
    queries); each pair is then checked as the only lock, which is how the engine
    scores and explains one given pair. Capacity is left out on purpose: a full
    mentor still sees why a mentee asked for them."""
    if not pairs:
        return {}
    mentees = list({mentee.pk: mentee for mentee, _ in pairs}.values())
    mentors = []
    for mentor in {mentor.pk: mentor for _, mentor in pairs}.values():
        roomy = copy.copy(mentor)
        roomy.active = 0
        mentors.append(roomy)
    built = cohorts.build(programme, mentees, mentors)
    explained = {}
    for mentee, mentor in pairs:
        result = cohorts.run_engine(built, locked=[(mentee.user_id, mentor.user_id)])
        if result.rejected_locks:
            explanation = Explanation(None, [], result.rejected_locks[0].reason)
        else:
            pair = next(p for p in result.pairs if p.locked)
            # Strengths only: the mentee and the mentor read these.
            explanation = Explanation(cohorts.pair_score(pair), pair.reasons)
        explained[(mentee.pk, mentor.pk)] = explanation
    return explained


def _feasible(built: cohorts.ProgrammeCohort) -> dict[tuple[int, int], float]:
    """Every pair of the cohort that no hard rule forbids, by user ids, with its score."""
    mentee_ids, mentor_ids = built.cohort.mentees.ids, built.cohort.mentors.ids
    scores = {}
    for chunk in engine.feasible_scores(
        built.cohort, built.weights, forbidden=built.forbidden, previous=built.previous,
        allow_previous=built.allow_previous,
    ):  # fmt: skip
        for i, j, score in zip(chunk.mentee.tolist(), chunk.mentor.tolist(), chunk.score.tolist(), strict=True):
            scores[(mentee_ids[i], mentor_ids[j])] = score
    return scores


# -- reads the pages need ------------------------------------------------------------


def suggestions_for(mentee: Participant, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The best mentors this mentee may still ask, best first (by fit, then by
    user id), each with the engine's reasons: approved, with room, not asked before,
    and allowed by every hard rule (seniority, reporting line, forbidden and
    previous pairs, unless the programme allows those)."""
    problem = choice_problem(mentee)
    if problem:
        raise MatchingError(problem)
    programme = mentee.programme
    asked = mentee.requests_sent.exclude(status=MatchRequest.Status.CANCELLED).values("mentor_id")
    mentors = list(cohorts.mentors_with_room(programme).exclude(pk__in=asked).select_related("user"))
    if not mentors:
        return []
    built = cohorts.build(programme, [mentee], mentors)
    ranked = sorted(_feasible(built).items(), key=lambda item: (-item[1], item[0][1]))[:limit]
    top = [built.participant_of_user[mentor_id] for (_, mentor_id), _ in ranked]
    explained = explain_pairs(programme, [(mentee, mentor) for mentor in top])
    suggestions = []
    for mentor in top:
        explanation = explained[(mentee.pk, mentor.pk)]
        if not explanation.problem:
            suggestions.append(Suggestion(mentor, explanation.score, explanation.reasons))
    return suggestions


def profiles_of(user_ids: Iterable[int]) -> dict[int, Profile]:
    """Profiles for the summaries on the choice pages, in three queries (profiles
    with department and seniority, then skills, then topics). Never demographics."""
    return {
        profile.user_id: profile
        for profile in Profile.objects.filter(user_id__in=list(user_ids))
        .select_related("department", "seniority")
        .prefetch_related("skills", "topics")
    }


def requests_of_mentee(mentee: Participant):
    return mentee.requests_sent.select_related("mentor__user").order_by("rank")


def requests_for_mentor(mentor: Participant):
    """Requests waiting for this mentor's answer. A mentee matched some other way
    (a coordinator's run) has nothing left to ask; the hourly job cancels those."""
    return (
        MatchRequest.objects.filter(
            mentor=mentor, status=MatchRequest.Status.PENDING, mentee__status=Participant.Status.APPROVED
        )
        .exclude(mentee__matches_as_mentee__status=Match.Status.ACTIVE)
        .select_related("mentee__user")
        .order_by("sent_at", "pk")
    )


def requesters_of(mentor: Participant) -> list[Participant]:
    """Unmatched mentees with a live request (pending or waiting) to this mentor:
    the people the mentor may rank for stable matching."""
    return list(
        Participant.objects.filter(requests_sent__mentor=mentor, requests_sent__status__in=LIVE)
        .exclude(matches_as_mentee__status=Match.Status.ACTIVE)
        .select_related("user")
        .order_by("user__full_name", "pk")
        .distinct()
    )


# -- a mentee's requests ------------------------------------------------------------------


def _locked_mentee(mentee: Participant) -> Participant:
    # Only the participant row is locked (`of`): the programme and the person stay free.
    return Participant.objects.select_for_update(of=("self",)).select_related("programme", "user").get(pk=mentee.pk)


@transaction.atomic
def requests_send(
    *, mentee: Participant, ranked_mentors: Sequence[Participant], message: str = ""
) -> list[MatchRequest]:
    """Ask these mentors, in this order. The first request goes to its mentor at
    once (a mail after commit) and must be answered within the programme's
    `request_days`; the others wait their turn."""
    mentee = _locked_mentee(mentee)
    problem = choice_problem(mentee)
    if problem:
        raise MatchingError(problem)
    programme = mentee.programme
    if mentee.requests_sent.filter(status__in=LIVE).exists():
        raise MatchingError("Your requests are still waiting for answers; withdraw them before choosing again.")
    options = options_of(programme)
    ids = [mentor.pk for mentor in ranked_mentors]
    if not ids:
        raise MatchingError("Choose at least one mentor.")
    if len(ids) > options.max_choices:
        raise MatchingError(f"You may choose at most {options.max_choices} mentors.")
    if len(set(ids)) != len(ids):
        raise MatchingError("Each mentor can be chosen once.")
    message = message.strip()
    if len(message) > 1000:
        raise MatchingError("Keep the message under 1,000 characters.")
    mentors = {
        mentor.pk: mentor
        for mentor in Participant.objects.filter(pk__in=ids, programme=programme, role=Participant.Role.MENTOR)
        .select_related("user")
    }  # fmt: skip
    if len(mentors) != len(ids):
        raise MatchingError("Choose mentors from this programme's suggestions.")
    asked = set(mentee.requests_sent.exclude(status=MatchRequest.Status.CANCELLED).values_list("mentor_id", flat=True))
    for pk in ids:
        mentor = mentors[pk]
        if pk in asked:
            raise MatchingError(f"You have asked {mentor.user} before; choose someone else.")
        if mentor.status != Participant.Status.APPROVED:
            raise MatchingError(f"{mentor.user} is not taking mentees in this programme.")
        pair_check(programme=programme, mentee=mentee, mentor=mentor)  # hard rules and room
    # A request the mentee withdrew earlier makes way for asking that mentor again.
    mentee.requests_sent.filter(status=MatchRequest.Status.CANCELLED, mentor_id__in=ids).delete()
    # Ranks keep counting across rounds (one per rank is a database rule); order is what matters.
    base = mentee.requests_sent.aggregate(top=Max("rank"))["top"] or 0
    now = timezone.now()
    rows = [
        MatchRequest(
            programme=programme, mentee=mentee, mentor=mentors[pk], rank=base + position, message=message,
            status=MatchRequest.Status.PENDING if position == 1 else MatchRequest.Status.WAITING,
            sent_at=now if position == 1 else None,
            expires_at=now + timedelta(days=options.request_days) if position == 1 else None,
        )
        for position, pk in enumerate(ids, start=1)
    ]  # fmt: skip
    for row in rows:  # the relations were checked above
        row.full_clean(exclude=["programme", "mentee", "mentor"], validate_unique=False, validate_constraints=False)
    MatchRequest.objects.bulk_create(rows)
    _notify_after_commit(rows[0].pk, "sent")
    return rows


@transaction.atomic
def requests_cancel(*, mentee: Participant) -> int:
    """The mentee withdraws every request still pending or waiting."""
    mentee = _locked_mentee(mentee)
    return mentee.requests_sent.filter(status__in=LIVE).update(status=MatchRequest.Status.CANCELLED)


def requests_close_for(*, user: User) -> None:
    """Someone leaves every programme (the roster sync, an erasure): the requests
    they sent as a mentee are withdrawn, and those waiting for their answer as a
    mentor pass on to each mentee's next choice, as a decline does. Call it after
    their enrolments are withdrawn, so the next choices skip them."""
    for mentee in Participant.objects.filter(user=user, role=Participant.Role.MENTEE):
        requests_cancel(mentee=mentee)
    for pending in MatchRequest.objects.filter(mentor__user=user, status=MatchRequest.Status.PENDING):
        request_decline(request=pending, by=user)
    MatchRequest.objects.filter(mentor__user=user, status=MatchRequest.Status.WAITING).update(
        status=MatchRequest.Status.CANCELLED
    )


# -- a mentor's answers ----------------------------------------------------------------


def _refusal(request: MatchRequest) -> str:
    return {
        MatchRequest.Status.ACCEPTED: "You have already accepted this request.",
        MatchRequest.Status.DECLINED: "You have already declined this request.",
        MatchRequest.Status.EXPIRED: "This request expired and passed to the mentee's next choice.",
        MatchRequest.Status.CANCELLED: "The mentee has withdrawn this request.",
    }.get(request.status, "This request is not waiting for your answer.")


@transaction.atomic
def request_accept(*, request: MatchRequest, by: User) -> Match:
    """The mentor says yes: the pair becomes a match at once (hard rules and the
    mentor's room re-checked under a lock on the mentor's row) and the mentee's
    other requests are withdrawn. Refused, nothing changes."""
    mentee = _locked_mentee(Participant(pk=request.mentee_id))
    request = MatchRequest.objects.select_for_update(of=("self",)).select_related("programme").get(pk=request.pk)
    if request.status != MatchRequest.Status.PENDING:
        raise MatchingError(_refusal(request))
    if request.programme.status not in CHOOSING_STATUSES:
        raise MatchingError(
            f"This programme is {request.programme.get_status_display().lower()}; it takes no new pairs."
        )
    if mentee.status != Participant.Status.APPROVED:
        raise MatchingError(f"{mentee.user} is no longer taking part in this programme.")
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise MatchingError(f"{mentee.user} has been matched with a mentor meanwhile.")
    mentor = Participant.objects.select_for_update(of=("self",)).select_related("user").get(pk=request.mentor_id)
    if mentor.status != Participant.Status.APPROVED:
        raise MatchingError("Your enrolment in this programme is not approved, so you cannot take mentees.")
    active = Match.objects.filter(mentor=mentor, status=Match.Status.ACTIVE).count()
    if active >= (mentor.capacity or 0):
        raise MatchingError(
            f"You already mentor {active} {'person' if active == 1 else 'people'}, as many as you offered in this "
            "programme. Decline this request, or ask the coordinators to raise your limit."
        )
    match = match_create(programme=request.programme, mentee=mentee, mentor=mentor, by=by)
    request.status, request.answered_at = MatchRequest.Status.ACCEPTED, timezone.now()
    request.save(update_fields=["status", "answered_at"])
    mentee.requests_sent.filter(status__in=LIVE).update(status=MatchRequest.Status.CANCELLED)
    return match


@transaction.atomic
def request_decline(*, request: MatchRequest, by: User) -> MatchRequest | None:
    """The mentor says no: the request passes to the mentee's next choice, which
    is returned (None when no choice is left and the mentee has been told)."""
    mentee = _locked_mentee(Participant(pk=request.mentee_id))
    now = timezone.now()
    claimed = MatchRequest.objects.filter(pk=request.pk, status=MatchRequest.Status.PENDING).update(
        status=MatchRequest.Status.DECLINED, answered_at=now
    )
    if not claimed:
        request.refresh_from_db(fields=["status"])
        raise MatchingError(_refusal(request))
    return _pass_on(mentee, after=request.pk, now=now)


def requests_expire(*, now: datetime | None = None) -> int:
    """Pending requests past their answer-by time expire and pass on, exactly as a
    decline does; returns how many passed on. Safe to run twice or on two
    workers at once: each request is claimed by a conditional UPDATE, so only
    one pass moves it."""
    now = now or timezone.now()
    due = list(
        MatchRequest.objects.filter(status=MatchRequest.Status.PENDING, expires_at__lte=now)
        .order_by("expires_at", "pk")
        .values_list("pk", "mentee_id")
    )
    passed = 0
    for pk, mentee_id in due:
        with transaction.atomic():
            mentee = _locked_mentee(Participant(pk=mentee_id))
            claimed = MatchRequest.objects.filter(
                pk=pk, status=MatchRequest.Status.PENDING, expires_at__lte=now
            ).update(status=MatchRequest.Status.EXPIRED, answered_at=now)
            if not claimed:
                continue  # answered, withdrawn or expired by another pass meanwhile
            _pass_on(mentee, after=pk, now=now)
        passed += 1
    # Mentees matched another way (a coordinator's run), or who left, have nothing left to ask.
    MatchRequest.objects.filter(status__in=LIVE, mentee__matches_as_mentee__status=Match.Status.ACTIVE).update(
        status=MatchRequest.Status.CANCELLED
    )
    MatchRequest.objects.filter(status__in=LIVE).exclude(mentee__status=Participant.Status.APPROVED).update(
        status=MatchRequest.Status.CANCELLED
    )
    return passed


def _pass_on(mentee: Participant, *, after: int, now: datetime) -> MatchRequest | None:
    """Send the mentee's next waiting request to its mentor. Mentors who have
    filled up or left since are skipped (their requests withdrawn), so nobody
    waits days for a mentor who cannot say yes. Call with the mentee's row locked."""
    matched = Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists()
    if matched or mentee.status != Participant.Status.APPROVED:
        mentee.requests_sent.filter(status__in=LIVE).update(status=MatchRequest.Status.CANCELLED)
        return None
    waiting = list(mentee.requests_sent.filter(status=MatchRequest.Status.WAITING).order_by("rank"))
    with_room = set(
        cohorts.mentors_with_room(mentee.programme)
        .filter(pk__in=[r.mentor_id for r in waiting])
        .values_list("pk", flat=True)
    )
    options = options_of(mentee.programme)
    for request in waiting:
        if request.mentor_id not in with_room:
            MatchRequest.objects.filter(pk=request.pk, status=MatchRequest.Status.WAITING).update(
                status=MatchRequest.Status.CANCELLED
            )
            continue
        expires_at = now + timedelta(days=options.request_days)
        if MatchRequest.objects.filter(pk=request.pk, status=MatchRequest.Status.WAITING).update(
            status=MatchRequest.Status.PENDING, sent_at=now, expires_at=expires_at
        ):
            request.status, request.sent_at, request.expires_at = MatchRequest.Status.PENDING, now, expires_at
            _notify_after_commit(request.pk, "sent")
            return request
    _notify_after_commit(after, "none_left")
    return None


# -- mail ----------------------------------------------------------------------------------

NOTIFICATIONS = {"sent", "none_left"}


def _notify_after_commit(request_id: int, event: str) -> None:
    """Record the request's mail in the outbox, in the caller's transaction."""
    outbox_record(request_notify, request_id=request_id, event=event)


@handler
def request_notify(*, request_id: int, event: str) -> bool:
    """Mail the mentor a new request ("sent"), or the mentee that none of their
    choices could take them ("none_left"), once (key: request, event, person). Run
    from the outbox after commit; a request answered before it runs needs no mail."""
    from people.mail import send_mail_once

    if event not in NOTIFICATIONS:
        raise ValueError(f"unknown request notification {event!r}")
    request = (
        MatchRequest.objects.filter(pk=request_id).select_related("programme", "mentee__user", "mentor__user").first()
    )
    if request is None:
        return False
    if event == "sent":
        if request.status != MatchRequest.Status.PENDING:
            return False
        person = request.mentor.user
        url = settings.SITE_URL + reverse("matching:requests", args=[request.programme_id])
        template = "matching/mail/request_sent"
        context = {"request": request, "programme": request.programme, "person": person,
                   "mentee": request.mentee.user, "url": url}  # fmt: skip
    else:
        if Match.objects.filter(mentee_id=request.mentee_id, status=Match.Status.ACTIVE).exists():
            return False
        person = request.mentee.user
        url = settings.SITE_URL + reverse("matching:choose", args=[request.programme_id])
        template = "matching/mail/request_none_left"
        context = {"programme": request.programme, "person": person, "url": url}
    return send_mail_once(
        key=f"match_request:{request_id}:{event}:{person.pk}", to=person.email, template=template, context=context
    )


# -- stable matching --------------------------------------------------------------------------


@transaction.atomic
def mentor_rankings_set(*, mentor: Participant, ranked_mentees: Sequence[Participant]) -> list[MentorRanking]:
    """Replace the mentor's ranking of the mentees who asked for them (best first)."""
    mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
    ids = [mentee.pk for mentee in ranked_mentees]
    if len(set(ids)) != len(ids):
        raise MatchingError("Give each mentee a different rank.")
    allowed = {mentee.pk for mentee in requesters_of(mentor)}
    if not set(ids) <= allowed:
        raise MatchingError("Rank only the mentees who have asked for you.")
    MentorRanking.objects.filter(mentor=mentor).delete()
    return MentorRanking.objects.bulk_create(
        MentorRanking(programme_id=mentor.programme_id, mentor=mentor, mentee_id=pk, rank=rank)
        for rank, pk in enumerate(ids, start=1)
    )


@transaction.atomic
def stable_resolve(*, programme: Programme, by: User | None) -> MatchRun:
    """Resolve every open request at once by stable matching (mentee-proposing
    deferred acceptance): mentees' preferences are their requests in rank order,
    mentors' are their MentorRanking (mentees they left out are not acceptable to
    them); a mentor who ranked nobody is taken to prefer the requesters who fit
    best (the engine's fit, never demographics). Only pairs every hard
    rule allows, and mentors' remaining room, are offered. The result is a run
    ready for the coordinator to review and publish, like any other run."""
    if not uses_choice(programme):
        raise MatchingError("Stable matching resolves participants' requests; this programme has none.")
    if programme.match_runs.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists():
        raise MatchingError("A matching run is under way; wait for it to finish, then resolve the requests.")
    mentees = list(
        cohorts.unmatched_mentees(programme)
        .filter(requests_sent__status__in=LIVE)
        .select_related("user")
        .order_by("pk")
        .distinct()
    )
    if not mentees:
        raise MatchingError("No mentee is waiting on a request; there is nothing to resolve.")
    requests = list(
        MatchRequest.objects.filter(programme=programme, mentee__in=mentees, status__in=LIVE).order_by(
            "mentee_id", "rank"
        )
    )
    mentors = list(
        cohorts.mentors_with_room(programme)
        .filter(pk__in={r.mentor_id for r in requests})
        .select_related("user")
        .order_by("pk")
    )
    built = cohorts.build(programme, mentees, mentors)
    feasible = _feasible(built)
    user_of = {p.pk: p.user_id for p in [*mentees, *mentors]}
    mentor_pks = {mentor.pk for mentor in mentors}

    mentee_prefs: dict[int, list[int]] = {mentee.user_id: [] for mentee in mentees}
    for request in requests:
        if request.mentor_id not in mentor_pks:
            continue  # the mentor is full or has left
        pair = (user_of[request.mentee_id], user_of[request.mentor_id])
        if pair in feasible:
            mentee_prefs[pair[0]].append(pair[1])
    askers: dict[int, list[int]] = {mentor.user_id: [] for mentor in mentors}
    for mentee_id, wanted in mentee_prefs.items():
        for mentor_id in wanted:
            askers[mentor_id].append(mentee_id)
    mentor_prefs: dict[int, list[int]] = {mentor.user_id: [] for mentor in mentors}
    ranked_by_mentor = set()
    for ranking in MentorRanking.objects.filter(mentor__in=mentors).order_by("mentor_id", "rank"):
        ranked_by_mentor.add(ranking.mentor_id)
        mentee_id, mentor_id = user_of.get(ranking.mentee_id), user_of[ranking.mentor_id]
        if mentee_id in askers[mentor_id]:
            mentor_prefs[mentor_id].append(mentee_id)
    by_fit = [mentor for mentor in mentors if mentor.pk not in ranked_by_mentor]
    for mentor in by_fit:
        ask = askers[mentor.user_id]
        mentor_prefs[mentor.user_id] = sorted(ask, key=lambda e, m=mentor.user_id: (-feasible[(e, m)], e))
    capacities = {mentor.user_id: max(0, (mentor.capacity or 0) - mentor.active) for mentor in mentors}

    paired = engine.stable_match(mentee_prefs, mentor_prefs, capacities)

    explained = cohorts.run_engine(built, locked=list(paired.items()))
    participant = built.participant_of_user
    proposals, matched = [], set()
    for pair in explained.pairs:
        if not pair.locked or paired.get(pair.mentee_id) != pair.mentor_id:
            continue
        mentee_rank = mentee_prefs[pair.mentee_id].index(pair.mentor_id) + 1
        if participant[pair.mentor_id].pk in ranked_by_mentor:
            theirs = f"the mentor's choice {mentor_prefs[pair.mentor_id].index(pair.mentee_id) + 1}"
        else:
            theirs = "the mentor ranked nobody, so best fit"
        why = f"mutual choice: the mentee's choice {mentee_rank}, {theirs}"
        proposals.append((pair, [why, *pair.reasons]))
        matched.add(pair.mentee_id)

    now = timezone.now()
    # An older run waiting for review is replaced by this one, as a re-run does.
    MatchRun.objects.filter(programme=programme, status=MatchRun.Status.READY).update(status=MatchRun.Status.DISCARDED)
    run = MatchRun.objects.create(
        programme=programme, trigger=MatchRun.Trigger.STABLE, status=MatchRun.Status.READY, started_by=by,
        started_at=now, finished_at=now,
        stats={
            "mentees": len(mentees), "mentors": len(mentors), "matched": len(proposals),
            "unmatched": len(mentees) - len(proposals),
            "total_score": round(sum(cohorts.pair_score(pair) for pair, _ in proposals), 2),
            "mentors_ranked_by_fit": len(by_fit),
        },
    )  # fmt: skip
    Proposal.objects.bulk_create(
        Proposal(run=run, mentee=participant[pair.mentee_id], mentor=participant[pair.mentor_id],
                 score=cohorts.pair_score(pair), reasons=reasons, concerns=pair.concerns, source=Proposal.Source.ENGINE)
        for pair, reasons in proposals
    )  # fmt: skip
    UnmatchedMentee.objects.bulk_create(
        UnmatchedMentee(run=run, mentee=mentee, reason=_stable_unmatched_reason(mentee_prefs[mentee.user_id],
                                                                                  mentee.user_id, mentor_prefs))
        for mentee in mentees
        if mentee.user_id not in matched
    )  # fmt: skip
    return run


def _stable_unmatched_reason(wanted: list[int], mentee_id: int, mentor_prefs: dict[int, list[int]]) -> str:
    if not wanted:
        return "none of the mentors they asked can take them now (full, left, or ruled out by a hard rule)"
    if not any(mentee_id in mentor_prefs.get(mentor_id, []) for mentor_id in wanted):
        return "none of the mentors they asked ranked them"
    return "the mentors they asked filled their places with mentees they ranked higher"

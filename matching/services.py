"""The verbs of matching: run the engine, review its proposals, publish, end.

Each runs in one transaction and raises MatchingError, with a sentence a
coordinator can act on, when the rules refuse."""

import logging

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from common.services import handler, outbox_record, outbox_record_many
from people.models import User
from programmes.models import Participant, Programme

from . import cohorts
from .models import Match, MatchRequest, MatchRun, PairRule, Proposal, UnmatchedMentee

logger = logging.getLogger(__name__)


class MatchingError(Exception):
    """A request the matching rules refuse; the message is shown to the person."""


# -- runs ----------------------------------------------------------------------


def match_run_start(*, programme: Programme, by: User | None, trigger: str = MatchRun.Trigger.COORDINATOR) -> MatchRun:
    """Queue a run of the engine (an outbox entry, recorded with the run). A programme
    has one run at a time: asking again while one is queued or running returns that one."""
    if programme.kind == Programme.Kind.OFFICE_HOURS:
        raise MatchingError("Office-hours programmes are booked by participants, not matched.")
    try:
        with transaction.atomic():
            run = MatchRun.objects.create(programme=programme, started_by=by, trigger=trigger)
            outbox_record(match_run_execute, run_id=run.pk)
    except IntegrityError:
        return MatchRun.objects.get(programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING])
    return run


@handler
def match_run_execute(*, run_id: int) -> MatchRun | None:
    """Run the engine for a queued run and store its proposals. Claims the run with
    a conditional UPDATE, so a retried or duplicated task does nothing twice."""
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, started_at=timezone.now(), progress="Reading participants"
    )
    if not claimed:
        return None
    run = MatchRun.objects.select_related("programme").get(pk=run_id)
    try:
        with transaction.atomic():
            _compute_proposals(run)
    except Exception as error:  # the run records any failure; the coordinator sees it
        logger.exception("Match run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, finished_at=timezone.now(), error=str(error)[:2000], progress=""
        )
        raise
    return MatchRun.objects.get(pk=run_id)


def _compute_proposals(run: MatchRun) -> None:
    programme = run.programme
    mentees = list(cohorts.unmatched_mentees(programme).select_related("user"))
    mentors = list(cohorts.mentors_with_room(programme).select_related("user"))
    MatchRun.objects.filter(pk=run.pk).update(progress=f"Matching {len(mentees)} mentees with {len(mentors)} mentors")
    built = cohorts.build(programme, mentees, mentors)
    result = cohorts.run_engine(built)
    locked = set(built.locked)
    participant = built.participant_of_user
    Proposal.objects.bulk_create(
        Proposal(
            run=run, mentee=participant[pair.mentee_id], mentor=participant[pair.mentor_id],
            score=round(pair.score, 3), reasons=pair.reasons,
            source=Proposal.Source.LOCKED if (pair.mentee_id, pair.mentor_id) in locked else Proposal.Source.ENGINE,
        )
        for pair in result.pairs
    )  # fmt: skip
    UnmatchedMentee.objects.bulk_create(
        UnmatchedMentee(run=run, mentee=participant[u.mentee_id], reason=u.reason[:300]) for u in result.unmatched
    )
    # An older run waiting for review is replaced by this one.
    MatchRun.objects.filter(programme=programme, status=MatchRun.Status.READY).exclude(pk=run.pk).update(
        status=MatchRun.Status.DISCARDED
    )
    stats = {
        "mentees": len(mentees), "mentors": len(mentors), "matched": len(result.pairs),
        "unmatched": len(result.unmatched), "total_score": round(sum(p.score for p in result.pairs), 2),
        "seconds": result.stats.get("seconds"),
        "rejected_locks": [f"{participant[r.mentee_id].user} with {participant[r.mentor_id].user}: {r.reason}"
                           for r in result.rejected_locks if r.mentee_id in participant and r.mentor_id in participant],
    }  # fmt: skip
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.READY, finished_at=timezone.now(), progress="", stats=stats
    )


def _editable(run: MatchRun) -> None:
    # Re-read the status under a row lock: the caller's copy may predate a publish
    # or a newer run, and an edit must wait for (then see) one happening now.
    run.status = MatchRun.objects.select_for_update().values_list("status", flat=True).get(pk=run.pk)
    if run.status != MatchRun.Status.READY:
        raise MatchingError(f"This run is {run.get_status_display().lower()}; only a run ready for review can change.")


# -- checking one pair against the hard rules ------------------------------------


def pair_check(*, programme: Programme, mentee: Participant, mentor: Participant, extra_load: int = 0) -> Proposal:
    """Score and explain one pair, or raise MatchingError naming the hard rule it
    breaks. The rules are the engine's own: the pair is checked as a lock."""
    if mentee.programme_id != programme.pk or mentor.programme_id != programme.pk:
        raise MatchingError("Both people must take part in this programme.")
    if mentee.role != Participant.Role.MENTEE or mentor.role != Participant.Role.MENTOR:
        raise MatchingError("Pair a mentee with a mentor.")
    for person in (mentee, mentor):
        if person.status != Participant.Status.APPROVED:
            raise MatchingError(f"{person.user} is {person.get_status_display().lower()}, not approved.")
    if Match.objects.filter(mentee=mentee, status=Match.Status.ACTIVE).exists():
        raise MatchingError(f"{mentee.user} already has a mentor in this programme.")
    active = Match.objects.filter(mentor=mentor, status=Match.Status.ACTIVE).count()
    mentor.active = active + extra_load
    built = cohorts.build(programme, [mentee], [mentor])
    result = cohorts.run_engine(built, locked=[(mentee.user_id, mentor.user_id)])
    if result.rejected_locks:
        reason = result.rejected_locks[0].reason
        raise MatchingError(f"{mentee.user} and {mentor.user} cannot be paired: {reason}.")
    [pair] = result.pairs
    return Proposal(mentee=mentee, mentor=mentor, score=round(pair.score, 3), reasons=pair.reasons)


# -- the console -------------------------------------------------------------------


@transaction.atomic
def pair_lock(*, programme: Programme, mentee: Participant, mentor: Participant, by: User) -> PairRule:
    """Keep this pair in every re-run (replacing any other lock of the mentee)."""
    pair_check(programme=programme, mentee=mentee, mentor=mentor)
    PairRule.objects.filter(programme=programme, mentee=mentee, kind=PairRule.Kind.LOCK).delete()
    rule, _ = PairRule.objects.update_or_create(
        programme=programme, mentee=mentee, mentor=mentor, defaults={"kind": PairRule.Kind.LOCK, "created_by": by}
    )
    return rule


@transaction.atomic
def pair_forbid(*, run: MatchRun, mentee: Participant, mentor: Participant, by: User) -> PairRule:
    """Never pair these two; the mentee's proposal in this run goes, to be re-run."""
    _editable(run)
    rule, _ = PairRule.objects.update_or_create(
        programme=run.programme, mentee=mentee, mentor=mentor,
        defaults={"kind": PairRule.Kind.FORBID, "created_by": by},
    )  # fmt: skip
    if run.proposals.filter(mentee=mentee, mentor=mentor).delete()[0]:
        reason = "the proposed pair was forbidden; re-run to find another mentor"
        UnmatchedMentee.objects.update_or_create(run=run, mentee=mentee, defaults={"reason": reason})
    return rule


@transaction.atomic
def pair_rule_remove(*, programme: Programme, rule_id: int) -> None:
    PairRule.objects.filter(programme=programme, pk=rule_id).delete()


def _drop_other_locks(programme: Programme, mentee: Participant, keep_mentor: Participant | None) -> None:
    # A lock the coordinator has just overridden by hand must not bring the old pair back on re-run.
    locks = PairRule.objects.filter(programme=programme, mentee=mentee, kind=PairRule.Kind.LOCK)
    if keep_mentor is not None:
        locks = locks.exclude(mentor=keep_mentor)
    locks.delete()


@transaction.atomic
def proposals_swap(*, run: MatchRun, first: Proposal, second: Proposal, by: User) -> tuple[Proposal, Proposal]:
    """Swap the mentors of two proposals; both new pairs must keep the hard rules."""
    _editable(run)
    if first.pk == second.pk:
        raise MatchingError("Choose two different pairs to swap.")
    programme = run.programme
    one = pair_check(programme=programme, mentee=first.mentee, mentor=second.mentor)
    two = pair_check(programme=programme, mentee=second.mentee, mentor=first.mentor)
    for proposal, checked in ((first, one), (second, two)):
        proposal.mentor = checked.mentor
        proposal.score, proposal.reasons, proposal.source = checked.score, checked.reasons, Proposal.Source.MANUAL
        proposal.save(update_fields=["mentor", "score", "reasons", "source"])
        _drop_other_locks(programme, proposal.mentee, proposal.mentor)
    return first, second


@transaction.atomic
def proposal_assign(*, run: MatchRun, mentee: Participant, mentor: Participant, by: User) -> Proposal:
    """Pair a mentee by hand in this run (replacing their proposal, if any)."""
    _editable(run)
    others = run.proposals.filter(mentor=mentor).exclude(mentee=mentee).count()
    checked = pair_check(programme=run.programme, mentee=mentee, mentor=mentor, extra_load=others)
    run.unmatched.filter(mentee=mentee).delete()
    _drop_other_locks(run.programme, mentee, mentor)
    proposal, _ = Proposal.objects.update_or_create(
        run=run, mentee=mentee,
        defaults={"mentor": mentor, "score": checked.score, "reasons": checked.reasons,
                  "source": Proposal.Source.MANUAL},
    )  # fmt: skip
    return proposal


@transaction.atomic
def proposal_remove(*, run: MatchRun, proposal: Proposal, by: User) -> None:
    _editable(run)
    proposal.delete()
    _drop_other_locks(run.programme, proposal.mentee, None)
    UnmatchedMentee.objects.update_or_create(
        run=run, mentee=proposal.mentee, defaults={"reason": "removed by a coordinator"}
    )


NOTIFY_BATCH = 100  # new matches per outbox entry (200 mails)


@transaction.atomic
def match_run_publish(*, run: MatchRun, by: User | None, notify: bool = True) -> list[Match]:
    """Turn every proposal of the run into a match, all or nothing, and tell both
    people (an outbox entry; the demo loader alone passes notify=False)."""
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("programme").get(pk=run.pk)
    _editable(run)
    proposals = list(run.proposals.select_related("mentee__user", "mentor__user"))
    if not proposals:
        raise MatchingError("This run has no pairs to publish.")
    # Lock the mentors' rows: two publishes at once must not overfill a mentor.
    mentor_ids = {p.mentor_id for p in proposals}
    # (PostgreSQL refuses FOR UPDATE with GROUP BY: lock first, then count.)
    mentors = {m.pk: m for m in Participant.objects.select_for_update().filter(pk__in=mentor_ids).order_by("pk")}
    active = dict(
        Match.objects.filter(mentor_id__in=mentor_ids, status=Match.Status.ACTIVE)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    )
    for mentor in mentors.values():
        mentor.active = active.get(mentor.pk, 0)
    load: dict[int, int] = {}
    for proposal in proposals:
        load[proposal.mentor_id] = load.get(proposal.mentor_id, 0) + 1
    for mentor_id, count in load.items():
        mentor = mentors[mentor_id]
        if mentor.status != Participant.Status.APPROVED or mentor.active + count > (mentor.capacity or 0):
            raise MatchingError(f"{mentor.user} has no room for {count} more mentee(s); adjust the run and try again.")
    try:
        with transaction.atomic():
            matches = Match.objects.bulk_create(
                Match(programme=run.programme, mentee=p.mentee, mentor=p.mentor, score=p.score, reasons=p.reasons,
                      run=run)
                for p in proposals
            )  # fmt: skip
    except IntegrityError:
        raise MatchingError(
            "Some of these mentees were matched meanwhile; re-run matching to propose for the others."
        ) from None
    run.status, run.published_at = MatchRun.Status.PUBLISHED, timezone.now()
    run.save(update_fields=["status", "published_at"])
    matched = [p.mentee_id for p in proposals]
    # Locks have done their work once the pair exists; requests still open are moot.
    PairRule.objects.filter(programme=run.programme, kind=PairRule.Kind.LOCK, mentee_id__in=matched).delete()
    MatchRequest.objects.filter(
        mentee_id__in=matched, status__in=[MatchRequest.Status.WAITING, MatchRequest.Status.PENDING]
    ).update(status=MatchRequest.Status.CANCELLED)
    audit_record(
        action=AuditEvent.Action.MATCHES_PUBLISHED, actor=by, target=run,
        summary=f"{len(matches)} matches published in {run.programme}", detail={"programme_id": run.programme_id},
    )  # fmt: skip
    if notify:  # batches: a large cohort's mails are several entries, each run well within RUN_TIMEOUT
        ids = [m.pk for m in matches]
        batches = [ids[start : start + NOTIFY_BATCH] for start in range(0, len(ids), NOTIFY_BATCH)]
        outbox_record_many(matches_notify, [{"match_ids": batch} for batch in batches])
    return matches


# -- matches ---------------------------------------------------------------------


@transaction.atomic
def match_create(*, programme: Programme, mentee: Participant, mentor: Participant, by: User | None) -> Match:
    """One pair, published at once (a mentor accepting a request, for example)."""
    mentor = Participant.objects.select_for_update().get(pk=mentor.pk)
    checked = pair_check(programme=programme, mentee=mentee, mentor=mentor)
    try:
        with transaction.atomic():
            match = Match.objects.create(
                programme=programme, mentee=mentee, mentor=mentor, score=checked.score, reasons=checked.reasons
            )
    except IntegrityError:
        raise MatchingError(f"{mentee.user} already has a mentor in this programme.") from None
    outbox_record(matches_notify, match_ids=[match.pk])
    return match


@transaction.atomic
def match_end(*, match: Match, by: User | None, reason: str, note: str = "", rematch: bool = False) -> Match:
    """End a match honestly; this pair is never proposed again. The mentee waits for
    a new mentor when `rematch` is asked for, and also when the mentor ends it for
    any reason but goals met (the mentee did not choose to stop). `by` is None when
    the system ends it (the roster sync, when someone left the organisation)."""
    match = Match.objects.select_for_update().select_related("mentor").get(pk=match.pk)
    mentor_ends = by is not None and by.pk == match.mentor.user_id
    if mentor_ends and reason not in (Match.EndReason.GOALS_MET, Match.EndReason.LEFT):
        rematch = True
    if match.status == Match.Status.ENDED:
        raise MatchingError("This match has already ended.")
    if reason not in Match.EndReason.values:
        raise MatchingError("Choose a reason for ending the match.")
    match.status, match.ended_at, match.ended_by = Match.Status.ENDED, timezone.now(), by
    match.end_reason, match.end_note, match.rematch_requested = reason, note.strip(), rematch
    match.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "end_note", "rematch_requested"])
    return match


@handler
def matches_notify(*, match_ids: list[int]) -> int:
    """Mail both people of each new match, each mail once (key: match and person).
    Run from the outbox after commit; returns how many this call sent."""
    from people.mail import send_mail_once

    sent = 0
    for match in Match.objects.filter(pk__in=match_ids).select_related("programme", "mentee__user", "mentor__user"):
        for person, other, role in (
            (match.mentee.user, match.mentor.user, "mentor"),
            (match.mentor.user, match.mentee.user, "mentee"),
        ):
            sent += send_mail_once(
                key=f"match:{match.pk}:{person.pk}", to=person.email, template="matching/mail/new_match",
                context={"person": person, "other": other, "other_role": role, "match": match},
            )  # fmt: skip
    return sent

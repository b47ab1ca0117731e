"""The verbs of matching: run the engine, review its proposals, publish, end.

Each runs in one transaction and raises MatchingError, with a sentence a
coordinator can act on, when the rules refuse."""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from common.services import handler, outbox_record, outbox_record_many
from people.models import User
from programmes.models import Participant, Programme
from webhooks.services import emit

from . import cohorts, engine
from .mails import NEW_MATCH_MAIL, new_match_context
from .models import Match, MatchingSettings, MatchRequest, MatchRun, PairRule, Proposal, UnmatchedMentee

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
            _queue_execution(run.pk)
    except IntegrityError:
        return MatchRun.objects.get(programme=programme, status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING])
    return run


def _queue_execution(run_id: int) -> None:
    """Record the run's execution as an outbox entry in the caller's transaction:
    the one place a run is queued, for its start and for the sweeper's retries."""
    outbox_record(match_run_execute, run_id=run_id)


@handler
def match_run_execute(*, run_id: int) -> MatchRun | None:
    """Run the engine for a queued run and store its proposals.

    The run is claimed for one attempt (a row lock, then status and attempt number
    committed), so a retried or duplicated task does nothing twice. While the engine
    computes, a thread renews the attempt's lease; a worker that dies stops renewing
    and the sweeper retries the run. The result is stored only if this attempt still
    holds the run, so a late finisher never overwrites a newer attempt."""
    attempt = _run_claim(run_id)
    if attempt is None:
        return None
    run = MatchRun.objects.select_related("programme").get(pk=run_id)
    try:
        with _lease_renewed(run_id, attempt):
            computed = _compute_proposals(run, attempt)
        _store_proposals(run, attempt, computed)
    except Exception as error:  # the run records any failure; the coordinator sees it
        logger.exception("Match run %s failed (attempt %s)", run_id, attempt)
        _attempt_runs(run_id, attempt).update(
            status=MatchRun.Status.FAILED, finished_at=timezone.now(), error=str(error)[:2000], progress="",
            lease_expires_at=None,
        )  # fmt: skip
        raise
    return MatchRun.objects.get(pk=run_id)


def _attempt_runs(run_id: int, attempt: int):
    """The run, while this attempt still holds it (not retried, failed or finished meanwhile)."""
    return MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.RUNNING, attempt=attempt)


def _run_claim(run_id: int) -> int | None:
    """Claim a queued run for the next attempt; its number, or None when the run is
    not queued (another worker has it, or it is finished)."""
    with transaction.atomic():
        run = MatchRun.objects.select_for_update().filter(pk=run_id, status=MatchRun.Status.QUEUED).first()
        if run is None:
            return None
        now = timezone.now()
        run.status, run.attempt, run.started_at = MatchRun.Status.RUNNING, run.attempt + 1, now
        run.lease_expires_at, run.progress = now + MatchRun.LEASE, "Reading participants"
        run.save(update_fields=["status", "attempt", "started_at", "lease_expires_at", "progress"])
    return run.attempt


@contextmanager
def _lease_renewed(run_id: int, attempt: int) -> Iterator[None]:
    """Renew the attempt's lease every LEASE / 4 from a thread, while the body runs.
    The thread has its own database connection, so the renewals commit at once."""
    stop = threading.Event()

    def renew() -> None:
        try:
            while not stop.wait(MatchRun.LEASE.total_seconds() / 4):
                try:
                    _attempt_runs(run_id, attempt).update(lease_expires_at=timezone.now() + MatchRun.LEASE)
                except DatabaseError:  # the next renewal tries again; the lease covers three misses
                    logger.warning("Could not renew the lease of match run %s", run_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=renew, name=f"match-run-{run_id}-lease", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


@dataclass
class _Computed:
    mentees: list[Participant]
    mentors: list[Participant]
    built: cohorts.ProgrammeCohort
    result: engine.MatchResult


def _compute_proposals(run: MatchRun, attempt: int) -> _Computed:
    # Outside a transaction: each progress line commits at once, so the console shows it.
    programme = run.programme
    mentees = list(cohorts.unmatched_mentees(programme).select_related("user"))
    mentors = list(cohorts.mentors_with_room(programme).select_related("user"))
    _attempt_runs(run.pk, attempt).update(progress=f"Matching {len(mentees)} mentees with {len(mentors)} mentors")
    built = cohorts.build(programme, mentees, mentors, whole_cohort=True)
    return _Computed(mentees=mentees, mentors=mentors, built=built, result=cohorts.run_engine(built))


@transaction.atomic
def _store_proposals(run: MatchRun, attempt: int, computed: _Computed) -> bool:
    """Write the proposals and mark the run ready, if this attempt still holds the
    run (checked under the run's row lock, in the transaction that writes them)."""
    if not _attempt_runs(run.pk, attempt).select_for_update().exists():
        logger.warning("Match run %s: attempt %s finished after it was given up; result dropped", run.pk, attempt)
        return False
    result, built = computed.result, computed.built
    locked = set(built.locked)
    participant = built.participant_of_user
    Proposal.objects.bulk_create(
        Proposal(
            run=run, mentee=participant[pair.mentee_id], mentor=participant[pair.mentor_id],
            score=cohorts.pair_score(pair), reasons=pair.reasons, concerns=pair.concerns,
            source=Proposal.Source.LOCKED if (pair.mentee_id, pair.mentor_id) in locked else Proposal.Source.ENGINE,
        )
        for pair in result.pairs
    )  # fmt: skip
    UnmatchedMentee.objects.bulk_create(
        UnmatchedMentee(run=run, mentee=participant[u.mentee_id], reason=u.reason[:300]) for u in result.unmatched
    )
    # An older run waiting for review is replaced by this one.
    MatchRun.objects.filter(programme=run.programme_id, status=MatchRun.Status.READY).exclude(pk=run.pk).update(
        status=MatchRun.Status.DISCARDED
    )
    stats = {
        "mentees": len(computed.mentees), "mentors": len(computed.mentors), "matched": len(result.pairs),
        "unmatched": len(result.unmatched), "total_score": round(sum(cohorts.pair_score(p) for p in result.pairs), 2),
        "seconds": result.stats.get("seconds"), **cohorts.attribute_figures(built, result.pairs),
        "rejected_locks": [f"{participant[r.mentee_id].user} with {participant[r.mentor_id].user}: {r.reason}"
                           for r in result.rejected_locks if r.mentee_id in participant and r.mentor_id in participant],
    }  # fmt: skip
    MatchRun.objects.filter(pk=run.pk).update(
        status=MatchRun.Status.READY, finished_at=timezone.now(), progress="", stats=stats, lease_expires_at=None
    )
    return True


def match_runs_recover(*, now: datetime | None = None) -> dict[str, list[int]]:
    """The sweeper (every minute): a running run whose lease ran out (its worker
    stopped) or that ran past MAX_DURATION is queued again for its next attempt,
    or failed after MAX_ATTEMPTS; a queued run no worker took within QUEUE_RESEND
    is queued again, and failed once it has waited QUEUE_GIVE_UP. Returns the run
    ids by what was done to them."""
    now = now or timezone.now()
    done: dict[str, list[int]] = {"retried": [], "resent": [], "failed": []}
    stopped = _stopped_runs(now)
    for run_id in stopped.values_list("pk", flat=True):
        with transaction.atomic():
            # Re-checked under the row lock: the worker may have finished meanwhile.
            run = stopped.select_for_update().filter(pk=run_id).first()
            if run is not None:
                done[_run_retry(run, now)].append(run.pk)
    unclaimed = _unclaimed_runs(now)
    for run_id in unclaimed.values_list("pk", flat=True):
        with transaction.atomic():
            run = unclaimed.select_for_update().filter(pk=run_id).first()
            if run is not None:
                done[_run_resend(run, now)].append(run.pk)
    if any(done.values()):
        logger.warning("Match runs recovered: %s", done)
    return done


def _stopped_runs(now: datetime):
    return MatchRun.objects.filter(status=MatchRun.Status.RUNNING).filter(
        Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now) | Q(started_at__lt=now - MatchRun.MAX_DURATION)
    )


def _unclaimed_runs(now: datetime):
    return MatchRun.objects.filter(status=MatchRun.Status.QUEUED).filter(
        Q(sent_at__lt=now - MatchRun.QUEUE_RESEND) | Q(queued_at__lt=now - MatchRun.QUEUE_GIVE_UP)
    )


def _run_retry(run: MatchRun, now: datetime) -> str:
    """A run whose attempt stopped: queue the next attempt, or fail it after the last."""
    overran = run.started_at is not None and run.started_at < now - MatchRun.MAX_DURATION
    minutes = int(MatchRun.MAX_DURATION.total_seconds() // 60)
    what = f"ran past {minutes} minutes" if overran else "stopped"
    if run.is_last_attempt:
        times = {1: "once", 2: "twice"}.get(run.attempt, f"{run.attempt} times")
        error = (
            f"the matching worker {what} during attempt {run.attempt} of {MatchRun.MAX_ATTEMPTS}"
            if overran
            else f"the matching worker stopped {times} while computing this run"
        )
        _run_give_up(run, now, error)
        return "failed"
    run.status, run.lease_expires_at, run.queued_at, run.sent_at = MatchRun.Status.QUEUED, None, now, now
    run.progress = (
        f"The matching worker {what} during attempt {run.attempt}; "
        f"attempt {run.attempt + 1} of {MatchRun.MAX_ATTEMPTS} is waiting for a worker"
    )
    run.save(update_fields=["status", "lease_expires_at", "queued_at", "sent_at", "progress"])
    _queue_execution(run.pk)
    return "retried"


def _run_resend(run: MatchRun, now: datetime) -> str:
    """A queued run no worker took: its message may be lost, so queue it again; fail
    it once it has waited QUEUE_GIVE_UP."""
    if run.queued_at < now - MatchRun.QUEUE_GIVE_UP:
        minutes = int(MatchRun.QUEUE_GIVE_UP.total_seconds() // 60)
        _run_give_up(run, now, f"no matching worker started this run within {minutes} minutes")
        return "failed"
    run.sent_at = now
    run.save(update_fields=["sent_at"])
    _queue_execution(run.pk)
    return "resent"


def _run_give_up(run: MatchRun, now: datetime, error: str) -> None:
    run.status, run.finished_at, run.lease_expires_at, run.progress = MatchRun.Status.FAILED, now, None, ""
    run.error = error
    run.save(update_fields=["status", "finished_at", "lease_expires_at", "progress", "error"])


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
    return Proposal(
        mentee=mentee, mentor=mentor, score=cohorts.pair_score(pair), reasons=pair.reasons, concerns=pair.concerns
    )


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
        proposal.score, proposal.reasons, proposal.concerns = checked.score, checked.reasons, checked.concerns
        proposal.source = Proposal.Source.MANUAL
        proposal.save(update_fields=["mentor", "score", "reasons", "concerns", "source"])
        _drop_other_locks(programme, proposal.mentee, proposal.mentor)
    return first, second


@transaction.atomic
def proposal_assign(*, run: MatchRun, mentee: Participant, mentor: Participant, by: User) -> Proposal:
    """Pair a mentee by hand in this run: one without a pair, or one proposed with
    another mentor, who moves (their old proposal is replaced in this transaction).
    The hard rules and the new mentor's room are checked as for any pair, counting
    the mentor's other proposals in the run; a mentee whose pair is locked stays
    until the coordinator removes the lock."""
    _editable(run)
    current = run.proposals.select_related("mentor__user").filter(mentee=mentee).first()
    if current is not None and current.mentor_id == mentor.pk:
        raise MatchingError(f"{mentee.user} is already proposed with {mentor.user}.")
    locks = PairRule.objects.filter(programme=run.programme, mentee=mentee, kind=PairRule.Kind.LOCK)
    if current is not None and locks.filter(mentor_id=current.mentor_id).exists():
        raise MatchingError(
            f"{mentee.user} is locked with {current.mentor.user}. "
            "Remove the lock (under Locks and forbids) to move them."
        )
    others = run.proposals.filter(mentor=mentor).exclude(mentee=mentee).count()
    checked = pair_check(programme=run.programme, mentee=mentee, mentor=mentor, extra_load=others)
    run.unmatched.filter(mentee=mentee).delete()
    _drop_other_locks(run.programme, mentee, mentor)
    proposal, _ = Proposal.objects.update_or_create(
        run=run, mentee=mentee,
        defaults={"mentor": mentor, "score": checked.score, "reasons": checked.reasons,
                  "concerns": checked.concerns, "source": Proposal.Source.MANUAL},
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


def publish_refusal(programme: Programme) -> str | None:
    """Why a programme's proposals may not be published now, in words; None when
    they may. A draft's participants cannot see the programme yet, and a mail about
    a pair there would lead them nowhere: it is opened first. A closed programme
    takes no new pairs."""
    if programme.status == Programme.Status.DRAFT:
        return (
            "This programme is still a draft: its participants cannot see it yet. "
            "Open it first, then publish, so the mails lead people to their pair."
        )
    if programme.status == Programme.Status.CLOSED:
        return "This programme is closed; it takes no new pairs."
    return None


@transaction.atomic
def match_run_publish(*, run: MatchRun, by: User | None, notify: bool = True) -> list[Match]:
    """Turn every proposal of the run into a match, all or nothing, and tell both
    people (an outbox entry; the demo loader alone passes notify=False)."""
    run = MatchRun.objects.select_for_update(of=("self",)).select_related("programme").get(pk=run.pk)
    _editable(run)
    refusal = publish_refusal(run.programme)
    if refusal:
        raise MatchingError(refusal)
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
                      concerns=p.concerns, run=run)
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
    emit("match.published", programme_id=run.programme_id, run_id=run.pk, match_ids=[m.pk for m in matches])
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
                programme=programme, mentee=mentee, mentor=mentor, score=checked.score, reasons=checked.reasons,
                concerns=checked.concerns,
            )  # fmt: skip
    except IntegrityError:
        raise MatchingError(f"{mentee.user} already has a mentor in this programme.") from None
    outbox_record(matches_notify, match_ids=[match.pk])
    emit("match.published", programme_id=programme.pk, run_id=None, match_ids=[match.pk])
    return match


@transaction.atomic
def match_end(*, match: Match, by: User | None, reason: str, note: str = "", rematch: bool = False) -> Match:
    """End a match honestly; this pair is not proposed again unless the programme
    allows earlier pairs (allow_rematch_with_previous). The mentee waits for
    a new mentor when `rematch` is asked for, and also when the mentor ends it for
    any reason but goals met or leaving the organisation (the mentee did not choose to stop). `by` is None when
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
    emit("match.ended", match_id=match.pk, programme_id=match.programme_id, reason=reason, ended_at=match.ended_at)
    return match


@handler
def matches_notify(*, match_ids: list[int]) -> int:
    """Mail both people of each new match, each mail once (key: match and person).
    Run from the outbox after commit; returns how many this call sent."""
    from people.mail import send_mail_once

    sent = 0
    for match in Match.objects.filter(pk__in=match_ids).select_related("programme", "mentee__user", "mentor__user"):
        for person in (match.mentee.user, match.mentor.user):
            sent += send_mail_once(
                key=f"match:{match.pk}:{person.pk}", to=person.email, template=NEW_MATCH_MAIL,
                context=new_match_context(match=match, person=person),
            )  # fmt: skip
    return sent


# -- the next cohort -----------------------------------------------------------


def matching_settings_copy(*, source: Programme, target: Programme) -> MatchingSettings | None:
    """The next cohort keeps the coordinators' matching settings and weights ("Run
    it again", docs/cohorts.md). The pair rules (locks and forbids) stay behind:
    each names two enrolments of the old cohort, and the new one has none yet;
    the pairs, runs and requests are the old cohort's own."""
    settings_row = MatchingSettings.objects.filter(programme=source).first()
    if settings_row is None:
        return None
    copy = MatchingSettings(
        programme=target, **{field: getattr(settings_row, field) for field in MATCHING_SETTINGS_COPIED}
    )
    copy.full_clean()
    copy.save()
    return copy


MATCHING_SETTINGS_COPIED = (
    "weights", "candidates_per_mentee", "periodic", "publish_directly", "max_choices", "request_days",
    "allow_rematch_with_previous",
)  # fmt: skip


# -- the attributes a programme's matching weighs ------------------------------------


@dataclass(frozen=True)
class AttributeChoice:
    """One attribute's setting on the attributes page: its aim ("differ" or "alike";
    None: not used) and its weight (1-10)."""

    attribute_id: int
    aim: str | None
    weight: int = 5


@transaction.atomic
def programme_attributes_set(*, programme: Programme, choices: list[AttributeChoice], use: bool) -> int:
    """Save which active attributes the programme's coordinator runs weigh, with aim
    and weight, as its ProgrammeAttribute rows, and whether it uses them at all
    (`demographics_use`). Using attributes with none chosen is refused: it would
    read as "this programme looks for difference" while nothing is weighed.
    Returns how many attributes are chosen."""
    from people.models import Attribute
    from programmes.models import ProgrammeAttribute

    active = set(Attribute.objects.filter(is_active=True).values_list("pk", flat=True))
    chosen = {c.attribute_id: c for c in choices if c.aim}
    if set(chosen) - active or {c.attribute_id for c in choices} - active:
        raise MatchingError("That attribute is not on the organisation's list any more; reload the page.")
    for choice in chosen.values():
        if choice.aim not in ProgrammeAttribute.Aim.values:
            raise MatchingError("Choose whether pairs should differ or be alike.")
        if not 1 <= choice.weight <= 10:
            raise MatchingError("A weight is a whole number from 1 to 10.")
    if use and not chosen:
        raise MatchingError(
            "Choose at least one attribute for pairs to differ or be alike on, or stop using attributes in matching."
        )
    # Rows of retired attributes stay (the engine skips them): reactivating one brings its choice back.
    ProgrammeAttribute.objects.filter(programme=programme, attribute_id__in=active - set(chosen)).delete()
    for attribute_id, choice in chosen.items():
        ProgrammeAttribute.objects.update_or_create(
            programme=programme, attribute_id=attribute_id, defaults={"aim": choice.aim, "weight": choice.weight}
        )
    wanted = Programme.DemographicsUse.PREFER_DIFFERENCE if use else Programme.DemographicsUse.IGNORE
    if programme.demographics_use != wanted:
        programme.demographics_use = wanted
        programme.save(update_fields=["demographics_use"])
    return len(chosen)

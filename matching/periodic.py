"""Periodic matching for rolling enrolment: a daily pass runs the engine for each
programme that asks for it, when people were approved (or pairs ended) since its
last pass, and publishes the result at once or leaves it for review.

Safe to run twice: a pass holds a lock on the programme's MatchingSettings row
while it decides, skips a programme with a run queued, running or waiting for
review, and skips one where nothing changed since its last periodic run."""

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from programmes.models import Programme

from . import cohorts, services
from .models import Match, MatchingSettings, MatchRun
from .services import MatchingError

logger = logging.getLogger(__name__)

ACTIVE_STATUSES = (Programme.Status.OPEN, Programme.Status.RUNNING)


def match_new_participants(*, now: datetime | None = None) -> list[MatchRun]:
    """One pass over every programme with periodic matching; returns the runs it
    made (published when the programme publishes directly, otherwise ready for
    review). A programme whose run fails is logged and left for the next pass;
    the others go on."""
    now = now or timezone.now()
    runs = []
    due = (
        MatchingSettings.objects.filter(periodic=True, programme__status__in=ACTIVE_STATUSES)
        .exclude(programme__kind=Programme.Kind.OFFICE_HOURS)
        # In participant-choice programmes people pair themselves; the job must not pre-empt them.
        .exclude(programme__matching_mode=Programme.MatchingMode.CHOICE)
        .select_related("programme")
        .order_by("pk")
    )
    for options in due:
        programme = options.programme
        run = _start_if_due(programme, now)
        if run is None:
            continue
        try:
            # match_run_start also queued the task after commit; whichever comes first claims the run.
            services.match_run_execute(run_id=run.pk)
        except Exception:  # recorded on the run as failed; the next pass tries again
            logger.exception("Periodic matching of programme %s failed", programme.pk)
            continue
        run.refresh_from_db()
        if options.publish_directly and run.status == MatchRun.Status.READY and run.proposals.exists():
            try:
                services.match_run_publish(run=run, by=None)
            except MatchingError as error:  # e.g. a mentor filled up meanwhile: a coordinator reviews it
                logger.warning("Periodic run %s of programme %s was not published: %s", run.pk, programme.pk, error)
            run.refresh_from_db()
        runs.append(run)
    return runs


def _start_if_due(programme: Programme, now: datetime) -> MatchRun | None:
    with transaction.atomic():
        # One pass decides at a time per programme: a second one waits here, then sees the first's run.
        MatchingSettings.objects.select_for_update().get(programme=programme)
        runs = programme.match_runs.all()
        if runs.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING]).exists():
            return None
        # A run waiting for review (from this job or a coordinator) is not replaced behind anyone's back;
        # one with nothing to review does not hold the programme up.
        if runs.filter(status=MatchRun.Status.READY, proposals__isnull=False).exists():
            return None
        mentees = cohorts.unmatched_mentees(programme)
        mentors = cohorts.mentors_with_room(programme)
        if not mentees.exists() or not mentors.exists():
            return None
        last = (
            runs.filter(trigger=MatchRun.Trigger.PERIODIC)
            .exclude(status=MatchRun.Status.FAILED)
            .order_by("-created_at", "-pk")
            .first()
        )
        if last is not None and not _changed_since(programme, last.created_at, now):
            return None  # the people left over were all tried last time, with the same mentors
        run = services.match_run_start(programme=programme, by=None, trigger=MatchRun.Trigger.PERIODIC)
    if run.trigger != MatchRun.Trigger.PERIODIC:
        return None  # a coordinator's run started meanwhile; it will cover these people
    return run


def _changed_since(programme: Programme, since: datetime, now: datetime) -> bool:
    """Were people approved, or did pairs end (freeing mentors, or mentees asking
    for a new mentor), between the last periodic run and now?"""
    window = {"decided_at__gt": since, "decided_at__lte": now}
    return (
        cohorts.unmatched_mentees(programme).filter(**window).exists()
        or cohorts.mentors_with_room(programme).filter(**window).exists()
        or Match.objects.filter(programme=programme, status=Match.Status.ENDED, ended_at__gt=since).exists()
    )

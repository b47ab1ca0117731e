"""Answering surveys: a pulse check-in on one's pair, and feedback on the programme.

Each service checks who answers and whether the survey is due, validates the
answer, and saves it once: a refusal raises SurveyError with a sentence the
person can act on, and saves nothing. Who may *read* answers is decided in
surveys.permissions and the selectors, not here."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from matching.models import Match
from outcomes.commitments import CommitmentError, closing_answers_record
from people.models import User
from programmes.models import Participant, Programme

from . import schedule
from .models import ProgrammeFeedback, PulseResponse

COMMENT_LIMIT = 2000
STAGE_NAMES = {"midpoint": "midpoint feedback", "close": "end-of-programme feedback"}


class SurveyError(Exception):
    """A refused answer, with a sentence the person can read."""


def long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def match_created_on(match: Match) -> date:
    """The day the pair was made, in the site's time zone: waves count from it."""
    return timezone.localdate(match.created_at)


def _is_rating(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 5


def _full_clean(instance, sentences: dict[str, str], texts: tuple[str, ...] = ()) -> None:
    """full_clean(), its errors turned into the sentence of the first field at fault.
    A TextField's max_length is not validated by full_clean: `texts` are checked here."""
    for field in texts:
        if len(getattr(instance, field)) > COMMENT_LIMIT:
            raise SurveyError(sentences[field])
    try:
        instance.full_clean(validate_unique=False)  # uniqueness is checked, and raced, by the caller
    except ValidationError as error:
        for field in error.message_dict:
            if field in sentences:
                raise SurveyError(sentences[field]) from None
        raise SurveyError(" ".join(error.messages)) from None


# -- pulse check-ins ------------------------------------------------------------


def pulse_current_wave(match: Match, today: date) -> date | None:
    """The wave asked of the pair today (the newest one due), or None: none due
    yet, the pair has ended, or the programme ended over a month ago."""
    if match.status != Match.Status.ACTIVE:
        return None
    return schedule.current_wave(match_created_on(match), match.programme.ends_on, today)


def pulse_due_on(match: Match, today: date, author: User | None = None) -> date | None:
    """The wave this person still has to answer: the newest wave due, unless they
    answered it (older waves are not asked any more). Without `author`, the
    newest wave due, answered or not."""
    wave = pulse_current_wave(match, today)
    if wave is None or author is None:
        return wave
    if PulseResponse.objects.filter(match=match, author=author, due_on=wave).exists():
        return None
    return wave


def pulse_next_on(match: Match, today: date) -> date | None:
    """The date of the next wave after today, or None (pair ended, or no more waves)."""
    if match.status != Match.Status.ACTIVE:
        return None
    return schedule.next_wave(match_created_on(match), match.programme.ends_on, today)


RELATIONSHIP_ITEMS = PulseResponse.RELATIONSHIP_ITEMS
PULSE_SENTENCES = {
    "rating": "Choose a rating from 1 to 5.",
    **{
        item: f"Rate “{PulseResponse._meta.get_field(item).verbose_name}” from 1 to 5."
        for item in PulseResponse.RELATIONSHIP_ITEMS
    },
    "meeting_as_planned": "Say whether you are meeting as often as you planned.",
    "obstacle": "Choose what, if anything, gets in the way.",
    "comment": f"Keep the comment to {COMMENT_LIMIT} characters at most.",
}


def _already_answered(due_on: date) -> SurveyError:
    return SurveyError(f"You have already answered the check-in of {long_date(due_on)}; it cannot be changed.")


@transaction.atomic
def pulse_respond(
    *,
    match: Match,
    author: User,
    due_on: date,
    rating: int,
    meeting_as_planned: bool,
    open_with: int,
    understood: int,
    progress: int,
    worth_time: int,
    obstacle: str = PulseResponse.Obstacle.NONE,
    comment: str = "",
) -> PulseResponse:
    """The author's answer to the wave of `due_on` on their own pair. Only the
    newest wave due is answered; each person answers each wave once. The four
    relationship items (1-5) are required of every new answer."""
    if author.pk not in (match.mentee.user_id, match.mentor.user_id):
        raise SurveyError("Only the mentee and the mentor of this pair answer its check-ins.")
    today = timezone.localdate()
    current = pulse_current_wave(match, today)
    if current != due_on:
        if match.status != Match.Status.ACTIVE:
            raise SurveyError("This pair has ended, so there are no more check-ins.")
        if current is None or due_on > current:
            upcoming = pulse_next_on(match, today)
            later = f" The next one is due on {long_date(upcoming)}." if upcoming else ""
            raise SurveyError(f"That check-in is not due yet.{later}")
        raise SurveyError(f"That check-in is no longer asked: answer the one of {long_date(current)} instead.")
    if PulseResponse.objects.filter(match=match, author=author, due_on=due_on).exists():
        raise _already_answered(due_on)
    if not _is_rating(rating):
        raise SurveyError(PULSE_SENTENCES["rating"])
    if not isinstance(meeting_as_planned, bool):
        raise SurveyError(PULSE_SENTENCES["meeting_as_planned"])
    relationship = {"open_with": open_with, "understood": understood, "progress": progress, "worth_time": worth_time}
    for item, value in relationship.items():
        if not _is_rating(value):
            raise SurveyError(PULSE_SENTENCES[item])
    response = PulseResponse(
        match=match, author=author, due_on=due_on, rating=rating, meeting_as_planned=meeting_as_planned,
        obstacle=obstacle, comment=(comment or "").strip(), **relationship,
    )  # fmt: skip
    _full_clean(response, PULSE_SENTENCES, texts=("comment",))
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:  # a second tab or a double click: the unique constraint caught it
        raise _already_answered(due_on) from None
    return response


# -- programme feedback ---------------------------------------------------------


def programme_feedback_stage(programme: Programme, today: date) -> str | None:
    """The feedback stage open today in the programme, if any."""
    return schedule.feedback_stage_open(programme.starts_on, programme.ends_on, today)


FEEDBACK_SENTENCES = {
    "overall": "Choose a rating from 1 to 5 for how useful the programme is.",
    "matching": "Choose a rating from 1 to 5 for how well you were matched.",
    "support": "Choose a rating from 1 to 5 for how supported you feel.",
    "would_recommend": "Say whether you would recommend the programme.",
    "recommend_score": "Say how likely you are to recommend the programme, from 0 (not at all) to 10 (extremely).",
    "keep": f"Keep “what should we keep” to {COMMENT_LIMIT} characters at most.",
    "change": f"Keep “what should we change” to {COMMENT_LIMIT} characters at most.",
}


def _already_given(stage: str) -> SurveyError:
    return SurveyError(f"You have already given your {STAGE_NAMES[stage]}; it cannot be changed.")


def programme_feedback_refusal(programme: Programme, stage: str, today: date) -> str | None:
    """Why the stage's feedback cannot be given today, or None when it is open."""
    if programme.starts_on is None or programme.ends_on is None:
        return "This programme has no start and end dates yet, so it does not ask for feedback."
    first, last = schedule.feedback_stage_window(programme.starts_on, programme.ends_on, stage)
    if first > last:
        return "This programme is too short for a midpoint feedback: it asks for feedback once, at its close."
    if today < first:
        return f"The {STAGE_NAMES[stage]} opens on {long_date(first)}."
    if today > last:
        return f"The {STAGE_NAMES[stage]} closed on {long_date(last)}."
    return None


@transaction.atomic
def programme_feedback_respond(
    *,
    participant: Participant,
    stage: str,
    overall: int,
    matching: int,
    support: int,
    would_recommend: bool,
    keep: str = "",
    change: str = "",
    recommend_score: int | None = None,
    commitments: list[str] | None = None,
    share_commitments: bool = False,
    answers: dict[int, int] | None = None,
) -> ProgrammeFeedback:
    """An approved participant's feedback on their programme, once per stage, while the stage is open.

    The close also asks how likely they are to recommend it (0-10, required),
    the programme's own questions (`answers`: objective id -> 1-5, each
    required) and up to three things they will do differently (`commitments`),
    saved with the feedback or not at all (outcomes.commitments). The midpoint
    asks none of these."""
    if participant.status != Participant.Status.APPROVED:
        raise SurveyError("Only the programme's approved mentors and mentees give feedback on it.")
    if stage not in ProgrammeFeedback.Stage.values:
        raise SurveyError("Choose the midpoint or the end-of-programme feedback.")
    programme = participant.programme
    refusal = programme_feedback_refusal(programme, stage, timezone.localdate())
    if refusal:
        raise SurveyError(refusal)
    if ProgrammeFeedback.objects.filter(participant=participant, stage=stage).exists():
        raise _already_given(stage)
    for field, value in (("overall", overall), ("matching", matching), ("support", support)):
        if not _is_rating(value):
            raise SurveyError(FEEDBACK_SENTENCES[field])
    if not isinstance(would_recommend, bool):
        raise SurveyError(FEEDBACK_SENTENCES["would_recommend"])
    closing = stage == ProgrammeFeedback.Stage.CLOSE
    if closing and not (
        isinstance(recommend_score, int) and not isinstance(recommend_score, bool) and 0 <= recommend_score <= 10
    ):
        raise SurveyError(FEEDBACK_SENTENCES["recommend_score"])
    if not closing and (recommend_score is not None or commitments or share_commitments or answers):
        raise SurveyError("The midpoint feedback does not ask that: reload the page and answer again.")
    feedback = ProgrammeFeedback(
        programme=programme, participant=participant, stage=stage, overall=overall, matching=matching,
        support=support, would_recommend=would_recommend, keep=(keep or "").strip(), change=(change or "").strip(),
        recommend_score=recommend_score if closing else None,
    )  # fmt: skip
    _full_clean(feedback, FEEDBACK_SENTENCES, texts=("keep", "change"))
    try:
        with transaction.atomic():
            feedback.save()
            if closing:
                closing_answers_record(
                    participant=participant, commitments=commitments or [], share=share_commitments,
                    answers=answers or {},
                )  # fmt: skip
    except IntegrityError:
        raise _already_given(stage) from None
    except CommitmentError as error:
        raise SurveyError(str(error)) from None
    return feedback

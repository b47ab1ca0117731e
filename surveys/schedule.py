"""When surveys are due: pure date arithmetic, no database.

Pulse check-ins on a pair: the first wave 30 days after the match was made,
then every 60 days (day 90, 150, ...), and a last wave at the programme's
close, 7 days before it ends. Regular waves that would fall on or after the
close wave are not asked: the close wave replaces them. A pair made less than
30 days before the close wave gets no close wave (a month together comes first).
A wave is asked until the next one is due; nothing is asked once the programme
ended more than 30 days ago.

Programme feedback: a midpoint stage half-way between starts_on and ends_on,
and a close stage 7 days before ends_on. The midpoint is open from its date
until the close stage opens; the close stage until 30 days after the end."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Literal

FIRST_WAVE_AFTER = timedelta(days=30)
WAVE_EVERY = timedelta(days=60)
CLOSE_BEFORE_END = timedelta(days=7)
# Late answers are still welcome for a month after the programme ends.
GRACE_AFTER_END = timedelta(days=30)

CLOSE = "close"
WaveLabel = int | Literal["close"]
Stage = Literal["midpoint", "close"]
MIDPOINT = "midpoint"


def close_wave_on(programme_ends_on: date | None) -> date | None:
    return programme_ends_on - CLOSE_BEFORE_END if programme_ends_on else None


def wave_schedule(match_created_on: date, programme_ends_on: date | None) -> Iterator[tuple[date, WaveLabel]]:
    """Every wave of a pair, in order, as (date, 1 | 2 | ... | "close"). Endless
    for a programme without an end date: take what you need."""
    close_on = close_wave_on(programme_ends_on)
    first = match_created_on + FIRST_WAVE_AFTER
    day, number = first, 1
    while close_on is None or day < close_on:
        yield day, number
        day, number = day + WAVE_EVERY, number + 1
    if close_on is not None and close_on >= first:
        yield close_on, CLOSE


def pulse_waves(match_created_on: date, programme_ends_on: date | None, today: date) -> list[date]:
    """The dates of the waves due up to today (inclusive), oldest first."""
    waves = []
    for day, _ in wave_schedule(match_created_on, programme_ends_on):
        if day > today:
            break
        waves.append(day)
    return waves


def current_wave(match_created_on: date, programme_ends_on: date | None, today: date) -> date | None:
    """The newest wave due up to today: the only one still asked (older ones lapse)."""
    if programme_ends_on is not None and today > programme_ends_on + GRACE_AFTER_END:
        return None
    waves = pulse_waves(match_created_on, programme_ends_on, today)
    return waves[-1] if waves else None


def next_wave(match_created_on: date, programme_ends_on: date | None, today: date) -> date | None:
    """The first wave after today, or None when there are no more."""
    for day, _ in wave_schedule(match_created_on, programme_ends_on):
        if day > today:
            return day
    return None


def wave_label(match_created_on: date, programme_ends_on: date | None, due_on: date) -> WaveLabel:
    """Which wave a date is: 1, 2, ... or "close". A date off the 30 + 60n grid can
    only have been a close wave (the programme's end date moved since)."""
    if due_on == close_wave_on(programme_ends_on):
        return CLOSE
    offset = (due_on - match_created_on - FIRST_WAVE_AFTER).days
    if offset >= 0 and offset % WAVE_EVERY.days == 0:
        return offset // WAVE_EVERY.days + 1
    return CLOSE


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def wave_name(label: WaveLabel) -> str:
    """How a wave is called on pages: "1st check-in", "Close"."""
    return "At the programme's close" if label == CLOSE else f"{ordinal(label)} check-in"


# -- programme feedback ------------------------------------------------------


def feedback_stage_dates(starts_on: date, ends_on: date) -> dict[str, date]:
    """When each stage opens."""
    midpoint = starts_on + timedelta(days=(ends_on - starts_on).days // 2)
    return {MIDPOINT: midpoint, CLOSE: ends_on - CLOSE_BEFORE_END}


def feedback_stage_window(starts_on: date, ends_on: date, stage: str) -> tuple[date, date]:
    """The first and last day a stage is open. A programme shorter than two weeks
    has an empty midpoint window (its last day before its first)."""
    dates = feedback_stage_dates(starts_on, ends_on)
    if stage == MIDPOINT:
        return dates[MIDPOINT], dates[CLOSE] - timedelta(days=1)
    return dates[CLOSE], ends_on + GRACE_AFTER_END


def feedback_stage_open(starts_on: date | None, ends_on: date | None, today: date) -> Stage | None:
    """The stage open today, if any (a programme without both dates has none)."""
    if starts_on is None or ends_on is None:
        return None
    for stage in (CLOSE, MIDPOINT):
        first, last = feedback_stage_window(starts_on, ends_on, stage)
        if first <= today <= last:
            return stage
    return None

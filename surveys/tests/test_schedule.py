"""When check-ins and programme feedback are due: the pure date rules, at each boundary."""

from datetime import date, timedelta

import pytest

from surveys.schedule import (
    current_wave,
    feedback_stage_dates,
    feedback_stage_open,
    feedback_stage_window,
    next_wave,
    pulse_waves,
    wave_label,
    wave_name,
)

MADE = date(2026, 1, 5)


def d(n: int) -> date:
    return MADE + timedelta(days=n)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (d(0), []),
        (d(29), []),
        (d(30), [d(30)]),
        (d(31), [d(30)]),
        (d(89), [d(30)]),
        (d(90), [d(30), d(90)]),
        (d(149), [d(30), d(90)]),
        (d(150), [d(30), d(90), d(150)]),
        (d(400), [d(30), d(90), d(150), d(210), d(270), d(330), d(390)]),
    ],
)
def test_waves_come_30_days_after_the_match_then_every_60_days(today, expected):
    assert pulse_waves(MADE, None, today) == expected


def test_the_close_wave_is_a_week_before_the_programme_ends_and_replaces_later_waves():
    ends_on = d(127)  # close wave on day 120; the regular day-150 wave is never asked
    assert pulse_waves(MADE, ends_on, d(119)) == [d(30), d(90)]
    assert pulse_waves(MADE, ends_on, d(120)) == [d(30), d(90), d(120)]
    assert pulse_waves(MADE, ends_on, d(500)) == [d(30), d(90), d(120)]
    assert next_wave(MADE, ends_on, d(90)) == d(120)
    assert next_wave(MADE, ends_on, d(120)) is None


def test_a_regular_wave_on_the_close_date_is_asked_once_as_the_close_wave():
    ends_on = d(97)  # close on day 90, the date of the second regular wave
    assert pulse_waves(MADE, ends_on, d(200)) == [d(30), d(90)]
    assert wave_label(MADE, ends_on, d(90)) == "close"


def test_a_pair_made_less_than_a_month_before_the_close_gets_no_check_in():
    ends_on = d(36)  # close on day 29, before the first wave
    assert pulse_waves(MADE, ends_on, d(60)) == []
    assert next_wave(MADE, ends_on, d(0)) is None
    assert pulse_waves(MADE, d(37), d(60)) == [d(30)]  # close exactly on day 30: one wave, the close one
    assert wave_label(MADE, d(37), d(30)) == "close"


def test_only_the_newest_wave_is_asked_and_nothing_a_month_after_the_end():
    ends_on = d(127)
    assert current_wave(MADE, ends_on, d(100)) == d(90)
    assert current_wave(MADE, ends_on, d(127 + 30)) == d(120)
    assert current_wave(MADE, ends_on, d(127 + 31)) is None
    assert current_wave(MADE, None, d(29)) is None


def test_waves_are_numbered_and_named():
    assert [wave_label(MADE, None, d(n)) for n in (30, 90, 150, 630)] == [1, 2, 3, 11]
    assert wave_label(MADE, d(127), d(120)) == "close"
    assert wave_label(MADE, d(200), d(120)) == "close"  # off the grid: a close wave before the end date moved
    assert [wave_name(label) for label in (1, 2, 3, 11, 21, "close")] == [
        "1st check-in", "2nd check-in", "3rd check-in", "11th check-in", "21st check-in", "At the programme's close",
    ]  # fmt: skip


def test_feedback_stages_open_at_midpoint_and_a_week_before_the_end():
    starts, ends = date(2026, 1, 1), date(2026, 7, 1)  # 181 days: midpoint after 90
    assert feedback_stage_dates(starts, ends) == {"midpoint": date(2026, 4, 1), "close": date(2026, 6, 24)}
    assert feedback_stage_window(starts, ends, "midpoint") == (date(2026, 4, 1), date(2026, 6, 23))
    assert feedback_stage_window(starts, ends, "close") == (date(2026, 6, 24), date(2026, 7, 31))
    assert feedback_stage_open(starts, ends, date(2026, 3, 31)) is None
    assert feedback_stage_open(starts, ends, date(2026, 4, 1)) == "midpoint"
    assert feedback_stage_open(starts, ends, date(2026, 6, 23)) == "midpoint"
    assert feedback_stage_open(starts, ends, date(2026, 6, 24)) == "close"
    assert feedback_stage_open(starts, ends, date(2026, 7, 31)) == "close"
    assert feedback_stage_open(starts, ends, date(2026, 8, 1)) is None
    assert feedback_stage_open(None, ends, date(2026, 4, 1)) is None

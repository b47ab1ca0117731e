"""Times as the viewer lives them: waking hours (slots outside them are hidden
unless the viewer asks), and how many working hours two zones share. One place
for both rules: the directory and the booking page read them from here."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sessions_log.services import zone_of

# A slot is at night for the viewer unless it starts at or after WAKING_FROM
# and ends by WAKING_UNTIL, in the viewer's zone.
WAKING_FROM = time(7, 0)
WAKING_UNTIL = time(22, 0)
# Working hours, for "time-zone overlap with me".
WORKING_FROM = time(9, 0)
WORKING_UNTIL = time(17, 0)


def within_waking_hours(starts_at: datetime, minutes: int, zone: ZoneInfo) -> bool:
    local_start = starts_at.astimezone(zone)
    local_end = (starts_at + timedelta(minutes=minutes)).astimezone(zone)
    if local_end.date() != local_start.date():
        return False
    return local_start.time() >= WAKING_FROM and local_end.time() <= WAKING_UNTIL


def shared_working_hours(zone_a: str, zone_b: str, *, on: date) -> float:
    """Hours of the working day the two zones share on a given date (0 to 8)."""
    spans = []
    for name in (zone_a, zone_b):
        zone = zone_of(name)
        spans.append((datetime.combine(on, WORKING_FROM, zone), datetime.combine(on, WORKING_UNTIL, zone)))
    start = max(spans[0][0], spans[1][0])
    end = min(spans[0][1], spans[1][1])
    return max(0.0, (end - start).total_seconds() / 3600)

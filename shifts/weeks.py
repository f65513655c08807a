"""Roster weeks: a week runs Monday 00:00 to the next Monday 00:00 in settings.TIME_ZONE."""

import datetime as dt
import re
import zoneinfo

from django.conf import settings

# Rosters are planned for real weeks: anything outside these years is a typo or a probe, and its arithmetic
# (the week before 0001-01-01, the week after 9999-12-27) would overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2200

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def local_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def week_start_of(day: dt.date | dt.datetime) -> dt.date:
    """The Monday of the week that contains `day` (an aware datetime is read in local time)."""
    if isinstance(day, dt.datetime):
        if day.tzinfo is not None:
            day = day.astimezone(local_zone())
        day = day.date()
    return day - dt.timedelta(days=day.weekday())


def parse_week(text: str) -> dt.date:
    """'2026-W48', '2026W48' or any date in the week '2026-11-25' -> that week's Monday.

    Raises ValueError with a message meant for the person who typed it.
    """
    monday = _parse_week(text)
    if not FIRST_YEAR <= monday.year <= LAST_YEAR:
        raise ValueError(f"week: {text.strip()!r} is outside the years {FIRST_YEAR} to {LAST_YEAR}")
    return monday


def _parse_week(text: str) -> dt.date:
    raw = (text or "").strip()
    if not raw:
        raise ValueError("week: give a date in the week (2026-11-25) or an ISO week (2026-W48)")
    match = _ISO_WEEK.match(raw)
    if match:
        year, week = int(match.group(1)), int(match.group(2))
        try:
            return dt.date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"week: {raw!r} is not a week of {year} (weeks run 1 to 52 or 53)")
    if _DATE.match(raw):
        try:
            return week_start_of(dt.date.fromisoformat(raw))
        except ValueError:
            raise ValueError(f"week: {raw!r} is not a real date")
    raise ValueError(f"week: cannot read {raw!r}; use a date like 2026-11-25 or an ISO week like 2026-W48")


def week_bounds(week_start: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Aware local start and end (exclusive) of the week; days are calendar days, not 24 h blocks."""
    zone = local_zone()
    start = dt.datetime.combine(week_start, dt.time(0, 0), tzinfo=zone)
    end = dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(0, 0), tzinfo=zone)
    return start, end


def weeks_overlapping(start: dt.datetime, end: dt.datetime) -> list[dt.date]:
    """Mondays of every week that the period [start, end) touches."""
    first = week_start_of(start)
    last_moment = end - dt.timedelta(microseconds=1)
    last = week_start_of(last_moment)
    weeks = []
    current = first
    while current <= last:
        weeks.append(current)
        current += dt.timedelta(days=7)
    return weeks


def iso_week_label(week_start: dt.date) -> str:
    year, week, _day = week_start.isocalendar()
    return f"{year}-W{week:02d}"

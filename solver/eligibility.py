"""Pure eligibility facts (H3/H4) shared by the model, the reports and the web app.

Only facts live here: age on a date, the night test, window overlaps, and the
first failing reason of a (shift, member) pair in the spec's order.  The
independent checker in ``solver.check`` re-derives its verdicts on its own.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from solver.problem import Member, Problem, Shift

REASONS = ("community", "forbidden", "age", "night_age", "health", "skill",
           "caregiving", "unavailable")
HEALTH_RANK = {"frail": 0, "limited": 1, "good": 2}  # good > limited > frail
DAY = 1440


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Half-open intervals [a_start, a_end) and [b_start, b_end) overlap."""
    return a_start < b_end and b_start < a_end


def age_on(birth: date, day: date) -> int:
    """Whole years completed on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_night_interval(start: int, end: int, night_start: int, night_end: int) -> bool:
    """Whether [start, end) (minutes from a midnight) meets the nightly window of any date."""
    length = night_end - night_start if night_end > night_start else night_end + DAY - night_start
    first_day = start // DAY - 1
    last_day = (end - 1) // DAY
    for day in range(first_day, last_day + 1):
        window_start = day * DAY + night_start
        if overlaps(start, end, window_start, window_start + length):
            return True
    return False


def caregiving_overlap(member: Member, start: int, end: int, first_weekday_offset: int) -> bool:
    """Whether [start, end) (minutes from horizon start) meets a weekly caregiving window.

    ``first_weekday_offset`` is the weekday (0 = monday) of the horizon's first date.
    """
    if not member.caregiving:
        return False
    for day in range(start // DAY, (end - 1) // DAY + 1):
        weekday = (first_weekday_offset + day) % 7
        base = day * DAY
        for window in member.caregiving:
            if weekday in window.days and overlaps(start, end, base + window.start, base + window.end):
                return True
    return False


def unavailable_overlap(member: Member, start: int, end: int) -> bool:
    return any(overlaps(start, end, p.start, p.end) for p in member.unavailable)


def exclusion_reason(problem: Problem, shift: Shift, member: Member,
                     forbidden: bool = False) -> str | None:
    """First failing reason (spec order) for a pair, ignoring pins; None if eligible."""
    if shift.community not in member.communities:
        return "community"
    if forbidden:
        return "forbidden"
    return personal_reason(problem, shift, member) or availability_reason(problem, shift, member)


def personal_reason(problem: Problem, shift: Shift, member: Member) -> str | None:
    """H3 apart from the community test: age, night age, health, skills."""
    duty = problem.duty_by_id[shift.duty]
    age = age_on(member.birth_date, shift.start_date)
    if (duty.min_age is not None and age < duty.min_age) or \
            (duty.max_age is not None and age > duty.max_age):
        return "age"
    if shift.night and duty.night_max_age is not None and age > duty.night_max_age:
        return "night_age"
    if HEALTH_RANK[member.health] < HEALTH_RANK[duty.min_health]:
        return "health"
    if any(skill not in member.skills for skill in duty.required_skills):
        return "skill"
    return None


def availability_reason(problem: Problem, shift: Shift, member: Member) -> str | None:
    """H4: caregiving windows, then unavailable periods."""
    if caregiving_overlap(member, shift.start, shift.end, problem.horizon_start.weekday()):
        return "caregiving"
    if unavailable_overlap(member, shift.start, shift.end):
        return "unavailable"
    return None


def pair_exclusion(problem: Problem, shift_id: str, member_id: str) -> str | None:
    """Why ``member_id`` may not take ``shift_id`` (first reason in spec order), or None.

    Pins are not consulted: a pin overrides H3/H4 but this answers "would the
    rules allow it", which is what the swap form needs.
    """
    shift = problem.shift(shift_id)
    member = problem.member(member_id)
    forbidden = any(p.shift == shift_id and p.member == member_id for p in problem.forbid)
    return exclusion_reason(problem, shift, member, forbidden)


def shift_dates(start_date: date, start: int, end: int) -> list[date]:
    """Calendar dates touched by [start, end) given the date of ``start``."""
    days = (end - 1) // DAY - start // DAY
    return [start_date + timedelta(days=i) for i in range(days + 1)]

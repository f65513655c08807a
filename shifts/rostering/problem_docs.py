"""How the week's facts are written in a roster-problem/1 document (see shared/spec/roster-problem.md): the ids,
times on the 15-minute grid, and the documents of a duty, a shift, a member and a visit household.

Ids in the document are strings that carry the primary key: shifts "s<pk>", members "m<pk>", communities
"c<pk>", visit households "v<pk>". Times are local wall-clock times in settings.TIME_ZONE. Which rows a problem
holds is shifts.rostering.problem's business.
"""

import datetime as dt
from collections import defaultdict

from shifts.models import Shift
from shifts.models.shifts import wall_minutes
from shifts.rostering.load import history_minutes
from shifts.weeks import local_zone, week_bounds
from solver.problem import GRID  # the one 15-minute grid
from volunteers.calendars import school_run_weekdays
from volunteers.models import CaregivingWindow, Member, Unavailability
from volunteers.validators import WEEKDAY_CODES

HISTORY_WEEKS = 4
# A shift lasts at most 24 hours (Shift.clean), so anything that may touch a shift of the week ends by then.
SPILL = dt.timedelta(days=1)


def shift_key(pk: int) -> str:
    return f"s{pk}"


def member_key(pk: int) -> str:
    return f"m{pk}"


def community_key(pk: int) -> str:
    return f"c{pk}"


def target_key(pk: int) -> str:
    return f"v{pk}"


def pk_of(key: str) -> int:
    """'s12' -> 12; raises ValueError naming the id when it is not one of ours."""
    try:
        return int(key[1:])
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"id {key!r} is not a Yure id like s12 or m7")


def local_text(moment: dt.datetime) -> str:
    return moment.astimezone(local_zone()).strftime("%Y-%m-%dT%H:%M")


def _floor_grid(moment: dt.datetime) -> dt.datetime:
    moment = moment.astimezone(local_zone()).replace(second=0, microsecond=0)
    return moment - dt.timedelta(minutes=moment.minute % GRID)


def _ceil_grid(moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(local_zone())
    floored = _floor_grid(local)
    return floored if floored == local else floored + dt.timedelta(minutes=GRID)


def duty_doc(duty) -> dict:
    doc = {"id": duty.code, "name": duty.name, "min_health": duty.min_health,
           "required_skills": sorted(s.code for s in duty.required_skills.all())}
    for name in ("min_age", "max_age", "night_max_age", "max_per_member"):
        value = getattr(duty, name)
        if value is not None:
            doc[name] = value
    if duty.lead_skill_id:
        doc["lead_skill"] = duty.lead_skill.code
    return doc


def shift_doc(shift: Shift, *, target: bool = True) -> dict:
    doc = {"id": shift_key(shift.pk), "community": community_key(shift.community_id), "duty": shift.duty.code,
           "start": local_text(shift.start), "end": local_text(shift.end),
           "min_staff": shift.min_staff, "max_staff": shift.max_staff}
    if target and shift.visit_target_id:
        doc["visit_target"] = target_key(shift.visit_target_id)
    if shift.location:
        doc["location"] = shift.location
    if shift.name:
        doc["name"] = shift.name
    return doc


def target_docs(shifts, member_ids: set[int]) -> list[dict]:
    targets = {s.visit_target_id: s.visit_target for s in shifts if s.visit_target_id}
    docs = []
    for pk, target in sorted(targets.items()):
        visitors = sorted(v for v in target.preferred_visitors.values_list("pk", flat=True) if v in member_ids)
        docs.append({"id": target_key(pk), "preferred_visitors": [member_key(v) for v in visitors]})
    return docs


def member_docs(members, week_start, horizon_start, horizon_end, duty_codes, busy, *,
                 objective: bool = True) -> list[dict]:
    """objective=False leaves out what only the objective reads (preferences, past hours): a slice for the rules."""
    member_ids = [m.pk for m in members]
    absences = defaultdict(list)
    for row in Unavailability.objects.filter(member_id__in=member_ids, end__gt=horizon_start,
                                             start__lt=horizon_end + SPILL):
        absences[row.member_id].append((row.start, row.end))
    history = _history_minutes(member_ids, week_start) if objective else {}
    # the school calendar is read only for members with a school run (four queries a single check need not make)
    school_runs = _school_runs_by_community([m for m in members if any(
        w.applies == CaregivingWindow.Applies.SCHOOL_DAYS for w in m.caregiving.all())], week_start)
    docs = []
    for member in members:
        elsewhere = busy.get(member.pk, [])
        doc = {
            "id": member_key(member.pk), "name": member.name,
            "communities": [community_key(member.community_id)]
            + [community_key(c.pk) for c in member.extra_communities.all() if c.pk != member.community_id],
            "birth_date": member.birth_date.isoformat(), "health": member.health,
            "skills": sorted(s.code for s in member.skills.all()),
        }
        _limits(doc, member, elsewhere, horizon_start, horizon_end)
        caregiving = _caregiving_docs(member, school_runs.get(member.community_id, {}))
        if caregiving:
            doc["caregiving"] = caregiving
        periods = _periods(absences.get(member.pk, []) + [(s, e) for s, e in elsewhere],
                           horizon_start, horizon_end + SPILL)
        if periods:
            doc["unavailable"] = periods
        preferences = _preferences(member, duty_codes) if objective else {}
        if preferences:
            doc["preferences"] = preferences
        if history.get(member.pk):
            doc["history_minutes"] = history[member.pk]
        docs.append(doc)
    return docs


def _school_runs_by_community(members, week_start) -> dict[int, dict[str, str]]:
    """Per home community: this week's school days of its district, {date's weekday: timetable weekday}."""
    if not members:
        return {}
    districts = {m.community_id: m.community.district for m in members}
    by_district = school_run_weekdays(set(districts.values()), week_start)
    return {pk: by_district[district] for pk, district in districts.items()}


def _caregiving_docs(member, school_days: dict[str, str]) -> list[dict]:
    """Weekly windows by weekday (roster-problem/1). A school-days-only window lists only this week's school days:
    none in the school holidays, not a public holiday, and a make-up Saturday when it follows a listed weekday."""
    docs = []
    for window in member.caregiving.all():
        days = window.weekday_list
        if window.applies == CaregivingWindow.Applies.SCHOOL_DAYS:
            days = [day for day, timetable in school_days.items() if timetable in days]
        if days:
            docs.append({"days": sorted(days, key=WEEKDAY_CODES.index), "start": window.start.strftime("%H:%M"),
                         "end": window.end.strftime("%H:%M")})
    return docs


def _limits(doc, member, elsewhere, horizon_start, horizon_end) -> None:
    """Weekly limits, less what the member already serves this week in communities outside the problem."""
    in_week = [(s, e) for s, e in elsewhere if horizon_start <= s < horizon_end]
    if member.max_shifts_per_week is not None:
        doc["max_shifts"] = max(member.max_shifts_per_week - len(in_week), 0)
    if member.max_minutes_per_week is not None:
        used = sum(wall_minutes(s, e) for s, e in in_week)
        doc["max_minutes"] = max(member.max_minutes_per_week - used, 0)
    if member.min_rest_minutes is not None:
        doc["min_rest_minutes"] = member.min_rest_minutes
    if member.max_consecutive_days is not None:
        doc["max_consecutive_days"] = member.max_consecutive_days


def _periods(intervals, lower: dt.datetime, upper: dt.datetime) -> list[dict]:
    """Clip to the horizon (plus a day for overnight shifts), round outward to the 15-minute grid, merge."""
    clipped = []
    for start, end in intervals:
        start, end = max(start, lower), min(end, upper)
        if end > start:
            clipped.append((_floor_grid(start), _ceil_grid(end)))
    clipped.sort()
    merged: list[list[dt.datetime]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [{"start": local_text(s), "end": local_text(e)} for s, e in merged]


def _preferences(member: Member, duty_codes: set[str]) -> dict:
    def clean(mapping, allowed):
        out = {}
        for key, value in (mapping or {}).items():
            if key in allowed and isinstance(value, int) and not isinstance(value, bool) and -10 <= value <= 10:
                out[key] = value
        return out

    preferences = {}
    duties = clean(member.duty_preferences, duty_codes)
    weekdays = clean(member.weekday_preferences, set(WEEKDAY_CODES))
    if duties:
        preferences["duties"] = duties
    if weekdays:
        preferences["weekdays"] = weekdays
    return preferences


def _history_minutes(member_ids, week_start: dt.date) -> dict[int, int]:
    """Minutes given in the published rosters of the previous four weeks: served minutes where attendance
    was recorded for the shift, planned minutes where it was not (shifts.rostering.load.history_minutes)."""
    start, _end = week_bounds(week_start - dt.timedelta(weeks=HISTORY_WEEKS))
    end, _next = week_bounds(week_start)
    totals = history_minutes(member_ids, start, end)
    return {pk: minutes - minutes % GRID for pk, minutes in totals.items() if minutes}

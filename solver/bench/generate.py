"""Realistic synthetic roster-problem/1 instances for benchmarks and tests.

The figures follow the demo district (``shifts/demo.py``): retired volunteers
aged 58-90 centred near 70, school runs for 45% of those under 72, a health
mix that worsens with age, mediators (15%) and first-aiders (25%), the same
duties, age and health bounds and per-member limits, households visited
weekly by two people they know, and about one member in ten who also serves a
neighbouring community. Two additions the demo lacks: some unavailable
periods, and history minutes for long-run fairness. Each community has 15-25
households (the demo has 12) so a community-week has 40-60 shifts.

Everything is drawn from one ``random.Random(seed)``, so a seed always gives
the same document.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import random
from typing import Any

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SCHOOL_DAYS = ["mon", "tue", "wed", "thu", "fri"]

# Demo district figures.
AGE_MEAN, AGE_SD, AGE_MIN, AGE_MAX = 70.0, 6.5, 58, 90
SCHOOL_RUN_AGE_LIMIT = 72  # school runs only among members younger than this
SCHOOL_RUN_SHARE = 0.45
MEDIATION_SHARE = 0.15
FIRST_AID_SHARE = 0.25
UNAVAILABLE_SHARE = 0.12
HOUSEHOLDS_PER_COMMUNITY = (15, 25)
STUDY_DAY_OF_MONTH = 25

DUTIES: list[dict[str, Any]] = [
    # 19-21 overlaps the 20:00 night window, so the night age bound applies.
    {"id": "patrol", "name": "巡逻", "min_age": 55, "max_age": 85, "night_max_age": 75,
     "min_health": "limited", "lead_skill": "first_aid", "max_per_member": 4},
    {"id": "mediation", "name": "调解", "min_age": 55, "max_age": 88, "min_health": "frail",
     "required_skills": ["mediation"]},
    {"id": "visiting", "name": "探访", "min_age": 55, "max_age": 85, "min_health": "limited"},
]

# (start, end, min_staff, max_staff)
PATROL_SLOTS = [("09:00", "11:00", 2, 3), ("15:00", "17:00", 2, 3), ("19:00", "21:00", 2, 3)]
MEDIATION_SLOT = ("14:00", "17:00")
# The monthly study session, as the service holds it (shifts/rostering/rosters.py: on the 25th,
# settings.STUDY_SESSION_START 09:00 for STUDY_SESSION_MINUTES 90).  It is a gathering for
# everyone, not a place the optimizer fills (settings.UNROSTERED_DUTIES), so the problem does not
# contain it; the patrols and visits it overlaps are not made that day.
STUDY_SESSION = ("09:00", "10:30")
VISIT_SLOTS = [("09:30", "10:30"), ("10:00", "11:00"), ("14:30", "15:30")]
PREFERRED_VISITORS = 2
VISITOR_MAX_AGE = 85

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
            "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
            "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ["秀英", "桂英", "秀兰", "玉兰", "桂兰", "凤英", "建华", "建国", "国华", "淑珍",
         "志强", "德明", "丽华", "红梅", "文华", "淑英", "玉梅", "国强", "秀珍", "明华",
         "永红", "海燕", "立新", "卫东", "金凤", "玉珍", "春兰", "福生", "振华", "素芬"]


def generate_problem(
    *,
    communities: int,
    members_per_community: int | tuple[int, int],
    seed: int,
    week_start: str = "2026-11-23",
    cross_share: float = 0.10,
) -> dict:
    """Return a roster-problem/1 document (a plain dict) for one week.

    ``members_per_community`` is a count or an inclusive ``(low, high)`` range
    drawn per community. Communities lie on a near-square grid; consecutive
    communities in serpentine order are grid neighbours, and each community
    sends at least one cross member to the next, so the district is connected.
    """
    if communities < 1:
        raise ValueError("communities must be at least 1")
    rng = random.Random(seed)
    start = dt.date.fromisoformat(week_start)
    days = [start + dt.timedelta(days=i) for i in range(7)]
    width = len(str(communities))
    community_ids = [f"c{i + 1:0{width}d}" for i in range(communities)]
    neighbours = _grid_neighbours(communities)

    members: list[dict] = []
    shifts: list[dict] = []
    targets: list[dict] = []
    members_by_community: list[list[dict]] = []
    for community in community_ids:
        count = _draw_count(rng, members_per_community)
        own = [_member(rng, community, n, start) for n in range(count)]
        members_by_community.append(own)
        members.extend(own)

    _add_cross_members(rng, community_ids, neighbours, members_by_community, cross_share)

    for index, community in enumerate(community_ids):
        community_targets = _visit_targets(rng, community, members_by_community[index], start)
        targets.extend(community_targets)
        shifts.extend(_community_shifts(rng, community, days, community_targets))

    return {
        "format": "roster-problem/1",
        "timezone": "Asia/Shanghai",
        "horizon": {"start": days[0].isoformat(), "end": (days[-1] + dt.timedelta(days=1)).isoformat()},
        "rules": {"night": {"start": "20:00", "end": "06:00"},
                  "min_rest_minutes": 0, "max_consecutive_days": 5},
        "weights": {"unfilled": 10000, "stability": 500, "continuity": 200,
                    "preference": 20, "fairness": 1},
        # As the service: the duties of the week's shifts, by code.
        "duties": [dict(d) for d in sorted(DUTIES, key=lambda d: d["id"])
                   if any(s["duty"] == d["id"] for s in shifts)],
        "members": members,
        "shifts": shifts,
        "visit_targets": targets,
    }


def make_repair_scenario(problem: dict, solution_assignments: list[dict], *, seed: int) -> dict:
    """Return a copy of ``problem`` re-planned after one member falls sick.

    A member who holds at least one shift is marked unavailable for two whole
    days that cover one of their shifts, and the given assignments become
    ``previous``. Raises ``ValueError`` if nobody holds a shift.
    """
    rng = random.Random(seed)
    shift_start = {s["id"]: s["start"] for s in problem["shifts"]}
    by_member: dict[str, list[str]] = {}
    for pair in solution_assignments:
        by_member.setdefault(pair["member"], []).append(pair["shift"])
    if not by_member:
        raise ValueError("no member holds a shift; nothing to repair")
    sick = rng.choice(sorted(by_member))
    first_day = dt.date.fromisoformat(shift_start[rng.choice(sorted(by_member[sick]))][:10])
    horizon_start = dt.date.fromisoformat(problem["horizon"]["start"])
    horizon_last = dt.date.fromisoformat(problem["horizon"]["end"]) - dt.timedelta(days=1)
    # Two days starting with the shift's date, kept inside the week where possible.
    if first_day >= horizon_last and first_day > horizon_start:
        first_day -= dt.timedelta(days=1)
    period = {"start": f"{first_day.isoformat()}T00:00",
              "end": f"{(first_day + dt.timedelta(days=2)).isoformat()}T00:00"}

    repaired = copy.deepcopy(problem)
    for member in repaired["members"]:
        if member["id"] == sick:
            member["unavailable"] = list(member.get("unavailable", [])) + [period]
    repaired["previous"] = [{"shift": p["shift"], "member": p["member"]} for p in solution_assignments]
    return repaired


def repair_sick_member(problem: dict) -> tuple[str, dict]:
    """The member marked sick by :func:`make_repair_scenario` and the period."""
    previous_members = {p["member"] for p in problem.get("previous", [])}
    for member in problem["members"]:
        if member["id"] in previous_members and member.get("unavailable"):
            return member["id"], member["unavailable"][-1]
    raise ValueError("not a repair scenario")


# --- members -----------------------------------------------------------------

def _draw_count(rng: random.Random, spec: int | tuple[int, int]) -> int:
    if isinstance(spec, int):
        return spec
    low, high = spec
    return rng.randint(low, high)


def _draw_age(rng: random.Random) -> int:
    return max(AGE_MIN, min(AGE_MAX, round(rng.gauss(AGE_MEAN, AGE_SD))))


def _draw_health(rng: random.Random, age: int) -> str:
    # The demo's curve: at 70 3% frail and 25% limited, at 85 40% frail and 55% limited.
    frail = 0.03 + max(0, age - 70) * 0.025
    limited = 0.15 + max(0, age - 65) * 0.02
    draw = rng.random()
    if draw < frail:
        return "frail"
    if draw < frail + limited:
        return "limited"
    return "good"


def _member(rng: random.Random, community: str, number: int, week_start: dt.date) -> dict:
    age = _draw_age(rng)
    # Exactly ``age`` whole years old on the first day of the week.
    anniversary = week_start.replace(year=week_start.year - age,
                                     day=min(week_start.day, 28) if week_start.month == 2 else week_start.day)
    birth = anniversary - dt.timedelta(days=rng.randrange(365))
    member: dict[str, Any] = {
        "id": f"{community}-m{number + 1:03d}",
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "communities": [community],
        "birth_date": birth.isoformat(),
        "health": _draw_health(rng, age),
    }
    skills = []
    if rng.random() < MEDIATION_SHARE:
        skills.append("mediation")
    if rng.random() < FIRST_AID_SHARE:
        skills.append("first_aid")
    if skills:
        member["skills"] = skills
    member["max_shifts"] = rng.choice([2, 3, 3, 4])
    member["max_minutes"] = rng.choice([240, 360, 480])
    consecutive = rng.choice([None, 3, 4])
    if consecutive is not None:
        member["max_consecutive_days"] = consecutive
    member["min_rest_minutes"] = rng.choice([0, 0, 60, 120])
    if age < SCHOOL_RUN_AGE_LIMIT and rng.random() < SCHOOL_RUN_SHARE:
        member["caregiving"] = [
            {"days": list(SCHOOL_DAYS), "start": "07:00", "end": "08:30"},
            {"days": list(SCHOOL_DAYS), "start": "16:00", "end": "17:30"},
        ]
    if rng.random() < UNAVAILABLE_SHARE:
        member["unavailable"] = [_unavailable_period(rng, week_start)]
    preferences = _preferences(rng)
    if preferences:
        member["preferences"] = preferences
    member["history_minutes"] = min(3000, int(rng.expovariate(1 / 600) // 15) * 15)
    return member


def _unavailable_period(rng: random.Random, week_start: dt.date) -> dict:
    day = week_start + dt.timedelta(days=rng.randrange(7))
    if rng.random() < 0.5:  # a morning appointment
        return {"start": f"{day.isoformat()}T08:00", "end": f"{day.isoformat()}T12:00"}
    end = day + dt.timedelta(days=rng.randint(1, 3))
    return {"start": f"{day.isoformat()}T00:00", "end": f"{end.isoformat()}T00:00"}


def _preferences(rng: random.Random) -> dict:
    # The demo's choices: half of the members have no opinion on each.
    preferences: dict[str, dict[str, int]] = {}
    duties = rng.choice([{}, {}, {"patrol": -3}, {"visiting": -4}, {"patrol": 4}])
    weekdays = rng.choice([{}, {}, {"sun": 6}, {"sat": 3, "sun": 3}, {"mon": -2}])
    if duties:
        preferences["duties"] = duties
    if weekdays:
        preferences["weekdays"] = weekdays
    return preferences


# --- district layout ---------------------------------------------------------

def _grid_neighbours(count: int) -> list[list[int]]:
    """Grid neighbours of each community numbered in serpentine order."""
    columns = max(1, math.isqrt(count - 1) + 1) if count > 1 else 1
    position = {}
    for index in range(count):
        row, offset = divmod(index, columns)
        column = offset if row % 2 == 0 else columns - 1 - offset
        position[(row, column)] = index
    neighbours: list[list[int]] = [[] for _ in range(count)]
    for (row, column), index in position.items():
        for delta in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            other = position.get((row + delta[0], column + delta[1]))
            if other is not None:
                neighbours[index].append(other)
    return neighbours


def _add_cross_members(rng, community_ids, neighbours, members_by_community, share) -> None:
    if len(community_ids) < 2 or share <= 0:
        return
    for index, own in enumerate(members_by_community):
        count = max(1, round(share * len(own)))
        chosen = rng.sample(own, min(count, len(own)))
        for position, member in enumerate(chosen):
            # The first cross member links to the next community in serpentine
            # order (a grid neighbour), which keeps the district connected.
            if position == 0 and index + 1 < len(community_ids):
                other = index + 1
            else:
                other = rng.choice(neighbours[index])
            member["communities"].append(community_ids[other])


# --- shifts ------------------------------------------------------------------

def _visit_targets(rng: random.Random, community: str, own: list[dict], week_start: dt.date) -> list[dict]:
    # As in the demo: the usual visitors are two members who are not frail and at most 85.
    able = [m["id"] for m in own if m["health"] != "frail" and _age_on(m, week_start) <= VISITOR_MAX_AGE]
    pool = able or [m["id"] for m in own]
    targets = []
    for number in range(rng.randint(*HOUSEHOLDS_PER_COMMUNITY)):
        visitors = sorted(rng.sample(pool, min(len(pool), PREFERRED_VISITORS)))
        targets.append({"id": f"{community}-h{number + 1:02d}", "preferred_visitors": visitors})
    return targets


def _age_on(member: dict, day: dt.date) -> int:
    born = dt.date.fromisoformat(member["birth_date"])
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _community_shifts(rng, community: str, days: list[dt.date], targets: list[dict]) -> list[dict]:
    shifts = []
    for day in days:
        weekday = WEEKDAYS[day.weekday()]
        for start, end, low, high in PATROL_SLOTS:
            if _during_study(day, start, end):
                continue
            shifts.append(_shift(community, "patrol", day, start, end, low, high,
                                 f"{community}-patrol-{weekday}-{start[:2]}"))
        if day.weekday() < 5 and not _during_study(day, *MEDIATION_SLOT):
            start, end = MEDIATION_SLOT
            shifts.append(_shift(community, "mediation", day, start, end, 1, 1,
                                 f"{community}-mediation-{weekday}"))
    for number, target in enumerate(targets):
        day = days[number % 6]  # Monday to Saturday, as in the demo
        start, end = rng.choice(VISIT_SLOTS)   # drawn even when skipped, so the other weeks stay the same
        if _during_study(day, start, end):
            continue
        shift = _shift(community, "visiting", day, start, end, 1, 1,
                       f"{community}-visit-{target['id'].rsplit('-', 1)[1]}")
        shift["visit_target"] = target["id"]
        shifts.append(shift)
    return shifts


def _during_study(day: dt.date, start: str, end: str) -> bool:
    """Does ``start``-``end`` on ``day`` overlap the study session (held, not rostered)?"""
    if day.day != STUDY_DAY_OF_MONTH:
        return False
    held_start, held_end = STUDY_SESSION
    return start < held_end and held_start < end


def _shift(community, duty, day, start, end, low, high, shift_id) -> dict:
    return {"id": shift_id, "community": community, "duty": duty,
            "start": f"{day.isoformat()}T{start}", "end": f"{day.isoformat()}T{end}",
            "min_staff": low, "max_staff": high}

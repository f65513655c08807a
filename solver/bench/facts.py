"""Precomputed facts about a roster-problem/1 document, for the baselines.

The greedy baseline and the plain model are written apart from the solver's
own model on purpose (a comparison against shared code would prove little),
so they read the plain JSON dict through this small module: times become
minutes from the start of the horizon, and eligibility (H3, H4, forbid) is
evaluated once per (shift, member) pair of the same community.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HEALTH_RANK = {"frail": 0, "limited": 1, "good": 2}
DEFAULT_WEIGHTS = {"unfilled": 10000, "stability": 500, "continuity": 200,
                   "preference": 20, "fairness": 1}
DAY = 1440


@dataclass(frozen=True)
class Shift:
    index: int
    id: str
    community: str
    duty: str
    start: int  # minutes from the horizon start, 00:00
    end: int
    min_staff: int
    max_staff: int
    visit_target: str | None
    night: bool

    @property
    def minutes(self) -> int:
        return self.end - self.start

    @property
    def day(self) -> int:
        return self.start // DAY


@dataclass
class Member:
    index: int
    id: str
    communities: list[str]
    birth_date: dt.date
    health: int
    skills: frozenset[str]
    max_shifts: int | None
    max_minutes: int | None
    min_rest: int
    max_consecutive: int
    history_minutes: int
    duty_preferences: dict[str, int]
    weekday_preferences: dict[str, int]
    busy: list[tuple[int, int]] = field(default_factory=list)  # unavailable periods
    caregiving: list[tuple[frozenset[str], int, int]] = field(default_factory=list)


class Facts:
    """Shifts, members and eligibility of one problem document."""

    def __init__(self, problem: dict):
        self.problem = problem
        self.horizon_start = dt.date.fromisoformat(problem["horizon"]["start"])
        self.days = (dt.date.fromisoformat(problem["horizon"]["end"]) - self.horizon_start).days
        rules = problem.get("rules", {})
        night = rules.get("night", {"start": "20:00", "end": "06:00"})
        self.night_window = (_clock(night["start"]), _clock(night["end"]))
        self.weights = {**DEFAULT_WEIGHTS, **problem.get("weights", {})}
        self.duties = {d["id"]: d for d in problem["duties"]}
        default_rest = rules.get("min_rest_minutes", 0)
        default_consecutive = rules.get("max_consecutive_days", 7)

        self.shifts = [self._shift(i, s) for i, s in enumerate(problem["shifts"])]
        self.members = [self._member(i, m, default_rest, default_consecutive)
                        for i, m in enumerate(problem["members"])]
        self.shift_index = {s.id: s.index for s in self.shifts}
        self.member_index = {m.id: m.index for m in self.members}
        self.preferred = {t["id"]: {self.member_index[v] for v in t.get("preferred_visitors", [])}
                          for t in problem.get("visit_targets", [])}
        self.pins = {(self.shift_index[p["shift"]], self.member_index[p["member"]])
                     for p in problem.get("pins", [])}
        self.forbidden = {(self.shift_index[p["shift"]], self.member_index[p["member"]])
                          for p in problem.get("forbid", [])}
        self.previous = {(self.shift_index[p["shift"]], self.member_index[p["member"]])
                         for p in problem.get("previous", [])
                         if p["shift"] in self.shift_index and p["member"] in self.member_index}
        self.eligible = self._eligibility()

    # --- reading -------------------------------------------------------------

    def _minutes(self, stamp: str) -> int:
        moment = dt.datetime.fromisoformat(stamp)
        return (moment.date() - self.horizon_start).days * DAY + moment.hour * 60 + moment.minute

    def _shift(self, index: int, raw: dict) -> Shift:
        start, end = self._minutes(raw["start"]), self._minutes(raw["end"])
        return Shift(index=index, id=raw["id"], community=raw["community"], duty=raw["duty"],
                     start=start, end=end, min_staff=raw["min_staff"],
                     max_staff=raw.get("max_staff", raw["min_staff"]),
                     visit_target=raw.get("visit_target"), night=self._is_night(start, end))

    def _member(self, index: int, raw: dict, default_rest: int, default_consecutive: int) -> Member:
        preferences = raw.get("preferences", {})
        return Member(
            index=index, id=raw["id"], communities=list(raw["communities"]),
            birth_date=dt.date.fromisoformat(raw["birth_date"]),
            health=HEALTH_RANK[raw["health"]], skills=frozenset(raw.get("skills", [])),
            max_shifts=raw.get("max_shifts"), max_minutes=raw.get("max_minutes"),
            min_rest=raw.get("min_rest_minutes", default_rest),
            max_consecutive=raw.get("max_consecutive_days", default_consecutive),
            history_minutes=raw.get("history_minutes", 0),
            duty_preferences=dict(preferences.get("duties", {})),
            weekday_preferences=dict(preferences.get("weekdays", {})),
            busy=[(self._minutes(p["start"]), self._minutes(p["end"])) for p in raw.get("unavailable", [])],
            caregiving=[(frozenset(w["days"]), _clock(w["start"]), _clock(w["end"]))
                        for w in raw.get("caregiving", [])],
        )

    def _is_night(self, start: int, end: int) -> bool:
        night_start, night_end = self.night_window
        length = night_end - night_start if night_end > night_start else DAY - night_start + night_end
        for day in range(start // DAY - 1, end // DAY + 1):
            window = day * DAY + night_start
            if window < end and start < window + length:
                return True
        return False

    # --- eligibility (H3, H4, forbid) -----------------------------------------

    def weekday(self, day: int) -> str:
        return WEEKDAYS[(self.horizon_start + dt.timedelta(days=day)).weekday()]

    def age(self, member: Member, day: int) -> int:
        on = self.horizon_start + dt.timedelta(days=day)
        born = member.birth_date
        return on.year - born.year - ((on.month, on.day) < (born.month, born.day))

    def qualified(self, shift: Shift, member: Member) -> bool:
        """H3: community, age, night age, health and skills."""
        duty = self.duties[shift.duty]
        if shift.community not in member.communities:
            return False
        age = self.age(member, shift.day)
        if duty.get("min_age") is not None and age < duty["min_age"]:
            return False
        if duty.get("max_age") is not None and age > duty["max_age"]:
            return False
        if shift.night and duty.get("night_max_age") is not None and age > duty["night_max_age"]:
            return False
        if member.health < HEALTH_RANK[duty.get("min_health", "frail")]:
            return False
        return set(duty.get("required_skills", [])) <= member.skills

    def available(self, shift: Shift, member: Member) -> bool:
        """H4: no caregiving window and no unavailable period overlaps."""
        for start, end in member.busy:
            if start < shift.end and shift.start < end:
                return False
        for days, start, end in member.caregiving:
            for day in range(shift.start // DAY, (shift.end - 1) // DAY + 1):
                if self.weekday(day) in days and day * DAY + start < shift.end \
                        and shift.start < day * DAY + end:
                    return False
        return True

    def _eligibility(self) -> list[list[int]]:
        by_community: dict[str, list[Member]] = {}
        for member in self.members:
            for community in member.communities:
                by_community.setdefault(community, []).append(member)
        eligible = []
        for shift in self.shifts:
            allowed = {m.index for m in by_community.get(shift.community, [])
                       if (shift.index, m.index) not in self.forbidden
                       and self.qualified(shift, m) and self.available(shift, m)}
            allowed |= {m for s, m in self.pins if s == shift.index}
            eligible.append(sorted(allowed))
        return eligible

    # --- objective pieces ----------------------------------------------------

    def preference_cost(self, shift: Shift, member: Member) -> int:
        return (member.duty_preferences.get(shift.duty, 0)
                + member.weekday_preferences.get(self.weekday(shift.day), 0))

    def clash(self, first: Shift, second: Shift, rest: int) -> bool:
        """H5: the two shifts overlap or leave less than ``rest`` minutes between them."""
        return first.start < second.end + rest and second.start < first.end + rest

    def lead_skill(self, shift: Shift) -> str | None:
        return self.duties[shift.duty].get("lead_skill")

    def evaluate(self, pairs: set[tuple[int, int]]) -> dict:
        """The spec objective and its breakdown for (shift, member) index pairs.

        A cross-check for the baselines; validity is judged by ``solver.check``.
        """
        staffed = [0] * len(self.shifts)
        minutes = [m.history_minutes for m in self.members]
        preference = 0
        for s, m in pairs:
            shift, member = self.shifts[s], self.members[m]
            staffed[s] += 1
            minutes[m] += shift.minutes
            preference += self.preference_cost(shift, member)
        by_shift: dict[int, set[int]] = {}
        for s, m in pairs:
            by_shift.setdefault(s, set()).add(m)
        continuity = sum(1 for shift in self.shifts
                         if shift.visit_target is not None and by_shift.get(shift.index)
                         and not by_shift[shift.index] & self.preferred.get(shift.visit_target, set()))
        breakdown = {
            "unfilled": sum(max(0, s.min_staff - staffed[s.index]) for s in self.shifts),
            "stability": len(self.previous - pairs),
            "continuity": continuity,
            "preference": preference,
            "fairness": sum((total // 15) ** 2 for total in minutes),
        }
        objective = sum(self.weights[term] * value for term, value in breakdown.items())
        return {"objective": objective, "breakdown": breakdown}


def _clock(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)

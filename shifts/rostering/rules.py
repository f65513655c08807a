"""Can member M take shift S? The optimizer's own rules on one week's roster, answered in one place.

Every caller asks here: "who could take this shift" on the week grid, the hand-add check of a draft, the swap
checks on the published roster, and the conflicts that the grid marks and that publishing refuses. The rules are
not restated: the roster-problem/1 document comes from shifts.rostering.problem (with the week's decisions as
`forbid` pairs) and every verdict from the solver's independent checker, whose violations carry a reason code.
Each verdict is a reason code; shifts.rostering.reasons is the one table that says it in words.

A single move is judged on a slice of the week (WeekRules.around_roster / around_published: the members and
shifts it touches, read with a few queries, see problem.problem_slice) rather than on the whole week's document;
the checker reads only those members' pairs and the shifts they touch, so its verdict is the same. The whole
week is still built and checked where a whole roster is judged (roster_rule_breaks, before publishing).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from shifts.models import Assignment, Roster, Shift, ShiftExclusion
from shifts.rostering.problem import (
    FORMAT,
    duty_doc,
    member_key,
    problem_for_communities,
    problem_slice,
    shift_key,
)
from shifts.rostering.problem_docs import pk_of
from shifts.rostering.reasons import CONFLICT_CODES
from solver import load_problem, member_violations
from solver.check import find_violations
from solver.eligibility import personal_reason
from volunteers.models import Unavailability


@dataclass(frozen=True)
class Reason:
    """One rule that a member's booking breaks (or would break), with the shift it is about when there is one."""

    code: str
    member_id: int | None
    shift_id: int | None


def _pk(thing) -> int | None:
    return None if thing is None else getattr(thing, "pk", thing)


@dataclass(frozen=True)
class Move:
    """One change to a roster: `shift` goes from member `remove` to member `add` (either may be None).

    The one vocabulary of a change for every caller: each part is a model object or its pk. The rules read only
    the pks (shift_id, remove_id, add_id); the swap checks, which say a break in words and sort moves by week,
    pass the Shift and Member objects they already hold and read them back from the same Move."""

    shift: "Shift | int"
    remove: "object | int | None" = None
    add: "object | int | None" = None

    @property
    def shift_id(self) -> int:
        return _pk(self.shift)

    @property
    def remove_id(self) -> int | None:
        return _pk(self.remove)

    @property
    def add_id(self) -> int | None:
        return _pk(self.add)


class WeekRules:
    """The optimizer's view of one week: its problem (decisions included) and a roster's (shift, member) pairs.

    Built on the whole week (of_roster, of_published) it answers for anyone; built on a slice (around_roster,
    around_published) it answers only for the members and shifts it was cut for, and refuses other questions
    rather than answer them wrongly."""

    def __init__(self, bundle, pairs, *, focus: tuple[set, set] | None = None):
        self.bundle = bundle
        self.problem = load_problem(bundle.document)
        self.pairs = [(shift_key(s), member_key(m)) for s, m in pairs
                      if shift_key(s) in self.problem.shift_index and member_key(m) in self.problem.member_index]
        self._before: dict[str, set] = {}
        self._focus = focus  # (member pks, shift pks) of a slice; None for the whole week

    @classmethod
    def around_roster(cls, roster: Roster, *, member_ids, shift_ids, extra_member_ids=()) -> "WeekRules":
        """The slice of of_roster that judges moves of these members on these shifts."""
        cut = problem_slice(communities=[roster.community], week_start=roster.week_start,
                            assignments=roster.assignments.all(), member_ids=member_ids, shift_ids=shift_ids,
                            extra_member_ids=extra_member_ids)
        return cls(cut.bundle, cut.pairs, focus=(cut.member_ids, cut.shift_ids))

    @classmethod
    def around_published(cls, communities, week_start: dt.date, *, member_ids, shift_ids) -> "WeekRules":
        """The slice of of_published that judges moves of these members on these shifts."""
        communities = list(communities)
        rows = Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, roster__community__in=communities)
        cut = problem_slice(communities=communities, week_start=week_start, assignments=rows,
                            member_ids=member_ids, shift_ids=shift_ids)
        return cls(cut.bundle, cut.pairs, focus=(cut.member_ids, cut.shift_ids))

    @property
    def focus(self) -> tuple[set, set] | None:
        """(member pks, shift pks) a slice was cut for; None for the whole week."""
        return self._focus

    def covers(self, *, member_ids=(), shift_ids=()) -> bool:
        """Whether this view may answer about these members and shifts (a whole week answers about anyone)."""
        if self._focus is None:
            return True
        return set(member_ids) <= self._focus[0] and set(shift_ids) <= self._focus[1]

    def _require(self, *, member_ids=(), shift_ids=()) -> None:
        if not self.covers(member_ids=member_ids, shift_ids=shift_ids):
            raise ValueError(f"this slice of the week was cut for members {sorted(self._focus[0])} and shifts "
                             f"{sorted(self._focus[1])}, not {sorted(set(member_ids))} / {sorted(set(shift_ids))}")

    @classmethod
    def of_roster(cls, roster: Roster, *, extra_member_ids=()) -> "WeekRules":
        """The roster's own pairs (a draft, a proposal or the published version) against the rules of today."""
        bundle = problem_for_communities(communities=[roster.community], week_start=roster.week_start,
                                         pins_status=None, previous=False, extra_member_ids=extra_member_ids)
        return cls(bundle, roster.assignments.order_by("pk").values_list("shift_id", "member_id"))

    @classmethod
    def of_published(cls, communities, week_start: dt.date, *, extra_member_ids=()) -> "WeekRules":
        """The published rosters of these communities for the week (a swap may touch several)."""
        communities = list(communities)
        bundle = problem_for_communities(communities=communities, week_start=week_start, pins_status=None,
                                         previous=False, extra_member_ids=extra_member_ids)
        rows = Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED,
                                         roster__community__in=communities, shift_id__in=bundle.shift_ids)
        return cls(bundle, rows.order_by("pk").values_list("shift_id", "member_id"))

    def knows(self, *, shift_id: int | None = None, member_id: int | None = None) -> bool:
        """Whether the shift is rostered this week (not a gathering such as the study session) / the member serves."""
        self._require(member_ids=[member_id] if member_id is not None else [],
                      shift_ids=[shift_id] if shift_id is not None else [])
        if shift_id is not None and shift_key(shift_id) not in self.problem.shift_index:
            return False
        return member_id is None or member_key(member_id) in self.problem.member_index

    def _violations(self, pairs, member: str) -> set:
        return set(member_violations(self.problem, pairs, member))

    def _violations_now(self, member: str) -> set:
        if member not in self._before:
            self._before[member] = self._violations(self.pairs, member)
        return self._before[member]

    def breaks(self, moves: list[Move]) -> list[Reason]:
        """Every rule the moves would newly break (or make worse) for the members they involve."""
        self._require(member_ids=[m for move in moves for m in (move.remove_id, move.add_id) if m is not None],
                      shift_ids=[move.shift_id for move in moves])
        proposed = list(self.pairs)
        people = []
        for move in moves:
            if move.remove_id is not None:
                pair = (shift_key(move.shift_id), member_key(move.remove_id))
                if pair in proposed:
                    proposed.remove(pair)
            if move.add_id is not None:
                proposed.append((shift_key(move.shift_id), member_key(move.add_id)))
            people.extend(m for m in (move.remove_id, move.add_id) if m is not None)
        found = []
        for member_pk in dict.fromkeys(people):
            key = member_key(member_pk)
            if key not in self.problem.member_index:
                found.append(Reason("community", member_pk, moves[0].shift_id if moves else None))
                continue
            new = self._violations(proposed, key) - self._violations_now(key)
            for violation in sorted(new, key=lambda v: (v.code, v.shift or "", v.message)):
                found.append(Reason(violation.code, member_pk, pk_of(violation.shift) if violation.shift else None))
        return found

    def can_take(self, shift_id: int, member_id: int) -> list[Reason]:
        """Why the member may not be added to the shift in this roster; empty when every rule holds."""
        if not self.knows(member_id=member_id):
            return [Reason("community", member_id, shift_id)]
        return self.breaks([Move(shift_id, add=member_id)])


def roster_conflicts(roster: Roster) -> dict[tuple[int, int], str]:
    """Booked pairs on shifts not yet begun that go against what people told Yure: {(shift pk, member pk): code}.

    A recorded absence over the shift ("unavailable"), a member no longer active ("inactive"), or a decision that
    they are not to be on it ("forbidden": they gave it away, or the secretary took them off with a reason).
    Hand-made bookings that break other rules carry their override reason and are not conflicts.
    """
    rows = list(roster.assignments.filter(shift__start__gt=timezone.now()).select_related("shift", "member"))
    if not rows:
        return {}
    out = {}
    excluded = set(ShiftExclusion.objects.filter(shift_id__in={a.shift_id for a in rows})
                   .values_list("shift_id", "member_id"))
    absences = defaultdict(list)
    first = min(a.shift.start for a in rows)
    last = max(a.shift.end for a in rows)
    for member_id, start, end in Unavailability.objects.filter(
            member_id__in={a.member_id for a in rows}, start__lt=last, end__gt=first).values_list(
            "member_id", "start", "end"):
        absences[member_id].append((start, end))
    for a in rows:
        key = (a.shift_id, a.member_id)
        if any(start < a.shift.end and a.shift.start < end for start, end in absences.get(a.member_id, ())):
            out[key] = "unavailable"
        elif not a.member.active:
            out[key] = "inactive"
        elif key in excluded:
            out[key] = "forbidden"
    return out


def roster_rule_breaks(roster: Roster) -> list[Reason]:
    """The rest of the optimizer's hard rules that the roster breaks on shifts not yet begun (a hand edit can leave
    a patrol without its first-aider, say), less bookings the secretary kept with an override reason, and less
    the conflicts that roster_conflicts reports."""
    rules = WeekRules.of_roster(roster)
    overridden = {(shift_key(s), member_key(m)) for s, m in
                  roster.assignments.exclude(override_reason="").values_list("shift_id", "member_id")}
    overridden_shifts = {s for s, _m in overridden}
    begun = {shift_key(pk) for pk in Shift.objects.filter(pk__in=rules.bundle.shift_ids, start__lte=timezone.now())
             .values_list("pk", flat=True)}
    out = []
    for violation in find_violations(rules.problem, rules.pairs):
        if (violation.code in CONFLICT_CODES or (violation.shift, violation.member) in overridden
                or violation.shift in begun or (violation.member is None and violation.shift in overridden_shifts)):
            continue
        out.append(Reason(violation.code, pk_of(violation.member) if violation.member else None,
                          pk_of(violation.shift) if violation.shift else None))
    return out


def members_fit_for(duty, members, *, day: dt.date, health_visible) -> list:
    """The members who meet the duty's standing rules on `day` (age, health, skills), judged by the solver's own
    eligibility on a one-shift document, as every other "can M take S" here is. Health is sensitive: it only
    counts for members of the communities in `health_visible`, so the answer cannot reveal who is frail."""
    members = list(members)
    document = {
        "format": FORMAT, "timezone": settings.TIME_ZONE,
        "horizon": {"start": day.isoformat(), "end": (day + dt.timedelta(days=1)).isoformat()},
        "duties": [duty_doc(duty)],
        "shifts": [{"id": "s0", "community": "c0", "duty": duty.code, "start": f"{day.isoformat()}T12:00",
                    "end": f"{day.isoformat()}T12:15", "min_staff": 0, "max_staff": max(len(members), 1)}],
        "members": [{"id": member_key(m.pk), "name": m.name, "communities": ["c0"],
                     "birth_date": m.birth_date.isoformat(), "health": m.health,
                     "skills": sorted(s.code for s in m.skills.all())} for m in members],
    }
    problem = load_problem(document)
    shift = problem.shift("s0")
    fit = []
    for member in members:
        reason = personal_reason(problem, shift, problem.member(member_key(member.pk)))
        if reason is None or (reason == "health" and member.community_id not in health_visible):
            fit.append(member)
    return fit

""""Who could take this shift": every member serving the community, judged by the solver's own checker.

The rules are not restated here: the roster-problem document is built by shifts.services.problem, a member's first
failing eligibility rule comes from solver.pair_exclusion, and the roster-wide rules (overlap, rest, weekly limits,
consecutive days, staffing) from solver.check.member_violations on the roster with the member added.
"""

import logging
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from shifts.models import Assignment
from shifts.services.problem import member_key, problem_for_week, shift_key
from volunteers.models import Member

logger = logging.getLogger(__name__)

EXCLUSION_TEXT = {
    "community": _("serves another community"),
    "forbidden": _("excluded from this shift"),
    "age": _("outside the age range of this duty"),
    "night_age": _("above the age limit for night shifts"),
    "health": _("health does not allow this duty"),
    "skill": _("lacks a required skill"),
    "caregiving": _("looks after family at that time"),
    "unavailable": _("has reported being away"),
}

RULE_TEXT = {
    "H1": _("already on this shift"),
    "H2": _("the shift is already full"),
    "H3": _("does not meet the duty's requirements"),
    "H4": _("not available at that time"),
    "H5": _("on another shift at that time, or too little rest between shifts"),
    "H6": _("would go over their weekly limit"),
    "H7": _("would serve too many days in a row"),
    "H8": _("the shift would lack its lead (e.g. a first-aider)"),
    "H9": _("a pinned or excluded assignment is in the way"),
}


@dataclass
class Candidate:
    member: Member
    minutes: int  # already assigned this week in this roster
    reason: str | None  # None: keeps every rule
    reason_text: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def rank(*, roster, shift) -> list[Candidate]:
    """Everyone who serves the shift's community and is not on it yet: rule-keepers first, lightest load first."""
    from solver import load_problem, member_violations, pair_exclusion

    document, ids = _problem(roster)
    problem = load_problem(document)
    target = ids["shift"].get(shift.pk)  # this shift's document id (None if outside the week's problem)
    pairs = [(ids["shift"][s], ids["member"][m]) for s, m in
             Assignment.objects.filter(roster=roster).values_list("shift_id", "member_id")
             if s in ids["shift"] and m in ids["member"]]
    on_shift = {m for s, m in pairs if s == target}
    minutes = _minutes(problem, pairs)
    member_by_key = {key: pk for pk, key in ids["member"].items()}
    members = Member.objects.filter(pk__in=member_by_key.values()).only("name", "community_id").in_bulk()
    out = []
    for key, pk in member_by_key.items():
        if key in on_shift or pk not in members:
            continue
        reason = pair_exclusion(problem, target, key) if target else "community"
        text = EXCLUSION_TEXT.get(reason, "") if reason else ""
        if reason is None:
            violations = member_violations(problem, pairs + [(target, key)], key)
            if violations:
                reason = violations[0].rule
                text = RULE_TEXT.get(reason, violations[0].message)
        if reason == "community":
            continue  # members of other communities are not candidates at all
        out.append(Candidate(members[pk], minutes.get(key, 0), reason, str(text)))
    out.sort(key=lambda c: (not c.ok, c.minutes, c.member.name))
    return out


def _minutes(problem, pairs) -> dict[str, int]:
    totals: dict[str, int] = {}
    for skey, mkey in pairs:
        shift = problem.shift(skey)
        totals[mkey] = totals.get(mkey, 0) + (shift.end - shift.start)
    return totals


def _problem(roster) -> tuple[dict, dict]:
    """The week's roster-problem/1 document, without pins or previous, and the maps {model pk: document id}."""
    bundle = problem_for_week(community=roster.community, week_start=roster.week_start, pins_status=None,
                              previous=False)
    return bundle.document, {"shift": {pk: shift_key(pk) for pk in bundle.shift_ids},
                             "member": {pk: member_key(pk) for pk in bundle.member_ids}}

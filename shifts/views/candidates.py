""""Who could take this shift": every member serving the community, judged by the one home of the rules
(shifts.services.rules), lightest load first."""

from dataclasses import dataclass

from shifts.services.rules import WeekRules, first_reason, reason_detail
from volunteers.models import Member


@dataclass
class Candidate:
    member: Member
    minutes: int  # held this week: in this roster and elsewhere
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
    rules = WeekRules.of_roster(roster)
    on_shift = set(roster.assignments.filter(shift=shift).values_list("member_id", flat=True))
    people = Member.objects.filter(pk__in=rules.bundle.member_ids).only("name", "community_id").in_bulk()
    known = rules.knows(shift_id=shift.pk)
    out = []
    for pk, member in people.items():
        if pk in on_shift:
            continue
        reason = first_reason(r.code for r in rules.can_take(shift.pk, pk)) if known else "community"
        if reason == "community":
            continue  # members of other communities are not candidates at all
        out.append(Candidate(member, rules.load_minutes(pk), reason, reason_detail(reason) if reason else ""))
    out.sort(key=lambda c: (not c.ok, c.minutes, c.member.name))
    return out

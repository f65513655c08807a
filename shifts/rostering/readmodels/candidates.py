""""Who could take this shift": every member serving the community, judged by the one home of the rules
(shifts.rostering.rules), lightest load first; the page shows the best ten, and a name search finds anyone."""

from dataclasses import dataclass

from shifts.rostering.load import WeekLoad, week_load
from shifts.rostering.reasons import first_reason, reason_detail
from shifts.rostering.rules import WeekRules
from volunteers.models import Member
from volunteers.selectors import members_serving


@dataclass
class Candidate:
    """A member who might take a shift, with this week's load (shifts.rostering.load.week_load): 谁能接？ lists
    everyone with the first rule they would break, the swap forms only those who keep every rule."""

    member: Member
    load: WeekLoad
    reason: str | None = None  # None: keeps every rule
    reason_text: str = ""

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def minutes(self) -> int:
        return self.load.minutes

    @property
    def shifts(self) -> int:
        return self.load.shifts

    @property
    def hours(self) -> float:
        return self.load.hours


def rank(*, roster, shift) -> list[Candidate]:
    """Everyone who serves the shift's community and is not on it yet: rule-keepers first, lightest load first."""
    serving = set(members_serving(roster.community).values_list("pk", flat=True))
    rules = WeekRules.around_roster(roster, member_ids=serving, shift_ids={shift.pk})
    on_shift = set(roster.assignments.filter(shift=shift).values_list("member_id", flat=True))
    people = Member.objects.filter(pk__in=serving & rules.bundle.member_ids).only("name", "community_id").in_bulk()
    known = rules.knows(shift_id=shift.pk)
    loads = week_load(list(people), roster.week_start, roster=roster)
    out = []
    for pk, member in people.items():
        if pk in on_shift:
            continue
        reason = first_reason(r.code for r in rules.can_take(shift.pk, pk)) if known else "community"
        if reason == "community":
            continue  # members of other communities are not candidates at all
        out.append(Candidate(member, loads.get(pk, WeekLoad()), reason, reason_detail(reason) if reason else ""))
    out.sort(key=lambda c: (not c.ok, c.minutes, c.member.name))
    return out


BEST = 10


@dataclass
class CandidateView:
    """What the 谁能接？ page shows: the best ten, or everyone whose name holds the search text."""
    shift: object
    on_shift: list  # the members on the shift in this roster now
    ranked: list  # every Candidate, best first
    query: str = ""

    @property
    def staffed(self) -> int:
        return len(self.on_shift)

    @property
    def found_on_shift(self) -> list:
        """Members on the shift already whose name holds the search text: the search finds them too."""
        if not self.query:
            return []
        return [m for m in self.on_shift if self.query.casefold() in m.name.casefold()]

    @property
    def shown(self) -> list:
        if self.query:
            return [c for c in self.ranked if self.query.casefold() in c.member.name.casefold()]
        return self.ranked[:BEST]

    @property
    def total(self) -> int:
        return len(self.ranked)

    @property
    def able(self) -> int:
        """How many keep every rule."""
        return sum(1 for c in self.ranked if c.ok)


def candidate_view(*, roster, shift, query: str = "") -> CandidateView:
    ranked = rank(roster=roster, shift=shift)
    on_shift = [a.member for a in roster.assignments.filter(shift=shift).select_related("member")
                .order_by("member__name")]
    return CandidateView(shift=shift, on_shift=on_shift, ranked=ranked, query=" ".join((query or "").split())[:60])

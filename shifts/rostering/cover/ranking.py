"""Who a call-down asks, best first: the members who keep every rule for the shift (judged by the one rule of
谁能接？, shifts.rostering.readmodels.candidates.rank, on the published roster), less those already asked, those
who said "don't ask me this week", those who said they cannot come to a shift of the week, and those with another
call-down's question still to answer; then, for a home visit, the household's familiar visitors first; then the
lightest load this week (whole hours), the usual teammates of the members on the shift, and the fewest minutes."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from shifts.models import Assignment, CoverAsk, CoverOptOut, Roster, Shift
from shifts.models.duties import is_visit
from shifts.rostering.readmodels.candidates import Candidate, rank
from shifts.rostering.selectors import members_withdrawn_in_week

TEAMMATE_WEEKS = 8  # shared shifts counted over this many weeks before the shift
VISITOR_WEEKS = 12  # who visited the household in this many weeks counts as familiar


@dataclass
class Ranked:
    candidate: Candidate
    teammate: int = 0  # shifts shared with the members on the shift lately
    familiar: bool = False  # a visit: the household's usual or recent visitor

    @property
    def member(self):
        return self.candidate.member

    def key(self):
        return (not self.familiar, self.candidate.minutes // 60, -self.teammate, self.candidate.minutes,
                self.member.name, self.member.pk)


def _teammates(shift: Shift, on_shift: set[int]) -> Counter:
    """member id -> published shifts shared lately with the members on the shift now."""
    if not on_shift:
        return Counter()
    since = shift.start - dt.timedelta(weeks=TEAMMATE_WEEKS)
    theirs = Assignment.objects.filter(member_id__in=on_shift, roster__status=Roster.Status.PUBLISHED,
                                       shift__start__gte=since, shift__start__lt=shift.start).values("shift_id")
    shared = (Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift_id__in=theirs)
              .exclude(member_id__in=on_shift).values_list("member_id", flat=True))
    return Counter(shared)


def _familiar(shift: Shift) -> set[int]:
    """A visit's household: its preferred visitors and whoever visited it lately."""
    if not is_visit(shift) or shift.visit_target_id is None:
        return set()
    preferred = set(shift.visit_target.preferred_visitors.values_list("pk", flat=True))
    since = shift.start - dt.timedelta(weeks=VISITOR_WEEKS)
    recent = set(Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED,
                                           shift__visit_target_id=shift.visit_target_id, shift__start__gte=since,
                                           shift__start__lt=shift.start).values_list("member_id", flat=True))
    return preferred | recent


def cover_rank(*, roster: Roster, shift: Shift, skip=frozenset()) -> list[Ranked]:
    """The members a call-down on `shift` of the published `roster` may ask, best first (see the module)."""
    opted_out = set(CoverOptOut.objects.filter(week_start=roster.week_start).values_list("member_id", flat=True))
    # one question at a time: a member still to answer another call-down's ask is not asked a second one
    pending = set(CoverAsk.objects.filter(answer=CoverAsk.Answer.WAITING, call__state="open")
                  .exclude(call__shift=shift).values_list("member_id", flat=True))
    # who said they cannot come to a shift of this week is not asked to take another (shifts.rostering.selectors)
    skip = set(skip) | opted_out | pending | members_withdrawn_in_week(roster.week_start)
    on_shift = set(roster.assignments.filter(shift=shift).values_list("member_id", flat=True))
    teammates = _teammates(shift, on_shift)
    familiar = _familiar(shift)
    out = [Ranked(c, teammates.get(c.member.pk, 0), c.member.pk in familiar)
           for c in rank(roster=roster, shift=shift) if c.ok and c.member.pk not in skip]
    out.sort(key=Ranked.key)
    return out


def already_asked(call) -> set[int]:
    return set(CoverAsk.objects.filter(call=call).values_list("member_id", flat=True))

"""What people see of call-downs: the secretary's dashboard list (live ones, and those ended lately) and the badge
on each shift of the week grid; the member's own asks on My shifts. A few queries for any number of call-downs."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from shifts.messaging.labels import shift_label, shift_title
from shifts.models import CoverAsk, CoverCall
from shifts.models.duties import is_visit
from volunteers.models import Member

RECENT = dt.timedelta(hours=12)  # an ended call-down stays on the dashboard this long


@dataclass
class CoverStatus:
    call: CoverCall
    counts: Counter = field(default_factory=Counter)
    label: str = ""

    @property
    def live(self) -> bool:
        return self.call.state in (CoverCall.State.OPEN, CoverCall.State.EXHAUSTED)

    @property
    def asking_again(self) -> bool:
        """Nobody was left, and then someone new could take the shift: the call-down is asking them."""
        return self.call.state == CoverCall.State.OPEN and self.call.rounds > 0

    @property
    def asked(self) -> int:
        return sum(self.counts.values())

    @property
    def declined(self) -> int:
        return self.counts[CoverAsk.Answer.NO] + self.counts[CoverAsk.Answer.OPT_OUT]

    @property
    def waiting(self) -> int:
        return self.counts[CoverAsk.Answer.WAITING]


def _statuses(calls) -> list[CoverStatus]:
    calls = list(calls)
    counts: dict[int, Counter] = {c.pk: Counter() for c in calls}
    for call_id, answer in CoverAsk.objects.filter(call_id__in=counts).values_list("call_id", "answer"):
        counts[call_id][answer] += 1
    return [CoverStatus(c, counts[c.pk]) for c in calls]


def cover_calls_for_dashboard(communities, now: dt.datetime | None = None) -> list[CoverStatus]:
    """Live call-downs of these communities (nobody left to ask first, then by start), and those ended lately."""
    now = now or timezone.now()
    calls = (CoverCall.objects.filter(community__in=communities, shift__end__gt=now)
             .filter(state__in=(CoverCall.State.OPEN, CoverCall.State.EXHAUSTED))
             | CoverCall.objects.filter(community__in=communities, closed_at__gte=now - RECENT))
    calls = calls.select_related("shift__duty", "shift__community", "filled_by", "community").distinct()
    out = _statuses(calls)
    for status in out:
        status.label = shift_label(status.call.shift, private=True)  # staff of the shift's community
    out.sort(key=lambda s: (not s.live, s.call.state != CoverCall.State.EXHAUSTED, s.call.shift.start))
    return out


def cover_badges(shift_ids) -> dict[int, CoverStatus]:
    """shift id -> its latest call-down, for the week grid's badge."""
    latest: dict[int, CoverCall] = {}
    for call in CoverCall.objects.filter(shift_id__in=shift_ids).select_related("filled_by").order_by("started_at"):
        latest[call.shift_id] = call
    return {s.call.shift_id: s for s in _statuses(latest.values())}


@dataclass
class MemberCoverAsk:
    """One ask on the member's My shifts: `state` open (answer it), taken (someone else took it) or closed (the
    secretary stopped it: no longer needed). `title` and `place` never name a visited household: a home visit
    is 入户探访 to whoever is asked (they are not its visitor yet), its meeting point (the door) is left out."""
    ask: CoverAsk
    state: str
    title: str
    place: str

    @property
    def shift(self):
        return self.ask.call.shift


def cover_asks_for_member(member: Member, now: dt.datetime | None = None) -> list[MemberCoverAsk]:
    """The member's cover asks to show: still open (the shift not begun), or ended by someone else's yes or the
    secretary's stop while the member had not said no (until the shift is over). One per shift, the latest."""
    now = now or timezone.now()
    rows = (CoverAsk.objects.filter(member=member, call__shift__end__gt=now)
            .exclude(answer__in=(CoverAsk.Answer.YES, CoverAsk.Answer.NO, CoverAsk.Answer.OPT_OUT))
            .select_related("call__shift__duty", "call__shift__community").order_by("call__started_at"))
    latest = {ask.call.shift_id: ask for ask in rows}  # a shift short again has a newer call-down
    out = []
    for ask in latest.values():
        state = _ask_state(ask, now)
        if state:
            shift = ask.call.shift
            out.append(MemberCoverAsk(ask=ask, state=state, title=shift_title(shift),
                                      place="" if is_visit(shift) else shift.location))
    return sorted(out, key=lambda a: (a.shift.start, a.ask.pk))


def _ask_state(ask: CoverAsk, now) -> str:
    call, State = ask.call, CoverCall.State
    if call.state in (State.OPEN, State.EXHAUSTED):
        return "open" if ask.answer == CoverAsk.Answer.WAITING and call.shift.start > now else ""
    if call.state == State.FILLED and call.filled_by_id != ask.member_id:
        return "taken"
    return "closed" if call.state == State.STOPPED else ""

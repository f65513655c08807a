"""What the secretary sees of call-downs: the dashboard's list (live ones, and those ended lately) and the badge
on each shift of the week grid. A few queries for any number of call-downs."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone

from shifts.messaging.labels import shift_label
from shifts.models import CoverAsk, CoverCall

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

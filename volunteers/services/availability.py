"""Tell the rostering side that a member's availability changed: the one place that announces it.

Rosters reach at most AVAILABILITY_SPAN ahead: the weekly job drafts next week, re-plan proposals follow the
published weeks, and secretaries plan a few weeks beyond. shifts re-plans whatever the member holds in that span
(shifts.rostering.follow.plans_follow uses the same span as its default).
"""

import datetime as dt
from collections.abc import Iterable
from functools import partial

from django.db import transaction
from django.utils import timezone

from volunteers.models import Member
from volunteers.signals import availability_changed

AVAILABILITY_SPAN = dt.timedelta(weeks=6)


def availability_announce(*, member_ids: Iterable[int], reason: str) -> None:
    """After the current transaction commits, send availability_changed for each member, over
    [now, now + AVAILABILITY_SPAN). Outside a transaction it is sent at once."""
    ids = list(dict.fromkeys(member_ids))
    if ids:
        transaction.on_commit(partial(_send, ids, reason))


def _send(member_ids: list[int], reason: str) -> None:
    start = timezone.now()
    for member_id in member_ids:
        availability_changed.send(sender=Member, member_id=member_id, start=start, end=start + AVAILABILITY_SPAN,
                                  reason=reason)

"""What the dashboard shows about reaching members: who no channel reaches, and shifts nobody confirmed."""

import datetime as dt

from django.utils import timezone

from shifts.messaging.selectors import members_unreachable

UNREACHED_LOOKBACK = dt.timedelta(days=30)


def reach_context(communities) -> dict:
    from shifts.rostering.confirmations import confirmations_overdue

    ids = [c.pk for c in communities]
    return {"unreachable": members_unreachable(ids, since=timezone.now() - UNREACHED_LOOKBACK),
            "unconfirmed": confirmations_overdue(community_ids=ids)}

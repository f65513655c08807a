"""What each message says: build the context for the templates in shifts/templates/shifts/mail/."""

import datetime as dt
import logging
from collections import defaultdict

from django.utils import timezone

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member
from shifts.models import Notification, Roster, Shift
from shifts.rostering.confirmations import confirmations_request
from volunteers.models import Member

logger = logging.getLogger(__name__)


def _roster_message_key(roster_pk: int, member_pk: int) -> str:
    return f"roster:{roster_pk}:m{member_pk}"


def roster_changed_notify(roster: Roster) -> int:
    """One message per member whose shifts changed in this published version (dedupe: roster + member)."""
    diff = roster.diff or {}
    changes: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"added": [], "removed": []})
    for key in ("added", "removed"):
        for item in diff.get(key, []):
            changes[item["member"]][key].append(item["shift"])
    shifts = {s.pk: s for s in Shift.objects.filter(
        pk__in={pk for c in changes.values() for key in c for pk in c[key]}).select_related("duty", "community")}
    count = 0
    for member in Member.objects.filter(pk__in=changes):
        change = changes[member.pk]
        context = {"week_start": roster.week_start, "version": roster.version, "urgent": roster.urgent,
                   "first_version": roster.version == 1,
                   # The member is the visitor of the shifts added; of those removed, no longer.
                   "added": [shift_line(shifts[pk], private=True)
                             for pk in sorted(change["added"], key=lambda p: shifts[p].start)],
                   "removed": [shift_line(shifts[pk])
                               for pk in sorted(change["removed"], key=lambda p: shifts[p].start)]}
        notify_member(member=member, kind="roster_changed", dedupe_key=_roster_message_key(roster.pk, member.pk),
                      context=context, urgent=roster.urgent)
        count += 1
    logger.info("roster %s published: %d members notified", roster.pk, count)
    return count


# A roster published while the queue's broker was down could not queue its messages (rosters._after_publish logs
# it and moves on). This sweep, run every few minutes by the cluster once the broker is back, sends them: the
# dedupe keys make it safe to run while the original task is still on its way.
CATCH_UP_WINDOW = dt.timedelta(days=2)
CATCH_UP_GRACE = dt.timedelta(minutes=2)  # the ordinary task normally has sent them by then


def roster_published_notify(roster: Roster) -> int:
    """Everything a publish tells members: each member whose shifts changed, and the request to confirm the week
    (both idempotent on their dedupe keys). Returns how many were told of a change."""
    count = roster_changed_notify(roster)
    confirmations_request(roster=roster)
    return count


def roster_messages_catch_up(now: dt.datetime | None = None) -> int:
    """Send the missing messages of rosters published in the last two days (current versions only: a
    superseded version's changes were overtaken by the next one's message). Returns how many rosters."""
    now = now or timezone.now()
    rosters = Roster.objects.filter(status=Roster.Status.PUBLISHED, published_at__gte=now - CATCH_UP_WINDOW,
                                    published_at__lte=now - CATCH_UP_GRACE).select_related("community")
    caught_up = 0
    for roster in rosters:
        diff = roster.diff or {}
        keys = {_roster_message_key(roster.pk, item["member"])
                for key in ("added", "removed") for item in diff.get(key, [])}
        if keys and Notification.objects.filter(dedupe_key__in=keys).count() < len(keys):
            logger.warning("roster %s: sending messages that were never queued", roster.pk)
            roster_published_notify(roster)
            caught_up += 1
    return caught_up

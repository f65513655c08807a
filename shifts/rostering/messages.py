"""What each message says: build the context for the templates in shifts/templates/shifts/mail/."""

import datetime as dt
import logging

from django.utils import timezone

from shifts.messaging.notify import notify_member
from shifts.models import Notification, Roster, WeekConfirmation
from shifts.rostering.affected import Affected, affected_context, roster_affected
from shifts.rostering.confirmations import confirmations_request

logger = logging.getLogger(__name__)


def _roster_message_key(roster_pk: int, member_pk: int) -> str:
    return f"roster:{roster_pk}:m{member_pk}"


def roster_changed_notify(roster: Roster, *, skip=frozenset(), people: list[Affected] | None = None) -> int:
    """One message per person this published version affects (shifts.rostering.affected: their shifts changed,
    or a teammate on a shift they keep), except those in `skip` (asked to confirm the week: that request says
    what changed). Their own change is a roster_changed message, a teammate's alone a partner_changed one; either
    way one per person per version (dedupe: roster + member), naming every change at once."""
    people = roster_affected(roster) if people is None else people
    count = 0
    for person in people:
        if person.member.pk in skip:
            continue
        notify_member(member=person.member, kind=person.kind,
                      dedupe_key=_roster_message_key(roster.pk, person.member.pk),
                      context=affected_context(roster, person), urgent=roster.urgent)
        count += 1
    logger.info("roster %s published: %d members notified", roster.pk, count)
    return count


def _asked_to_confirm(roster: Roster) -> dict[int, int]:
    """member id -> confirmation id of those asked to confirm the week for this version."""
    return dict(WeekConfirmation.objects.filter(community_id=roster.community_id, week_start=roster.week_start,
                                                roster_version=roster.version)
                .values_list("member_id", "pk"))


# A roster published while the queue's broker was down could not queue its messages (rosters._after_publish logs
# it and moves on). This sweep, run every few minutes by the cluster once the broker is back, sends them: the
# dedupe keys make it safe to run while the original task is still on its way.
CATCH_UP_WINDOW = dt.timedelta(days=2)
CATCH_UP_GRACE = dt.timedelta(minutes=2)  # the ordinary task normally has sent them by then


def roster_published_notify(roster: Roster) -> int:
    """Everything a publish tells members, one message per person (all idempotent on their dedupe keys): the
    request to confirm the week, saying what changed, to those whose shifts changed; one plain message to everyone
    else affected (shifts.rostering.affected, what the proposal page previewed). Members it does not affect hear
    nothing. Returns how many were told by a roster_changed or partner_changed message."""
    people = roster_affected(roster)
    confirmations_request(roster=roster, changes={p.member.pk: affected_context(roster, p) for p in people})
    return roster_changed_notify(roster, skip=set(_asked_to_confirm(roster)), people=people)


def roster_messages_catch_up(now: dt.datetime | None = None) -> int:
    """Send the missing messages of rosters published in the last two days (current versions only: a
    superseded version's changes were overtaken by the next one's message). Returns how many rosters."""
    now = now or timezone.now()
    rosters = Roster.objects.filter(status=Roster.Status.PUBLISHED, published_at__gte=now - CATCH_UP_WINDOW,
                                    published_at__lte=now - CATCH_UP_GRACE).select_related("community")
    caught_up = 0
    for roster in rosters:
        asked = _asked_to_confirm(roster)  # a member asked to confirm heard of the change in that request
        keys = {f"confirm:{asked[m]}:v{roster.version}" if m in asked else _roster_message_key(roster.pk, m)
                for m in {person.member.pk for person in roster_affected(roster)}}
        if keys and Notification.objects.filter(dedupe_key__in=keys).count() < len(keys):
            logger.warning("roster %s: sending messages that were never queued", roster.pk)
            roster_published_notify(roster)
            caught_up += 1
    return caught_up

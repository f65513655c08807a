"""What each message says: build the context for the templates in shifts/templates/shifts/mail/."""

import datetime as dt
import logging
from collections import defaultdict

from django.utils import timezone

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member
from shifts.models import Notification, Roster, Shift, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from volunteers.models import Member

logger = logging.getLogger(__name__)


def _roster_message_key(roster_pk: int, member_pk: int) -> str:
    return f"roster:{roster_pk}:m{member_pk}"


def _changes(roster: Roster) -> tuple[dict[int, dict], dict[int, Shift]]:
    """member id -> the message context of what this version changed for them; and the shifts concerned."""
    diff = roster.diff or {}
    changes: dict[int, dict[str, list[int]]] = defaultdict(lambda: {"added": [], "removed": []})
    for key in ("added", "removed"):
        for item in diff.get(key, []):
            changes[item["member"]][key].append(item["shift"])
    shifts = {s.pk: s for s in Shift.objects.filter(
        pk__in={pk for c in changes.values() for key in c for pk in c[key]}).select_related("duty", "community")}
    contexts = {}
    for member_pk, change in changes.items():
        contexts[member_pk] = {
            "week_start": roster.week_start, "version": roster.version, "urgent": roster.urgent,
            "first_version": roster.version == 1,
            # The member is the visitor of the shifts added; of those removed, no longer.
            "added": [shift_line(shifts[pk], private=True)
                      for pk in sorted(change["added"], key=lambda p: shifts[p].start)],
            "removed": [shift_line(shifts[pk]) for pk in sorted(change["removed"], key=lambda p: shifts[p].start)]}
    return contexts, shifts


def roster_changed_notify(roster: Roster, *, skip=frozenset(), contexts: dict | None = None) -> int:
    """One message per member whose shifts changed in this published version (dedupe: roster + member), except
    those in `skip` (asked to confirm the week: that request says what changed)."""
    contexts = contexts if contexts is not None else _changes(roster)[0]
    count = 0
    for member in Member.objects.filter(pk__in=set(contexts) - set(skip)):
        notify_member(member=member, kind="roster_changed", dedupe_key=_roster_message_key(roster.pk, member.pk),
                      context=contexts[member.pk], urgent=roster.urgent)
        count += 1
    logger.info("roster %s published: %d members notified", roster.pk, count)
    return count


def _asked_to_confirm(roster: Roster) -> dict[int, int]:
    """member id -> confirmation id of those asked to confirm the week for this version."""
    return dict(WeekConfirmation.objects.filter(community_id=roster.community_id, week_start=roster.week_start,
                                                roster_version=roster.version)
                .values_list("member_id", "pk"))


def partners_changed_notify(roster: Roster, *, told=frozenset(), shifts: dict | None = None) -> int:
    """A member whose own shift stayed but whose partner on it changed hears it in one plain message: who is on
    it with them now. Members already told of this version (`told`) are not sent a second message."""
    diff = roster.diff or {}
    moved = defaultdict(set)  # shift id -> members added to or removed from it
    for key in ("added", "removed"):
        for item in diff.get(key, []):
            moved[item["shift"]].add(item["member"])
    if not moved:
        return 0
    on_shift = defaultdict(list)
    for assignment in (roster.assignments.filter(shift_id__in=moved).select_related("member")
                       .order_by("member__name")):
        on_shift[assignment.shift_id].append(assignment.member)
    shifts = shifts or {s.pk: s for s in Shift.objects.filter(pk__in=moved).select_related("duty", "community")}
    lines = defaultdict(list)  # teammate -> [(shift, names now with them)]
    teammates = {}
    for shift_id, members in on_shift.items():
        for mate in members:
            if mate.pk in moved[shift_id] or mate.pk in told:
                continue
            teammates[mate.pk] = mate
            lines[mate.pk].append({"shift": shift_line(shifts[shift_id], private=True),  # they visit too
                                   "with": [m.name for m in members if m.pk != mate.pk]})
    for pk, mate in teammates.items():
        rows = sorted(lines[pk], key=lambda r: r["shift"]["start"])
        notify_member(member=mate, kind="partner_changed", dedupe_key=f"partner:{roster.pk}:m{pk}",
                      context={"week_start": roster.week_start, "changes": rows}, urgent=roster.urgent)
    return len(teammates)


# A roster published while the queue's broker was down could not queue its messages (rosters._after_publish logs
# it and moves on). This sweep, run every few minutes by the cluster once the broker is back, sends them: the
# dedupe keys make it safe to run while the original task is still on its way.
CATCH_UP_WINDOW = dt.timedelta(days=2)
CATCH_UP_GRACE = dt.timedelta(minutes=2)  # the ordinary task normally has sent them by then


def roster_published_notify(roster: Roster) -> int:
    """Everything a publish tells members, one message each (all idempotent on their dedupe keys): the request to
    confirm the week, saying what changed; a change to those not asked; and to teammates whose partner changed.
    Returns how many were told of a change by a roster_changed message."""
    contexts, shifts = _changes(roster)
    confirmations_request(roster=roster, changes=contexts)
    asked = _asked_to_confirm(roster)
    count = roster_changed_notify(roster, skip=set(asked), contexts=contexts)
    partners_changed_notify(roster, told=set(contexts) | set(asked), shifts=shifts)
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
        asked = _asked_to_confirm(roster)  # a member asked to confirm heard of the change in that request
        keys = {f"confirm:{asked[m]}:v{roster.version}" if m in asked else _roster_message_key(roster.pk, m)
                for m in {item["member"] for key in ("added", "removed") for item in diff.get(key, [])}}
        if keys and Notification.objects.filter(dedupe_key__in=keys).count() < len(keys):
            logger.warning("roster %s: sending messages that were never queued", roster.pk)
            roster_published_notify(roster)
            caught_up += 1
    return caught_up

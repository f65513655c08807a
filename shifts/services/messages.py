"""What each message says: build the context for the templates in shifts/templates/shifts/mail/."""

import logging
from collections import defaultdict

from shifts.models import Roster, Shift
from volunteers.models import Member

from .notify import notify_member

logger = logging.getLogger(__name__)


def shift_line(shift: Shift, *, private: bool = False) -> dict:
    """Plain values for a message: no health, caregiving or address ever goes in here. A home visit's name
    and meeting point (often the household's door) only when `private`: to its visitor or the community's
    secretaries (see shifts.selectors.shift_title)."""
    from shifts.feeds.content import is_visit
    from shifts.selectors import shift_title

    visit = is_visit(shift)
    return {"duty": shift.duty.name, "duty_en": shift.duty.name_en or shift.duty.name,
            "name": shift_title(shift, private=private) if shift.name or (visit and not private) else "",
            "start": shift.start, "end": shift.end, "location": "" if visit and not private else shift.location,
            "community": shift.community.name}


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
        notify_member(member=member, kind="roster_changed", dedupe_key=f"roster:{roster.pk}:m{member.pk}",
                      context=context, urgent=roster.urgent)
        count += 1
    logger.info("roster %s published: %d members notified", roster.pk, count)
    return count

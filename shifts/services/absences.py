"""A member can't come, or their availability rules changed: record it and re-plan the published weeks."""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from shifts import signals
from shifts.models import Assignment, Roster, SolveRun
from volunteers.models import Community, Member, Unavailability
from volunteers.services.audit import audit_log

from .repair import repair_request
from .weeks import week_start_of

logger = logging.getLogger(__name__)

# How far ahead a change of health, caregiving or activity can touch published rosters.
LOOKAHEAD = dt.timedelta(weeks=6)


def absence_report(*, member: Member, start: dt.datetime, end: dt.datetime, reason: str, by=None,
                   note: str = "") -> Unavailability:
    """Record that the member cannot come in [start, end); after commit, availability_changed re-plans the
    published weeks it touches and the member gets a confirmation."""
    absence = Unavailability(member=member, start=start, end=end, reason=reason, note=note)
    absence.full_clean()
    absence.save()
    audit_log(action="volunteers.absence.reported", actor=by, community=member.community, obj=absence,
              data={"member": member.pk, "start": start.isoformat(), "end": end.isoformat(), "reason": reason})
    transaction.on_commit(partial(signals.availability_changed.send, sender=Unavailability, member_id=member.pk,
                                  start=start, end=end, reason=reason))
    transaction.on_commit(partial(_confirm_absence, absence.pk))
    # The re-plan itself is queued by shifts.services.receivers when availability_changed arrives.
    return absence


def _confirm_absence(absence_id: int) -> None:
    from .notify import notify_member

    absence = Unavailability.objects.select_related("member").get(pk=absence_id)
    notify_member(member=absence.member, kind="absence_recorded", dedupe_key=f"absence:{absence.pk}",
                  context={"start": absence.start, "end": absence.end})


def member_availability_changed(*, member: Member, start: dt.datetime | None = None,
                                end: dt.datetime | None = None, reason: str = "", by=None) -> list[SolveRun]:
    """Queue a repair for every published community-week where the member holds a shift in [start, end)
    that has not begun. Call it after an absence, a health or caregiving change, or marking someone inactive.
    """
    now = timezone.now()
    start = max(start or now, now)
    end = end or now + LOOKAHEAD
    if end <= start:
        return []
    held = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__lt=end, shift__end__gt=start, shift__start__gt=now)
            .values_list("roster__community_id", "roster__week_start").distinct())
    runs = []
    for community_id, week_start in sorted(set(held)):
        community = Community.objects.get(pk=community_id)
        # The reason (e.g. illness) is health information: only the member's home community sees it.
        shown = reason if community_id == member.community_id else "unavailable"
        run = repair_request(community=community, week_start=week_start_of(week_start),
                             reason=f"{member.name}: {shown}"[:300] if shown else member.name, by=by)
        if run is not None:
            runs.append(run)
    logger.info("availability of member %s changed: %d repairs queued", member.pk, len(runs))
    return runs

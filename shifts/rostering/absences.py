"""A member can't come, or their availability rules changed: record it, and make every roster it touches follow."""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone

from shifts.messaging.jobs import message_job_queue
from shifts.messaging.notify import notify_member
from shifts.models import Assignment, Roster
from shifts.rostering.follow import plans_follow
from volunteers.models import Member, Unavailability
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


def absence_report(*, member: Member, start: dt.datetime, end: dt.datetime, reason: str, by=None,
                   note: str = "") -> Unavailability:
    """Record that the member cannot come in [start, end); after commit the rosters it touches follow it
    (shifts.rostering.follow.plans_follow) and the member's confirmation message is queued (never sent inside
    the caller's request: shifts.messaging.jobs).

    Idempotent: an absence of the member that already covers the whole of [start, end) is the answer, so a
    double tap, a repeated link or a provider's retried reply records one absence per shift, however often it is
    sent. The member's row lock makes "look, then write" one step when two such requests arrive together."""
    absence = Unavailability(member=member, start=start, end=end, reason=reason, note=note)
    absence.full_clean()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        covering = (Unavailability.objects.filter(member=member, start__lte=start, end__gte=end)
                    .order_by("pk").first())
        if covering is not None:
            logger.info("absence of member %s for %s already recorded (%s)", member.pk, start, covering.pk)
            if _still_booked(member, start, end):  # booked again since (a secretary's reasoned override)
                transaction.on_commit(partial(_replan_after_absence, member.pk, start, end, reason))
            return covering
        absence.save()
        audit_log(action="volunteers.absence.reported", actor=by, community=member.community, obj=absence,
                  data={"member": member.pk, "start": start.isoformat(), "end": end.isoformat(), "reason": reason})
        transaction.on_commit(partial(_replan_after_absence, member.pk, start, end, reason))
        message_job_queue(task="shifts.tasks.absence_confirmation_send", args=[absence.pk],
                          key=f"absence:{absence.pk}")
    return absence


def _still_booked(member: Member, start: dt.datetime, end: dt.datetime) -> bool:
    return Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lt=end,
                                     shift__end__gt=start, shift__start__gt=timezone.now()).exists()


def _replan_after_absence(member_id: int, start: dt.datetime, end: dt.datetime, reason: str) -> None:
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return
    try:  # as the system (by=None), as before: the re-plan is Yure's, whoever reported the absence
        plans_follow(member=member, start=start, end=end, cause=reason)
    except Exception:  # the absence is recorded and committed; a failed re-plan must not turn it into a 500
        logger.exception("could not queue a re-plan after an absence of member %s", member_id)


def absence_confirmation_send(*, absence_id: int) -> None:
    """The member's confirmation that their absence is recorded; runs on the queue (shifts.tasks), once."""
    absence = Unavailability.objects.select_related("member").filter(pk=absence_id).first()
    if absence is None:  # withdrawn by the secretary before the queue got to it
        return
    notify_member(member=absence.member, kind="absence_recorded", dedupe_key=f"absence:{absence.pk}",
                  context={"start": absence.start, "end": absence.end})

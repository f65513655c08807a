"""Receivers that turn events into queued work. Cheap: they only queue repairs; the solving is on the queue."""

import logging

from django.dispatch import receiver

from shifts.signals import availability_changed
from volunteers.models import Member

from .absences import member_availability_changed

logger = logging.getLogger(__name__)


@receiver(availability_changed, dispatch_uid="shifts.lifecycle.replan_on_availability_change")
def replan_on_availability_change(sender, member_id, start=None, end=None, reason="", **kwargs):
    """An absence, a health or caregiving change or an inactive member: re-plan the published weeks touched."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return
    try:
        member_availability_changed(member=member, start=start, end=end, reason=reason or "")
    except Exception:  # the sender's request already committed; a failed re-plan must not turn it into a 500
        logger.exception("could not queue a re-plan for member %s", member_id)

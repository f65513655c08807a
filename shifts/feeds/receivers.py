"""Keep feeds current: record staffing changes and raise feed generations when assignments or shifts change.

The project's signals arrive after commit (see shifts/signals.py). A failure here must never undo or break a
publish, so it is logged; feeds then catch up within the hour, when their cached render expires anyway.
"""

import logging

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from shifts.feeds.services import feed_changes_apply, feed_shift_deleting
from shifts.models import Shift
from shifts.signals import assignments_changed, shift_changed

logger = logging.getLogger(__name__)


@receiver(assignments_changed, dispatch_uid="feeds.assignments_changed")
def on_assignments_changed(sender, member_ids=(), shift_ids=(), community_ids=(), removed=(), **kwargs):
    try:
        feed_changes_apply(member_ids=member_ids or (), shift_ids=shift_ids or (),
                           community_ids=community_ids or (), removed=removed or ())
    except Exception:
        logger.exception("feeds: could not record an assignment change")


@receiver(shift_changed, dispatch_uid="feeds.shift_changed")
def on_shift_changed(sender, shift_id=None, community_id=None, **kwargs):
    try:
        feed_changes_apply(shift_ids=[shift_id] if shift_id else [],
                           community_ids=[community_id] if community_id else [])
    except Exception:
        logger.exception("feeds: could not record a change to shift %s", shift_id)


@receiver(pre_delete, sender=Shift, dispatch_uid="feeds.shift_deleting")
def on_shift_deleting(sender, instance, **kwargs):
    # Inside the deleting transaction, so the cancelled events roll back with it; not caught: a failure here
    # would otherwise silently leave members with a shift that vanished without notice.
    feed_shift_deleting(shift=instance)

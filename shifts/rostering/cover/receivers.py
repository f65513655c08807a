"""Key 1 on a voice call that asked for cover (shifts.signals.call_answered, kind cover_ask) is the member's
我来接班: the same answer service as the page, under the same lock."""

import logging

from django.dispatch import receiver

from shifts import signals
from shifts.models import CoverAsk, Notification
from shifts.rostering.cover.answers import YES, cover_answer

logger = logging.getLogger(__name__)

KEY_PREFIX = "cover-ask:"


def ask_for_notification(notification: Notification) -> CoverAsk | None:
    """The ask a cover_ask message was sent for (its dedupe key, also a relative's copy's: cover-ask:<id>[:p<n>])."""
    key = notification.dedupe_key or ""
    if notification.kind != "cover_ask" or not key.startswith(KEY_PREFIX):
        return None
    try:
        pk = int(key[len(KEY_PREFIX):].split(":", 1)[0])
    except ValueError:
        return None
    return CoverAsk.objects.filter(pk=pk).first()


@receiver(signals.call_answered, dispatch_uid="shifts.cover.call_answered")
def cover_call_answered(sender, notification_id, kind, digit, member_id=None, **kwargs):
    if kind != "cover_ask" or str(digit) != "1":
        return None
    notification = Notification.objects.select_related("proxy").filter(pk=notification_id).first()
    ask = ask_for_notification(notification) if notification is not None else None
    if ask is None:
        return None
    for_member = member_id if member_id is not None else (notification.proxy.member_id if notification.proxy_id
                                                          else None)
    if for_member != ask.member_id:
        logger.warning("call %s: key press for member %s on an ask for member %s", notification_id, member_id,
                       ask.member_id)
        return None
    return cover_answer(ask=ask, answer=YES, via="voice")

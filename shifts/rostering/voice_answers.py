"""A key press on a confirmation call (shifts.signals.call_answered, kind confirm_request or confirm_reminder):
1 confirms the week, 2 is "I can't come", exactly as the member's tap in the app or on the link (the same
confirmation service, under the same row lock; "can't come" reports the absences and the re-plan follows through
plans_follow). The call is for one week and one version of it: a call about an older version, a week already
begun, or a member no longer active does nothing. A second press changes nothing."""

import logging
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from shifts.models import Notification, WeekConfirmation
from shifts.rostering.confirmations import _answer_locked, _locked
from shifts.signals import call_answered

logger = logging.getLogger(__name__)

# The call rows of confirmations_request / confirmations_remind: "<their message key>:call".
_CONFIRM_CALL_KEY = re.compile(r"^confirm(?:-reminder)?:(\d+):v(\d+)(?::p\d+)?:call$")
CONFIRM_KINDS = ("confirm_request", "confirm_reminder")


def confirmation_answer_by_call(*, notification_id: int, digit: str) -> WeekConfirmation | None:
    """The confirmation answered by the key press, or None when the press does nothing."""
    if digit not in ("1", "2"):
        return None
    call = (Notification.objects.filter(pk=notification_id, channel=Notification.Channel.VOICE,
                                        kind__in=CONFIRM_KINDS).select_related("proxy").first())
    match = _CONFIRM_CALL_KEY.match(call.dedupe_key) if call is not None else None
    if match is None:
        return None
    with transaction.atomic():
        try:
            confirmation = _locked(int(match[1]))
        except WeekConfirmation.DoesNotExist:
            return None
        member_id = call.proxy.member_id if call.proxy_id else call.member_id
        if (confirmation.member_id != member_id or confirmation.roster_version != int(match[2])
                or confirmation.first_start <= timezone.now() or not confirmation.member.active):
            logger.info("key %s on call %s: its week's question is no longer open", digit, notification_id)
            return None
        if call.proxy_id and call.proxy.revoked_at is not None:
            return None
        try:
            with transaction.atomic():
                return _answer_locked(confirmation, accept=digit == "1", by=None, via=WeekConfirmation.Via.VOICE,
                                      proxy=call.proxy)
        except ValidationError as exc:  # 1 after 2: the member is already off the week (我又能来了 puts them back)
            logger.info("key %s on call %s refused: %s", digit, notification_id, " ".join(exc.messages))
            return None


@receiver(call_answered, dispatch_uid="shifts.rostering.confirm_by_call")
def confirm_by_call(sender, notification_id, kind, digit, member_id=None, **kwargs):
    if kind not in CONFIRM_KINDS:
        return
    try:
        confirmation_answer_by_call(notification_id=notification_id, digit=digit)
    except Exception:  # the callback committed already; a failure here must not turn it into a 500
        logger.exception("could not act on key %s of call %s", digit, notification_id)

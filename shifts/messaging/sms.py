"""The SMS channel of notify.py: the member's or staff member's number, the notification's approved template
and parameters (shifts.messaging.sms_templates), the provider's limits, then the configured gateway
(shifts.messaging.sms_gateways).

Provider limits (per number per day, per number and template per day, per template per day) are checked here
before calling the provider, so a message over the limit is refused with a clear error instead of disappearing.
"""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from shifts.messaging.senders import Sender
from shifts.messaging.sms_gateways import SmsError, SmsMessage, gateway
from shifts.messaging.sms_templates import SMS_KIND_OF, SMS_TEMPLATE_PARAMS
from shifts.models import Notification
from shifts.weeks import local_zone

logger = logging.getLogger(__name__)


class SmsLimitReached(SmsError):
    """A provider's daily limit would be broken: refused here, before calling the provider."""


def e164(phone) -> str:
    """The number to text, or "" when there is none or it is not a valid number (so it counts as no address)."""
    if not phone or not getattr(phone, "is_valid", lambda: False)():
        return ""
    return phone.as_e164


class SmsSender(Sender):
    """The SMS channel of notify.py: template, parameters and limits, then the configured gateway."""

    channel = Notification.Channel.SMS

    def address_for_member(self, member):
        return e164(member.phone)

    def address_for_user(self, user):
        return e164(getattr(getattr(user, "staff_profile", None), "phone", None))

    def address_for_proxy(self, proxy):
        return e164(proxy.phone)

    def send(self, *, address, subject, body, urgent=False):
        raise SmsError("text messages are sent per notification (send_notification)")

    def send_notification(self, *, notification: Notification, address: str) -> str:
        sms_kind = SMS_KIND_OF.get(notification.kind)
        if sms_kind is None:
            raise SmsError(f"no text-message template for {notification.kind}")
        template = settings.SMS_TEMPLATES.get(sms_kind) or f"yure-{sms_kind}"
        sms_limits_check(phone=address, sms_kind=sms_kind)
        gate = gateway()
        notification.provider = gate.name
        return gate.send(SmsMessage(phone=address, template=template, params=list(notification.sms_params),
                                    text=f"【{settings.SMS_SIGN_NAME}】{notification.subject}\n{notification.body}",
                                    notification_id=notification.pk, param_names=SMS_TEMPLATE_PARAMS[sms_kind]))


def sms_limits_check(*, phone: str, sms_kind: str) -> None:
    """Refuse a message that would break the provider's per-number, per-template or per-day limit."""
    day_start = dt.datetime.combine(timezone.now().astimezone(local_zone()).date(), dt.time(0), tzinfo=local_zone())
    sent = Notification.objects.filter(channel=Notification.Channel.SMS, status=Notification.Status.SENT,
                                       sent_at__gte=day_start)
    same_kind = [kind for kind, target in SMS_KIND_OF.items() if target == sms_kind]
    if sent.filter(address=phone).count() >= settings.SMS_LIMIT_PER_NUMBER_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_NUMBER_DAY} texts to this number reached",
                              code="limit.number_day")
    if sent.filter(address=phone, kind__in=same_kind).count() >= settings.SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY} '{sms_kind}' texts to "
                              "this number reached", code="limit.number_template_day")
    if sent.filter(kind__in=same_kind).count() >= settings.SMS_LIMIT_PER_TEMPLATE_DAY:
        raise SmsLimitReached(f"daily limit of {settings.SMS_LIMIT_PER_TEMPLATE_DAY} '{sms_kind}' texts reached",
                              code="limit.template_day")

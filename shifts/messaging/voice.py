"""The voice channel of notify.py: whom to call (the member's contact_channel), when (quiet hours), how often
(a daily limit, one more try when busy or unanswered) and, when every try failed, the text message instead.

A call is its own Notification (channel VOICE, dedupe key "<message key>:call") beside the message's text row:
- contact_channel "sms": no call (except welfare_call);
- "sms_voice": the text goes as usual and the call is placed too;
- "voice": the text is HELD and sent only if the call finally fails (no number, refused number, over the daily
  limit, busy or no answer on every try), so the message is never lost.
welfare_call is always called when a voice provider is configured, whatever the preference, at any hour and
beyond the daily limit. Another kind due in quiet hours (VOICE_QUIET_HOURS, local) waits on the queue for their
end; the text of a "sms_voice" member goes at once.

The provider reports how the call ended through the signed callback (shifts.messaging.voice_callback), which
calls voice_outcome_record here; only a key press is passed on (shifts.signals.call_answered).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from shifts.messaging.jobs import message_job_queue, notification_retry_schedule
from shifts.messaging.senders import Sender
from shifts.messaging.sms import e164
from shifts.messaging.voice_gateways import VoiceCall, VoiceError, voice_gateway
from shifts.messaging.voice_templates import (
    VOICE_KIND_OF,
    VOICE_TEMPLATE_PARAMS,
    voice_keys,
    voice_params,
    voice_template_code,
    voice_text,
)
from shifts.models import Notification, VoiceOutboxCall
from shifts.weeks import local_zone
from volunteers.models import Member

logger = logging.getLogger(__name__)

ALWAYS_CALLED = "welfare_call"
NONE, ALSO, ONLY = "none", "also", "only"


class VoiceSender(Sender):
    """Listed in settings.NOTIFICATION_SENDERS when VOICE_PROVIDER is set. It takes no free text (address_for_*
    say so); notify.py hands it the call rows that voice_plan asked for."""

    channel = Notification.Channel.VOICE

    def address_for_member(self, member):
        return ""

    def address_for_user(self, user):
        return ""

    def send(self, *, address, subject, body, urgent=False):
        raise VoiceError("voice calls are placed per notification (voice_call_place)")


def voice_configured() -> bool:
    return any(path.endswith(".VoiceSender") for path in settings.NOTIFICATION_SENDERS) and bool(
        settings.VOICE_PROVIDER)


def call_number(*, member=None, proxy=None, user=None) -> str:
    if member is not None:
        return e164(member.phone)
    if proxy is not None:
        return e164(proxy.phone)
    return e164(getattr(getattr(user, "staff_profile", None), "phone", None))


def voice_plan(*, kind: str, member=None, proxy=None, user=None) -> str:
    """NONE (text only), ALSO (text and call) or ONLY (call; the text waits in case the call fails)."""
    if not voice_configured() or kind not in VOICE_KIND_OF:
        return NONE
    if not call_number(member=member, proxy=proxy, user=user):
        return NONE  # nobody to call: the text goes as usual
    channel = member.contact_channel if member is not None else Member.ContactChannel.SMS
    if channel == Member.ContactChannel.VOICE:
        return ONLY
    if channel == Member.ContactChannel.SMS_VOICE or kind == ALWAYS_CALLED:
        return ALSO
    return NONE


def call_fields(*, kind: str, context: dict, language: str) -> dict:
    """The call row's own values: its template parameters and the text read aloud (its body)."""
    params = voice_params(kind=kind, context=context, language=language)
    return {"sms_params": params, "body": voice_text(kind=kind, params=params, language=language)}


def _local_now():
    return timezone.now().astimezone(local_zone())


def quiet_until(now=None) -> dt.datetime | None:
    """When the quiet hours end, if `now` is inside them; None otherwise."""
    local = (now or timezone.now()).astimezone(local_zone())
    start, end = settings.VOICE_QUIET_HOURS
    hour = local.hour
    quiet = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not quiet:
        return None
    day = local.date() if hour < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(end), tzinfo=local_zone())


def _calls_today(phone: str, *, besides: int) -> int:
    local = _local_now()
    day_start = dt.datetime.combine(local.date(), dt.time(0), tzinfo=local_zone())
    return (Notification.objects.filter(channel=Notification.Channel.VOICE, address=phone, sent_at__gte=day_start)
            .exclude(kind=ALWAYS_CALLED).exclude(pk=besides).count())


def voice_call_place(notification: Notification) -> None:
    """Place the call of a locked call row (notify.notification_deliver), or defer, retry or give up on it."""
    phone = call_number(member=notification.member, proxy=notification.proxy, user=notification.user)
    if not phone:
        _give_up(notification, "no number to call", status=Notification.Status.SKIPPED)
        return
    notification.address = phone[:40]
    urgent_kind = notification.kind == ALWAYS_CALLED
    resume = None if urgent_kind else quiet_until()
    if resume is not None:
        notification.status, notification.error = Notification.Status.PENDING, f"quiet hours: calls at {resume:%H:%M}"
        notification.save()
        _schedule(notification.pk, resume, f"voice-quiet:{notification.pk}:{resume:%Y%m%d}")
        return
    if not urgent_kind and _calls_today(phone, besides=notification.pk) >= settings.VOICE_LIMIT_PER_NUMBER_DAY:
        _give_up(notification, f"daily limit of {settings.VOICE_LIMIT_PER_NUMBER_DAY} calls to this number reached")
        return
    vkind = VOICE_KIND_OF[notification.kind]
    gate = voice_gateway()
    notification.provider = gate.name
    notification.attempts += 1
    with translation.override(notification.language):
        keys = voice_keys(notification.kind)  # their meanings, for the outbox, in the member's language
    try:
        call_id = gate.place(VoiceCall(
            phone=phone, kind=notification.kind, template=voice_template_code(vkind),
            params=list(notification.sms_params), param_names=VOICE_TEMPLATE_PARAMS[vkind], text=notification.body,
            keys=keys, notification_id=notification.pk))
    except VoiceError as exc:
        logger.warning("call %s failed: %s", notification.dedupe_key, exc)
        if exc.transient and notification.attempts < settings.VOICE_ATTEMPTS:
            _again_later(notification, str(exc))
        else:
            _give_up(notification, str(exc))
        return
    notification.status, notification.error = Notification.Status.SENT, ""
    notification.sent_at = timezone.now()
    notification.provider_message_id = call_id
    notification.delivery_status, notification.call_digit = Notification.Delivery.ACCEPTED, ""
    notification.save()


def _again_later(notification: Notification, error: str) -> None:
    when = timezone.now() + dt.timedelta(minutes=settings.VOICE_RETRY_MINUTES)
    notification.status = Notification.Status.PENDING
    notification.error = f"{error}; calling again at {when.astimezone(local_zone()):%H:%M}"[:300]
    notification.save()
    _schedule(notification.pk, when, f"voice-retry:{notification.pk}:{notification.attempts}")


def _give_up(notification: Notification, error: str, *, status=Notification.Status.FAILED) -> None:
    """The call will not happen: record why and, for a voice-only member, send the held text instead."""
    notification.status, notification.error = status, error[:300]
    notification.save()
    if notification.fallback_id is not None:
        text_id = notification.fallback_id
        message_job_queue(task="shifts.tasks.voice_fallback_send", args=[text_id],
                          key=f"voice-fallback:{text_id}")


def _schedule(notification_id: int, when: dt.datetime, name: str) -> None:
    transaction.on_commit(lambda: notification_retry_schedule(notification_id=notification_id, when=when, name=name))


OUTCOMES = {"answered": Notification.Delivery.ANSWERED, "busy": Notification.Delivery.BUSY,
            "no_answer": Notification.Delivery.NO_ANSWER, "failed": Notification.Delivery.CALL_FAILED}


def voice_outcome_record(*, call_id: str, outcome: str, digit: str = "") -> Notification | None:
    """How a placed call ended, as the provider reported it (inside the callback's transaction). Busy or no answer
    calls once more after VOICE_RETRY_MINUTES, then gives up (the held text goes). Returns the call row when a key
    press offered by the call was accepted (the caller sends call_answered after commit), else None."""
    notification = (Notification.objects.select_for_update(of=("self",))
                    .filter(channel=Notification.Channel.VOICE, provider_message_id=call_id).first())
    if notification is None or outcome not in OUTCOMES:
        return None
    notification.delivery_status = OUTCOMES[outcome]
    VoiceOutboxCall.objects.filter(call_id=call_id).update(outcome=outcome, digit=digit[:2])
    if outcome == "answered":
        notification.delivered_at = timezone.now()
        accepted = digit in voice_keys(notification.kind)
        notification.call_digit = digit if accepted else ""
        notification.save()
        return notification if accepted else None
    notification.save()
    error = {"busy": "busy", "no_answer": "no answer", "failed": "the call could not be connected"}[outcome]
    if outcome != "failed" and notification.attempts < settings.VOICE_ATTEMPTS:
        _again_later(notification, error)
    else:
        _give_up(notification, error)
    return None

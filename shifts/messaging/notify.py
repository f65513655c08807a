"""Messages to members and secretaries through pluggable senders, recorded once per dedupe key.

A sender is any class with a `channel` and `send(*, address, subject, body, urgent)`; it raises on failure.
A sender that needs the whole notification (text messages: template and parameters) implements
`send_notification(*, notification, address)` instead and returns the provider's message id.
settings.NOTIFICATION_SENDERS lists dotted paths in order of preference (text messages first when
SMS_PROVIDER is set, then e-mail).

Sending is idempotent: the Notification row with the dedupe key is locked while sending, and a row already
sent or skipped is never sent again, so a retried task cannot mail twice. A transient provider failure
(timeout, rate limit) is retried on the queue up to SMS_RETRY_ATTEMPTS times; a permanent one (bad number)
falls through to the next channel.

Voice calls (shifts.messaging.voice) are their own Notification beside the text, dedupe key "<key>:call", placed
when the member's contact_channel asks for them (and always for welfare_call); a voice-only member's text is
held and sent only if the call finally fails.

A member who chose to, has each message also sent to their consenting relatives (亲属代办), and messages that
ask the member to do something leave a notice on My shifts (shifts.messaging.notices).
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from shifts.messaging.jobs import notification_retry_schedule
from shifts.messaging.notices import notice_for_message
from shifts.messaging.senders import Sender
from shifts.messaging.sms_gateways import SmsError
from shifts.messaging.sms_templates import sms_params
from shifts.messaging.voice import ONLY, call_fields, voice_call_place, voice_plan
from shifts.models import Notification
from volunteers.models import Community, Member, MemberProxy, StaffProfile

logger = logging.getLogger(__name__)


class EmailSender(Sender):
    channel = Notification.Channel.EMAIL

    def address_for_member(self, member):
        return member.email or ""

    def address_for_user(self, user):
        return getattr(user, "email", "") or ""

    def send(self, *, address, subject, body, urgent=False):
        headers = {"X-Priority": "1"} if urgent else {}
        EmailMessage(subject=subject, body=body, to=[address], headers=headers).send(fail_silently=False)


def senders() -> list[Sender]:
    paths = list(settings.NOTIFICATION_SENDERS)
    return [import_string(path)() for path in paths]


def notify_member(*, member: Member, kind: str, dedupe_key: str, context: dict, urgent: bool = False,
                  forward: bool = True) -> Notification:
    """Render `shifts/mail/<kind>` in the member's language and send it once for `dedupe_key`; copy it to
    relatives the member asked to receive their messages, and leave a notice on My shifts where one is due."""
    language = member.language or settings.LANGUAGE_CODE
    context = {**context, "member_name": member.name}
    notification = _notify(recipient_member=member, user=None, language=language, kind=kind,
                           dedupe_key=dedupe_key, context=context, urgent=urgent)
    notice_for_message(member=member, kind=kind, dedupe_key=dedupe_key, context=context)
    relatives = member.proxies.filter(revoked_at__isnull=True, forward_messages=True) if forward else []
    for proxy in relatives:
        _notify(recipient_member=None, user=None, proxy=proxy, language=language, kind=kind,
                dedupe_key=f"{dedupe_key}:p{proxy.pk}"[:200], context=context, urgent=urgent)
    return notification


def notify_proxy(*, proxy: MemberProxy, kind: str, dedupe_key: str, context: dict) -> Notification:
    """A message for a relative themselves (their own login code), in the member's language."""
    member = proxy.member
    return _notify(recipient_member=None, user=None, proxy=proxy, language=member.language or settings.LANGUAGE_CODE,
                   kind=kind, dedupe_key=dedupe_key, context={**context, "member_name": proxy.name}, urgent=False)


def notify_staff(*, community: Community, kind: str, dedupe_key: str, context: dict, urgent: bool = False
                 ) -> list[Notification]:
    """Send to every secretary of the community (district administrators watch the dashboard instead)."""
    profiles = (StaffProfile.objects.filter(communities=community, role=StaffProfile.Role.SECRETARY,
                                            user__is_active=True).select_related("user").order_by("pk"))
    sent = []
    for profile in profiles:
        sent.append(_notify(recipient_member=None, user=profile.user, language=settings.LANGUAGE_CODE, kind=kind,
                            dedupe_key=f"{dedupe_key}:u{profile.user_id}"[:200],
                            context={**context, "community_name": community.name,
                                     "staff_name": profile.user.get_full_name() or profile.user.get_username()},
                            urgent=urgent))
    return sent


def _render(kind: str, language: str, context: dict) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"shifts/mail/{kind}_subject.txt", context).strip().replace("\n", " ")
        body = render_to_string(f"shifts/mail/{kind}.txt", {**context, "site_url": settings.SITE_URL})
    return subject[:200], body


def _notify(*, recipient_member, user, language, kind, dedupe_key, context, urgent, proxy=None) -> Notification:
    subject, body = _render(kind, language, context)
    plan = voice_plan(kind=kind, member=recipient_member, proxy=proxy, user=user)
    people = {"kind": kind, "member": recipient_member, "user": user, "proxy": proxy, "language": language,
              "subject": subject, "urgent": urgent}
    notification = _recorded(dedupe_key[:200], {
        **people, "body": body, "sms_params": sms_params(kind=kind, context=context, language=language),
        **({"status": Notification.Status.HELD} if plan == ONLY else {})})
    if plan != "none":
        call = _recorded(f"{dedupe_key[:195]}:call", {
            **people, **call_fields(kind=kind, context=context, language=language),
            "channel": Notification.Channel.VOICE, "fallback": notification if plan == ONLY else None})
        notification_deliver(notification_id=call.pk)
    return notification_deliver(notification_id=notification.pk)


def _recorded(dedupe_key: str, defaults: dict) -> Notification:
    try:
        with transaction.atomic():
            notification, _created = Notification.objects.get_or_create(dedupe_key=dedupe_key, defaults=defaults)
    except IntegrityError:  # a concurrent task created it first
        notification = Notification.objects.get(dedupe_key=dedupe_key)
    return notification


def notification_deliver(*, notification_id: int) -> Notification:
    """Send a recorded notification unless it was already sent or had no address; safe to call twice."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(of=("self",)).select_related("member", "user", "proxy")
                        .get(pk=notification_id))
        if notification.status in (Notification.Status.SENT, Notification.Status.SKIPPED, Notification.Status.HELD):
            return notification  # a held text waits for its call (notification_release)
        if notification.proxy is not None and notification.proxy.revoked_at is not None:
            notification.status = Notification.Status.SKIPPED
            notification.error = "relative revoked"
            notification.save(update_fields=["status", "error"])
            return notification
        if notification.channel == Notification.Channel.VOICE:
            voice_call_place(notification)
        else:
            _deliver(notification)
    return notification


def notification_release(*, notification_id: int) -> Notification:
    """Send a voice-only member's held text: every try of its call failed. Safe to call twice."""
    with transaction.atomic():
        released = Notification.objects.filter(pk=notification_id, status=Notification.Status.HELD).update(
            status=Notification.Status.PENDING)
    notification = notification_deliver(notification_id=notification_id)
    if released:
        logger.info("call for %s failed: its text message went instead", notification.dedupe_key)
    return notification


def _address(sender: Sender, notification: Notification) -> str:
    if notification.member_id is not None:
        return sender.address_for_member(notification.member)
    if notification.proxy_id is not None:
        return sender.address_for_proxy(notification.proxy)
    return sender.address_for_user(notification.user)


def _deliver(notification: Notification) -> None:
    errors = []
    for sender in senders():
        if sender.channel == Notification.Channel.VOICE:
            continue  # calls are their own rows (voice_call_place)
        address = _address(sender, notification)
        if not address:
            continue
        notification.channel, notification.address = sender.channel, address[:40]
        notification.attempts += 1
        try:
            if hasattr(sender, "send_notification"):
                message_id = sender.send_notification(notification=notification, address=address)
            else:
                message_id = ""
                sender.send(address=address, subject=notification.subject, body=notification.body,
                            urgent=notification.urgent)
        except SmsError as exc:
            logger.warning("notification %s via %s failed: %s", notification.dedupe_key, sender.channel, exc)
            errors.append(str(exc))
            if exc.transient:
                _failed(notification, errors, retry=True)
                return
            continue  # permanent for this channel (bad number, today's limit): try the next one
        except Exception as exc:  # any other gateway error: record it, a later retry may succeed
            logger.warning("notification %s via %s failed: %s", notification.dedupe_key, sender.channel, exc)
            errors.append(str(exc))
            _failed(notification, errors, retry=False)
            return
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
        notification.provider_message_id = message_id or ""
        notification.delivery_status = Notification.Delivery.ACCEPTED if message_id else ""
        notification.save()
        return
    if errors:
        _failed(notification, errors, retry=False)
        return
    notification.status = Notification.Status.SKIPPED
    notification.save()


def _failed(notification: Notification, errors: list[str], *, retry: bool) -> None:
    notification.status = Notification.Status.FAILED
    notification.error = "; ".join(errors)[:300]
    notification.save()
    if retry and notification.attempts < settings.SMS_RETRY_ATTEMPTS:
        transaction.on_commit(lambda: _schedule_retry(notification.pk, notification.attempts))


def _schedule_retry(notification_id: int, attempt: int) -> None:
    """Try again later on the queue: SMS_RETRY_MINUTES, doubled on each attempt."""
    delay = settings.SMS_RETRY_MINUTES * 2 ** (attempt - 1)
    notification_retry_schedule(notification_id=notification_id, when=timezone.now() + dt.timedelta(minutes=delay),
                                name=f"notification-retry:{notification_id}:{attempt}")


def notify_user(*, user, kind: str, dedupe_key: str, context: dict, urgent: bool = False) -> Notification:
    """Send to one staff login (e.g. a community's welfare contact), once for `dedupe_key`."""
    return _notify(recipient_member=None, user=user, language=settings.LANGUAGE_CODE, kind=kind,
                   dedupe_key=f"{dedupe_key}:u{user.pk}"[:200],
                   context={**context, "staff_name": user.get_full_name() or user.get_username()}, urgent=urgent)

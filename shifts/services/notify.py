"""Messages to members and secretaries through pluggable senders, recorded once per dedupe key.

A sender is any class with a `channel` and `send(*, address, subject, body, urgent)`; it raises on failure.
settings.NOTIFICATION_SENDERS lists dotted paths in order of preference (default: e-mail only); settings.SMS_SENDER
names an SmsSender subclass to add text messages for people without an e-mail address.

Sending is idempotent: the Notification row with the dedupe key is locked while sending, and a row already
sent or skipped is never sent again, so a retried task cannot mail twice.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from shifts.models import Notification
from volunteers.models import Community, Member, StaffProfile

logger = logging.getLogger(__name__)


class Sender:
    """The interface every channel implements."""

    channel: str = ""

    def address_for_member(self, member: Member) -> str:
        raise NotImplementedError

    def address_for_user(self, user) -> str:
        raise NotImplementedError

    def send(self, *, address: str, subject: str, body: str, urgent: bool = False) -> None:
        raise NotImplementedError


class EmailSender(Sender):
    channel = Notification.Channel.EMAIL

    def address_for_member(self, member):
        return member.email or ""

    def address_for_user(self, user):
        return getattr(user, "email", "") or ""

    def send(self, *, address, subject, body, urgent=False):
        headers = {"X-Priority": "1"} if urgent else {}
        EmailMessage(subject=subject, body=body, to=[address], headers=headers).send(fail_silently=False)


class SmsSender(Sender):
    """Base for a text-message gateway: subclass it, implement send_text, and set settings.SMS_SENDER."""

    channel = Notification.Channel.SMS

    def address_for_member(self, member):
        return member.phone or ""

    def address_for_user(self, user):
        profile = getattr(user, "staff_profile", None)
        return getattr(profile, "phone", "") or ""

    def send(self, *, address, subject, body, urgent=False):
        self.send_text(phone=address, text=f"{subject}\n{body}")

    def send_text(self, *, phone: str, text: str) -> None:
        raise NotImplementedError("Configure settings.SMS_SENDER with a gateway class")


def senders() -> list[Sender]:
    paths = list(getattr(settings, "NOTIFICATION_SENDERS", ["shifts.services.notify.EmailSender"]))
    sms = getattr(settings, "SMS_SENDER", "")
    if sms:
        paths.append(sms)
    return [import_string(path)() for path in paths]


def notify_member(*, member: Member, kind: str, dedupe_key: str, context: dict, urgent: bool = False
                  ) -> Notification:
    """Render `shifts/mail/<kind>` in the member's language and send it once for `dedupe_key`."""
    return _notify(recipient_member=member, user=None, language=member.language or settings.LANGUAGE_CODE,
                   kind=kind, dedupe_key=dedupe_key, context={**context, "member_name": member.name},
                   urgent=urgent)


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


def _notify(*, recipient_member, user, language, kind, dedupe_key, context, urgent) -> Notification:
    subject, body = _render(kind, language, context)
    try:
        with transaction.atomic():
            notification, _created = Notification.objects.get_or_create(
                dedupe_key=dedupe_key[:200],
                defaults={"kind": kind, "member": recipient_member, "user": user, "language": language,
                          "subject": subject, "body": body, "urgent": urgent})
    except IntegrityError:  # a concurrent task created it first
        notification = Notification.objects.get(dedupe_key=dedupe_key[:200])
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification.pk)
        if notification.status in (Notification.Status.SENT, Notification.Status.SKIPPED):
            return notification
        _deliver(notification, recipient_member, user)
    return notification


def _deliver(notification: Notification, member, user) -> None:
    for sender in senders():
        address = sender.address_for_member(member) if member is not None else sender.address_for_user(user)
        if not address:
            continue
        notification.channel = sender.channel
        try:
            sender.send(address=address, subject=notification.subject, body=notification.body,
                        urgent=notification.urgent)
        except Exception as exc:  # any gateway error: record it, a later retry may succeed
            logger.warning("notification %s via %s failed: %s", notification.dedupe_key, sender.channel, exc)
            notification.status = Notification.Status.FAILED
            notification.error = str(exc)[:300]
            notification.save(update_fields=["channel", "status", "error"])
            return
        notification.status = Notification.Status.SENT
        notification.sent_at = timezone.now()
        notification.error = ""
        notification.save(update_fields=["channel", "status", "sent_at", "error"])
        return
    notification.status = Notification.Status.SKIPPED
    notification.save(update_fields=["status"])


def notify_user(*, user, kind: str, dedupe_key: str, context: dict, urgent: bool = False) -> Notification:
    """Send to one staff login (e.g. a community's welfare contact), once for `dedupe_key`."""
    return _notify(recipient_member=None, user=user, language=settings.LANGUAGE_CODE, kind=kind,
                   dedupe_key=f"{dedupe_key}:u{user.pk}"[:200],
                   context={**context, "staff_name": user.get_full_name() or user.get_username()}, urgent=urgent)

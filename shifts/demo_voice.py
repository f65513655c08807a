"""The demo's voice calls: the oldest member of the first community prefers 语音电话 (they do not read texts) and
the next oldest 短信+语音; the outbox shows one call to the first, read aloud and answered with key 1.
Idempotent (the call's dedupe key)."""

from django.utils import timezone

from shifts.messaging.voice_templates import voice_keys, voice_params, voice_template_code, voice_text
from shifts.models import Notification, VoiceOutboxCall
from volunteers.models import Community, Member

DEMO_CALL_KEY = "demo:voice-call:{member}"


def seed_voice(community: Community, *, week_start) -> Member | None:
    oldest = list(Member.objects.filter(community=community, active=True).exclude(phone="")
                  .order_by("birth_date", "pk")[:2])
    if not oldest:
        return None
    for member, channel in zip(oldest, (Member.ContactChannel.VOICE, Member.ContactChannel.SMS_VOICE), strict=False):
        if member.contact_channel != channel:
            member.contact_channel = channel
            member.save(update_fields=["contact_channel"])
    member = oldest[0]
    language = member.language
    params = voice_params(kind="confirm_request", context={"member_name": member.name, "week_start": week_start},
                          language=language)
    text = voice_text(kind="confirm_request", params=params, language=language)
    now = timezone.now()
    call, created = Notification.objects.get_or_create(
        dedupe_key=DEMO_CALL_KEY.format(member=member.pk),
        defaults={"kind": "confirm_request", "member": member, "channel": Notification.Channel.VOICE,
                  "language": language, "subject": text[:200], "body": text, "sms_params": params,
                  "status": Notification.Status.SENT, "sent_at": now, "attempts": 1, "provider": "outbox",
                  "address": member.phone.as_e164, "provider_message_id": f"outbox-call-demo-{member.pk}",
                  "delivery_status": Notification.Delivery.ANSWERED, "delivered_at": now, "call_digit": "1"})
    if created:
        VoiceOutboxCall.objects.create(
            notification=call, call_id=call.provider_message_id, phone=call.address, kind=call.kind,
            template=voice_template_code("confirm_request"), params=params, text=text,
            keys=voice_keys("confirm_request"), outcome="answered", digit="1")
    return member

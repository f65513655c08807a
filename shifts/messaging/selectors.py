"""What the messaging pages read: members no channel reaches, and the demo outbox."""

import datetime as dt
from dataclasses import dataclass

from volunteers.models import Member


@dataclass
class Unreached:
    member: Member
    reason: str  # "no_address" | "failed" | "skipped"
    error: str = ""


def members_unreachable(community_ids, *, since: dt.datetime) -> list[Unreached]:
    """Active members whom no channel reaches: no number or address any configured channel can use, or whose
    latest message since `since` failed or was skipped. The dashboard lists them with their phone numbers."""
    from django.conf import settings
    from django.db.models import OuterRef, Subquery

    from shifts.messaging.sms import e164
    from shifts.models import Notification

    # A call that failed is not a member unreached: its text went instead, or went beside it.
    latest = (Notification.objects.filter(member=OuterRef("pk"), created_at__gte=since)
              .exclude(channel=Notification.Channel.VOICE).order_by("-created_at", "-pk"))
    members = (Member.objects.filter(community_id__in=community_ids, active=True, anonymised_at__isnull=True)
               .annotate(last_status=Subquery(latest.values("status")[:1]),
                         last_error=Subquery(latest.values("error")[:1]))
               .select_related("community").order_by("community__name", "name"))
    sms = bool(settings.SMS_PROVIDER)
    out = []
    for member in members:
        reachable_address = (sms and e164(member.phone)) or member.email
        if not reachable_address:
            out.append(Unreached(member, "no_address"))
        elif member.last_status in (Notification.Status.FAILED, Notification.Status.SKIPPED):
            out.append(Unreached(member, member.last_status, member.last_error or ""))
    return out


# --------------------------------------------------------------------------- the demo outbox

@dataclass
class OutboxEntry:
    """One kept text message as a login may read it: `readable` only for staff of the community whose member
    (or member's relative) it went to, and for the staff login it went to. Anyone else (the district
    administrator not assigned to that community) reads who and when, never the text, its parameters or the
    whole number: a login code or single-use link in it would let them log in as the member."""
    message: object
    readable: bool

    @property
    def phone_shown(self) -> str:
        phone = self.message.phone
        return phone if self.readable or len(phone) < 8 else f"{phone[:-8]}****{phone[-4:]}"


def outbox_for(user, *, limit: int) -> list[OutboxEntry]:
    """The newest kept text messages a staff login may list (their communities', all for a district
    administrator), each marked readable or not."""
    from shifts.models import OutboxMessage

    return _outbox_entries(OutboxMessage, user, limit=limit)


def outbox_calls_for(user, *, limit: int) -> list[OutboxEntry]:
    """The newest calls the demo outbox kept, with the same rule for who reads their text as text messages."""
    from shifts.models import VoiceOutboxCall

    return _outbox_entries(VoiceOutboxCall, user, limit=limit)


def _outbox_entries(model, user, *, limit: int) -> list[OutboxEntry]:
    from django.db.models import Q

    from volunteers.selectors import communities_for, is_district_admin, sensitive_community_ids

    rows = model.objects.select_related("notification__member", "notification__proxy__member", "notification__user")
    if not is_district_admin(user):
        communities = communities_for(user)
        rows = rows.filter(Q(notification__member__community__in=communities)
                           | Q(notification__proxy__member__community__in=communities)
                           | Q(notification__user=user))
    own = sensitive_community_ids(user)
    return [OutboxEntry(row, _outbox_readable(row, user, own)) for row in rows[:limit]]


def _outbox_readable(message, user, own_communities: set[int]) -> bool:
    note = message.notification
    if note is None:
        return False  # no issuer on record: nobody's staff
    if note.user_id is not None:
        return note.user_id == user.pk
    member = note.member or (note.proxy.member if note.proxy_id else None)
    return member is not None and member.community_id in own_communities

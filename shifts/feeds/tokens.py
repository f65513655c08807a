"""Secret feed tokens, derived rather than stored.

A token is url-safe base64 of: one kind byte, the ids it unlocks (5 bytes each) and an HMAC-SHA256 (truncated to
144 bits) under a key derived from SECRET_KEY over f"feed:{member.pk}:{member.feed_version}" (or the community
and duty equivalent). The database never holds the token, yet a secretary can show the same link again; raising
the version revokes it at once. The ids in the token are not secret; the MAC is what unlocks the feed.
"""

import base64
import binascii
import datetime as dt
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Subquery
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime

from shifts.models import Duty
from volunteers.models import Community, Member

MAC_BYTES = 18  # 144 bits of secret per token
ID_BYTES = 5
_KEY_SALT = "yure.shifts.feeds.token"

KIND_MEMBER = b"m"
KIND_COMMUNITY = b"c"
KIND_DUTY = b"d"
_IDS_PER_KIND = {KIND_MEMBER: 1, KIND_COMMUNITY: 1, KIND_DUTY: 2}


@dataclass(frozen=True)
class FeedScope:
    """What a valid token unlocks: a member's own feed, a community's, or one duty within a community."""

    kind: str  # "member", "community" or "duty"
    member: Member | None = None
    community: Community | None = None
    duty: Duty | None = None
    # The feed's generation (FeedCounter value, changed_at), read in the same query as the token's owner.
    generation: tuple[int, object] | None = None
    generation_known: bool = False


def _message(kind: bytes, ids: tuple[int, ...], version: int) -> str:
    if kind == KIND_MEMBER:
        return f"feed:{ids[0]}:{version}"
    if kind == KIND_COMMUNITY:
        return f"feed:community:{ids[0]}:{version}"
    return f"feed:community:{ids[0]}:duty:{ids[1]}:{version}"


def _mac(kind: bytes, ids: tuple[int, ...], version: int, secret: str | None = None) -> bytes:
    return salted_hmac(_KEY_SALT, _message(kind, ids, version), secret=secret, algorithm="sha256").digest()[:MAC_BYTES]


def _encode(kind: bytes, ids: tuple[int, ...], version: int) -> str:
    raw = kind + b"".join(i.to_bytes(ID_BYTES, "big") for i in ids) + _mac(kind, ids, version)
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def member_token(member: Member) -> str:
    return _encode(KIND_MEMBER, (member.pk,), member.feed_version)


def community_token(community: Community) -> str:
    return _encode(KIND_COMMUNITY, (community.pk,), community.feed_version)


def duty_token(community: Community, duty: Duty) -> str:
    return _encode(KIND_DUTY, (community.pk, duty.pk), community.feed_version)


def _decode(token: str) -> tuple[bytes, tuple[int, ...], bytes] | None:
    if not token or len(token) > 64:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    kind = raw[:1]
    count = _IDS_PER_KIND.get(kind)
    if count is None or len(raw) != 1 + count * ID_BYTES + MAC_BYTES:
        return None
    ids = tuple(int.from_bytes(raw[1 + n * ID_BYTES:1 + (n + 1) * ID_BYTES], "big") for n in range(count))
    return kind, ids, raw[1 + count * ID_BYTES:]


def _mac_matches(kind: bytes, ids: tuple[int, ...], version: int, given: bytes) -> bool:
    # Links made before a SECRET_KEY rotation keep working while the old key is listed in SECRET_KEY_FALLBACKS.
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(hmac.compare_digest(_mac(kind, ids, version, secret), given) for secret in secrets)


def resolve_token(token: str) -> FeedScope | None:
    """The scope a token unlocks, or None for anything unknown, revoked or malformed (callers answer 404)."""
    decoded = _decode(token)
    if decoded is None:
        return None
    kind, ids, given = decoded
    if kind == KIND_MEMBER:
        member = _member_with_generation(ids[0])
        if member is None or not _mac_matches(kind, ids, member.feed_version, given):
            return None
        return FeedScope(kind="member", member=member, community=member.community,
                         generation=_generation_of(member), generation_known=True)
    community = _with_generation(Community.objects.all(), f"c:{ids[0]}").filter(pk=ids[0]).first()
    if community is None or not _mac_matches(kind, ids, community.feed_version, given):
        return None
    if kind == KIND_COMMUNITY:
        return FeedScope(kind="community", community=community, generation=_generation_of(community),
                         generation_known=True)
    duty = Duty.objects.filter(pk=ids[1]).first()
    if duty is None:
        return None
    return FeedScope(kind="duty", community=community, duty=duty, generation=_generation_of(community),
                     generation_known=True)


_MEMBER_POLL_SQL = """
    SELECT m.id, m.name, m.feed_version, m.reminders, m.language, m.updated_at, m.community_id,
           c.name AS community_name, c.reminder_hour, fc.value AS feed_generation,
           fc.changed_at AS feed_generation_at
    FROM {member} m JOIN {community} c ON c.id = m.community_id
    LEFT JOIN {counter} fc ON fc.scope = %s
    WHERE m.id = %s AND m.anonymised_at IS NULL
"""


def _member_with_generation(member_id: int) -> Member | None:
    """The hot path of every poll, as one plain query: building it with the ORM cost more than running it."""
    from shifts.models import FeedCounter

    sql = _MEMBER_POLL_SQL.format(member=Member._meta.db_table, community=Community._meta.db_table,
                                  counter=FeedCounter._meta.db_table)
    found = list(Member.objects.raw(sql, [f"m:{member_id}", member_id]))
    if not found:
        return None
    member = found[0]
    member.community = Community(id=member.community_id, name=member.community_name,
                                 reminder_hour=member.reminder_hour)
    return member


def _with_generation(queryset, scope: str):
    """One round trip per poll: the owner row and its feed generation together."""
    from shifts.models import FeedCounter

    counter = FeedCounter.objects.filter(scope=scope)
    return queryset.annotate(feed_generation=Subquery(counter.values("value")[:1]),
                             feed_generation_at=Subquery(counter.values("changed_at")[:1]))


def _generation_of(row) -> tuple[int, object] | None:
    if row.feed_generation is None:
        return None
    changed_at = row.feed_generation_at
    if isinstance(changed_at, str):  # SQLite hands raw-query timestamps back as text
        changed_at = parse_datetime(changed_at)
    if changed_at.tzinfo is None:  # stored in UTC (USE_TZ)
        changed_at = changed_at.replace(tzinfo=dt.UTC)
    return int(row.feed_generation), changed_at


def feed_url(token: str) -> str:
    """The absolute https (or, in development, http) address of a feed."""
    return settings.SITE_URL + reverse("feeds:feed", kwargs={"token": token})


def webcal_url(token: str) -> str:
    """The same address with the webcal:// scheme, which phones open straight in their calendar app."""
    url = feed_url(token)
    return "webcal://" + url.split("://", 1)[1]

"""Secret feed tokens, derived rather than stored.

A token is url-safe base64 of: one kind byte, the ids it unlocks (5 bytes each) and an HMAC-SHA256 (truncated to
144 bits) under a key derived from SECRET_KEY over f"feed:{member.pk}:{member.feed_version}" (or the community
and duty equivalent). The database never holds the token, yet a secretary can show the same link again; raising
the version revokes it at once. The ids in the token are not secret; the MAC is what unlocks the feed.
"""

import base64
import binascii
import datetime as dt
import functools
import hmac

from django.conf import settings
from django.db import connection
from django.db.models import Subquery
from django.urls import reverse
from django.utils.crypto import salted_hmac
from django.utils.dateparse import parse_datetime

from shifts.models import Duty, FeedCounter
from volunteers.models import Community, Member

MAC_BYTES = 18  # 144 bits of secret per token
ID_BYTES = 5
_KEY_SALT = "yure.shifts.feeds.token"

KIND_MEMBER = b"m"
KIND_COMMUNITY = b"c"
KIND_DUTY = b"d"
_IDS_PER_KIND = {KIND_MEMBER: 1, KIND_COMMUNITY: 1, KIND_DUTY: 2}


class FeedScope:
    """What a valid token unlocks: a member's own feed, a community's, or one duty within a community.

    `generation` is the feed's (FeedCounter value, changed_at), read in the same query as the token's owner. A
    member scope made by resolve_token builds its Member instance only when asked for it (a render does, a 304
    does not): `member_key` holds what the render cache key needs.
    """

    __slots__ = ("_member", "_member_row", "community", "duty", "generation", "generation_known", "kind",
                 "member_key")

    def __init__(self, kind: str, member: Member | None = None, community: Community | None = None,
                 duty: Duty | None = None, generation: tuple[int, object] | None = None,
                 generation_known: bool = False, member_row: tuple | None = None):
        self.kind, self.community, self.duty = kind, community, duty  # kind: "member", "community" or "duty"
        self.generation, self.generation_known = generation, generation_known
        self._member, self._member_row = member, member_row
        if member_row is not None:  # (pk, name, feed_version, reminders, language, updated_at, community_id, ...)
            self.member_key = (member_row[0], member_row[2], bool(member_row[3]), member_row[4], member_row[5])
        elif member is not None:
            self.member_key = (member.pk, member.feed_version, member.reminders, member.language, member.updated_at)
        else:
            self.member_key = None

    @property
    def member(self) -> Member | None:
        if self._member is None and self._member_row is not None:
            self._member = _member_from_row(self._member_row)
            self.community = self._member.community
        return self._member

    @property
    def owner_id(self) -> int:
        return self.member_key[0] if self.member_key else self.community.pk


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
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    return any(hmac.compare_digest(_mac(kind, ids, version, secret), given) for secret in secrets)


def resolve_token(token: str) -> FeedScope | None:
    """The scope a token unlocks, or None for anything unknown, revoked or malformed (callers answer 404)."""
    decoded = _decode(token)
    if decoded is None:
        return None
    kind, ids, given = decoded
    if kind == KIND_MEMBER:
        row = _member_poll_row(ids[0])
        if row is None or not _mac_matches(kind, ids, row[2], given):
            return None
        return FeedScope(kind="member", member_row=row, generation=_generation_from(row[9], row[10]),
                         generation_known=True)
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


@functools.cache
def _member_poll_sql() -> str:
    return _MEMBER_POLL_SQL.format(member=Member._meta.db_table, community=Community._meta.db_table,
                                   counter=FeedCounter._meta.db_table)


def _timestamp(value) -> dt.datetime:
    if isinstance(value, str):  # SQLite hands raw-query timestamps back as text
        value = parse_datetime(value)
    if value.tzinfo is None:  # stored in UTC (USE_TZ)
        value = value.replace(tzinfo=dt.UTC)
    return value


def _member_poll_row(member_id: int) -> tuple | None:
    """The hot path of every poll, as one plain query on a bare cursor: building it with the ORM (even a raw
    queryset, or the model instances) cost more than running it."""
    params = [f"m:{member_id}", member_id]
    if connection.vendor == "postgresql":
        # psycopg's own cursor, with server-side binding and a statement prepared once per connection: PostgreSQL
        # then skips parsing and planning, about half of its CPU per poll. (Django's cursor binds client-side.)
        connection.ensure_connection()
        with connection.wrap_database_errors, connection.connection.cursor() as cursor:
            cursor.execute(_member_poll_sql(), params, prepare=True)
            row = cursor.fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(_member_poll_sql(), params)
            row = cursor.fetchone()
    if row is None:
        return None
    row = list(row)
    row[5] = _timestamp(row[5])
    return tuple(row)


def _member_from_row(row: tuple) -> Member:
    (pk, name, feed_version, reminders, language, updated_at, community_id, community_name, reminder_hour,
     *_generation) = row
    member = Member(id=pk, name=name, feed_version=feed_version, reminders=bool(reminders), language=language,
                    updated_at=updated_at, community_id=community_id)
    member._state.adding, member._state.db = False, connection.alias
    member.community = Community(id=community_id, name=community_name, reminder_hour=reminder_hour)
    member.community._state.adding, member.community._state.db = False, connection.alias
    return member


def _with_generation(queryset, scope: str):
    """One round trip per poll: the owner row and its feed generation together."""
    counter = FeedCounter.objects.filter(scope=scope)
    return queryset.annotate(feed_generation=Subquery(counter.values("value")[:1]),
                             feed_generation_at=Subquery(counter.values("changed_at")[:1]))


def _generation_of(row) -> tuple[int, object] | None:
    return _generation_from(row.feed_generation, row.feed_generation_at)


def _generation_from(value, changed_at) -> tuple[int, object] | None:
    if value is None:
        return None
    return int(value), _timestamp(changed_at)


def feed_url(token: str) -> str:
    """The absolute https (or, in development, http) address of a feed."""
    return settings.SITE_URL + reverse("feeds:feed", kwargs={"token": token})


def webcal_url(token: str) -> str:
    """The same address with the webcal:// scheme, which phones open straight in their calendar app."""
    url = feed_url(token)
    return "webcal://" + url.split("://", 1)[1]

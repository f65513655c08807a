"""Writes behind the calendar feeds: link resets, staffing bookkeeping, removed-event records, generations.

Feeds render published assignments; these services keep what a render cannot see in the current rows: who was
taken off a shift (for a cancelled event during the grace period), how often a shift's staffing or details
changed (SEQUENCE must rise each time), and a per-feed generation under which rendered feeds are cached.
"""

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from shifts.feeds import content
from shifts.feeds.tokens import community_token, member_token
from shifts.models import Assignment, FeedCounter, FeedShiftState, FeedTombstone, Roster, Shift
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

# Tombstones are kept until their shift has left every feed window, then purged.
TOMBSTONE_KEEP = dt.timedelta(days=content.PAST_DAYS + content.GRACE.days + 7)


def member_scope(member_id: int) -> str:
    return f"m:{member_id}"


def community_scope(community_id: int) -> str:
    return f"c:{community_id}"


def feed_link_reset_member(*, member: Member, by=None) -> str:
    """Revoke a member's calendar link at once and return the new token."""
    # A bare counter bump: F() keeps concurrent resets from losing one; nothing else on the member changes.
    Member.objects.filter(pk=member.pk).update(feed_version=F("feed_version") + 1)
    member.refresh_from_db(fields=["feed_version"])
    audit_log(action="shifts.feed.link_reset", actor=by, community=member.community, obj=member,
              data={"version": member.feed_version})
    return member_token(member)


def feed_link_reset_community(*, community: Community, by=None) -> str:
    """Revoke a community's calendar link, and with it every duty link of the community."""
    Community.objects.filter(pk=community.pk).update(feed_version=F("feed_version") + 1)
    community.refresh_from_db(fields=["feed_version"])
    audit_log(action="shifts.feed.community_link_reset", actor=by, community=community, obj=community,
              data={"version": community.feed_version})
    return community_token(community)


def feed_counters_bump(*, member_ids: Iterable[int] = (), community_ids: Iterable[int] = ()) -> None:
    """Raise the generation of the given feeds so that their cached renders are no longer used."""
    scopes = sorted({member_scope(i) for i in member_ids if i} | {community_scope(i) for i in community_ids if i})
    if not scopes:
        return
    now = timezone.now()
    with transaction.atomic():
        existing = set(FeedCounter.objects.filter(scope__in=scopes).values_list("scope", flat=True))
        if existing:
            FeedCounter.objects.filter(scope__in=existing).update(value=F("value") + 1, changed_at=now)
        FeedCounter.objects.bulk_create(
            [FeedCounter(scope=scope, value=1, changed_at=now) for scope in scopes if scope not in existing],
            ignore_conflicts=True)


def _fingerprint(shift: Shift) -> str:
    """What of a shift a calendar shows; a change in it raises the event's SEQUENCE."""
    parts = (shift.start.isoformat(), shift.end.isoformat(), shift.location, shift.name, shift.duty_id,
             shift.visit_target_id, shift.community_id)
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _next_sequence(state: FeedShiftState, shift: Shift) -> int:
    """Above anything feeds showed before, even if an editor forgot to raise Shift.sequence or saved a stale one."""
    return max(state.revision + 1, shift.sequence + 1)


def event_sequence(shift: Shift, state: FeedShiftState | None) -> int:
    """The SEQUENCE of a shift's event: the shift's own count, or higher once feeds saw a change to it."""
    return max(shift.sequence, state.revision) if state is not None else shift.sequence


def _published_staffing(shift_ids: Iterable[int]) -> dict[int, set[int]]:
    staffing: dict[int, set[int]] = {}
    rows = Assignment.objects.filter(shift_id__in=list(shift_ids), roster__status=Roster.Status.PUBLISHED)
    for shift_id, member_id in rows.values_list("shift_id", "member_id"):
        staffing.setdefault(shift_id, set()).add(member_id)
    return staffing


def _tombstone(*, shift: Shift, member: Member | None, sequence: int, now: dt.datetime) -> FeedTombstone:
    language = member.language if member is not None else None
    with translation.override(language or translation.get_language()):
        summary = content.event_title(shift, own_visit=False)
    return FeedTombstone(member=member, community_id=shift.community_id, duty_id=shift.duty_id, shift_id=shift.pk,
                         start=shift.start, end=shift.end, summary=summary[:200], sequence=sequence, removed_at=now)


def feed_shifts_sync(*, shift_ids: Iterable[int], removed: Iterable[tuple[int, int]] = ()) -> tuple[set, set]:
    """Compare each shift's published staffing and details with what feeds last knew, and record the changes.

    A member no longer on a shift gets a cancelled event (tombstone) for the grace period; a member put back
    loses it. `removed` lists (shift_id, member_id) pairs a publish reported as removed, for shifts feeds had
    not seen before. Returns the member ids and community ids whose feeds changed.
    """
    shift_ids = sorted(set(shift_ids) | {shift_id for shift_id, _member in removed})
    removed_by_shift: dict[int, set[int]] = {}
    for shift_id, member_id in removed:
        removed_by_shift.setdefault(shift_id, set()).add(member_id)
    members_changed: set[int] = set()
    communities_changed: set[int] = set()
    if not shift_ids:
        return members_changed, communities_changed
    now = timezone.now()
    with transaction.atomic():
        shifts = {s.pk: s for s in Shift.objects.select_related("duty", "visit_target").filter(pk__in=shift_ids)}
        staffing = _published_staffing(shifts)
        states = {s.shift_id: s for s in FeedShiftState.objects.select_for_update().filter(shift_id__in=shift_ids)}
        for shift_id in shift_ids:
            shift, state = shifts.get(shift_id), states.get(shift_id)
            if shift is None:  # deleted: the pre_delete bookkeeping already wrote its tombstones
                if state is not None:
                    members_changed |= set(state.member_ids)
                    state.delete()
                members_changed |= set(FeedTombstone.objects.filter(shift_id=shift_id, member__isnull=False)
                                       .values_list("member_id", flat=True))
                continue
            current = staffing.get(shift_id, set())
            before = set(state.member_ids) if state is not None else set()
            gone = (before | removed_by_shift.get(shift_id, set())) - current
            fingerprint = _fingerprint(shift)
            if state is not None and before == current and state.fingerprint == fingerprint and not gone:
                continue
            if state is None:
                state = FeedShiftState(shift_id=shift_id, revision=0)
            state.revision = _next_sequence(state, shift)
            state.member_ids, state.fingerprint, state.changed_at = sorted(current), fingerprint, now
            state.save()
            sequence = state.revision
            already = set(FeedTombstone.objects.filter(shift_id=shift_id, member_id__in=gone)
                          .values_list("member_id", flat=True))
            members = Member.objects.in_bulk(gone - already)
            FeedTombstone.objects.bulk_create(
                [_tombstone(shift=shift, member=m, sequence=sequence, now=now) for m in members.values()])
            FeedTombstone.objects.filter(shift_id=shift_id, member_id__in=current).delete()
            members_changed |= before | current | gone
            communities_changed.add(shift.community_id)
        FeedTombstone.objects.filter(removed_at__lt=now - TOMBSTONE_KEEP).delete()
    return members_changed, communities_changed


def feed_shift_deleting(*, shift: Shift) -> None:
    """Before a shift row goes: cancelled events for its members and for the community and duty feeds."""
    now = timezone.now()
    state = FeedShiftState.objects.filter(shift_id=shift.pk).first()
    member_ids = set(_published_staffing([shift.pk]).get(shift.pk, set()))
    if state is not None:
        member_ids |= set(state.member_ids)
        state.revision = _next_sequence(state, shift)
        state.changed_at = now
        state.save(update_fields=["revision", "changed_at"])
    sequence = state.revision if state is not None else shift.sequence + 1
    members = Member.objects.in_bulk(member_ids)
    rows = [_tombstone(shift=shift, member=m, sequence=sequence, now=now) for m in members.values()]
    rows.append(_tombstone(shift=shift, member=None, sequence=sequence, now=now))
    FeedTombstone.objects.bulk_create(rows)
    community_id = shift.community_id
    transaction.on_commit(lambda: feed_counters_bump(member_ids=member_ids, community_ids=[community_id]))


def feed_changes_apply(*, member_ids: Iterable[int] = (), shift_ids: Iterable[int] = (),
                       community_ids: Iterable[int] = (), removed: Iterable[tuple[int, int]] = ()) -> None:
    """Record what changed on the given shifts, then invalidate every feed that shows them."""
    changed_members, changed_communities = feed_shifts_sync(shift_ids=shift_ids, removed=list(removed))
    feed_counters_bump(member_ids=set(member_ids) | changed_members,
                       community_ids=set(community_ids) | changed_communities)

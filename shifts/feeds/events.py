"""Reading a feed's events from the database: a member's published shifts (with teammates) or a community's
(or one duty's) published shifts, plus cancelled ones for a while after they were removed. What each event says
is shifts.feeds.content's job; writing them as iCalendar is shifts.feeds.ics."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Max
from django.utils import timezone

from shifts.feeds import content
from shifts.feeds.services import event_sequence
from shifts.models import Assignment, FeedShiftState, FeedTombstone, Roster, Shift
from shifts.weeks import week_start_of

_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@dataclass
class FeedEvent:
    uid: str
    title: str
    start: dt.datetime
    end: dt.datetime
    sequence: int
    last_modified: dt.datetime
    location: str = ""
    description: str = ""
    cancelled: bool = False
    alarms: list[tuple[dt.timedelta, str]] = field(default_factory=list)


@dataclass
class Feed:
    name: str
    events: list[FeedEvent]
    last_modified: dt.datetime


def _ceil_hour(moment: dt.datetime) -> dt.datetime:
    floor = moment.replace(minute=0, second=0, microsecond=0)
    return floor if floor == moment else floor + dt.timedelta(hours=1)


def event_uid(shift_id: int, kind: str) -> str:
    # One UID per shift and kind of feed: a secretary subscribed to both her own and the community feed must
    # not see two calendars fight over the same event.
    suffix = {"member": "", "community": ".c", "duty": ".d"}[kind]
    return f"yure-shift-{shift_id}{suffix}@yure"


def _states(shift_ids) -> dict[int, FeedShiftState]:
    return {s.shift_id: s for s in FeedShiftState.objects.filter(shift_id__in=list(shift_ids))}


def _alarms(shift: Shift, title: str, cutoff: dt.datetime, reminder_hour: int):
    """(trigger, description) pairs that still lie ahead; and the moments at which passed ones were dropped."""
    start_local = timezone.localtime(shift.start, content.local_tz())
    evening = dt.datetime.combine(start_local.date() - dt.timedelta(days=1), dt.time(reminder_hour),
                                  tzinfo=content.local_tz())
    texts = content.alarm_texts(shift, title)
    alarms, dropped = [], []
    for fires, text in ((evening, texts[0]), (shift.start - dt.timedelta(hours=2), texts[1])):
        if fires > cutoff:
            alarms.append((fires - shift.start, text))
        else:
            dropped.append(_ceil_hour(fires) - dt.timedelta(hours=1))
    return alarms, dropped


def _tombstone_events(tombstones, *, live_shift_ids, lo, hi, now, kind) -> tuple[list[FeedEvent], list]:
    events, moments = [], []
    for tomb in tombstones:
        expires = tomb.removed_at + content.GRACE
        if expires <= now:
            moments.append(expires)  # the moment it vanished from the feed
            continue
        moments.append(tomb.removed_at)
        if tomb.shift_id in live_shift_ids or not (lo <= tomb.start < hi):
            continue
        events.append(FeedEvent(uid=event_uid(tomb.shift_id, kind), title=content.cancelled_title(tomb.summary),
                                start=tomb.start, end=tomb.end, sequence=tomb.sequence,
                                last_modified=tomb.removed_at, cancelled=True))
    return events, moments


def member_feed(member, *, now: dt.datetime) -> Feed:
    """A member's published shifts in the window, each once, with teammates; removed ones cancelled for a while."""
    lo, hi = content.window(now)
    mine = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__gte=lo, shift__start__lt=hi)
            .select_related("shift__duty", "shift__visit_target", "roster").order_by("shift__start", "shift_id"))
    shifts, assigned_at = {}, {}
    for assignment in mine:
        shifts[assignment.shift_id] = assignment.shift
        when = max(assignment.created_at, assignment.roster.published_at or assignment.created_at)
        assigned_at[assignment.shift_id] = max(when, assigned_at.get(assignment.shift_id, when))
    teammates: dict[int, list[tuple[str, str]]] = {}
    seen = set()
    for shift_id, member_id, name, phone in (
            Assignment.objects.filter(shift_id__in=list(shifts), roster__status=Roster.Status.PUBLISHED)
            .exclude(member=member).order_by("member__name", "member_id")
            .values_list("shift_id", "member_id", "member__name", "member__phone")):
        if (shift_id, member_id) not in seen:
            seen.add((shift_id, member_id))
            teammates.setdefault(shift_id, []).append((name, phone))
    states = _states(shifts)
    cutoff = now + dt.timedelta(hours=1)
    reminder_hour = member.community.reminder_hour if member.community_id else content.EVENING_BEFORE_HOUR
    events, moments = [], [member.updated_at]
    for shift_id, shift in shifts.items():
        state = states.get(shift_id)
        changed = max(shift.updated_at, state.changed_at if state is not None else assigned_at[shift_id])
        title = content.event_title(shift, own_visit=True)
        alarms = []
        if member.reminders:
            alarms, dropped = _alarms(shift, title, cutoff, reminder_hour)
            moments.extend(dropped)
        events.append(FeedEvent(
            uid=event_uid(shift_id, "member"), title=title, start=shift.start, end=shift.end,
            sequence=event_sequence(shift, state), last_modified=changed,
            location=content.event_location(shift, own_visit=True),
            description=content.member_description(shift, teammates.get(shift_id, [])), alarms=alarms))
        moments.extend([changed, content.entered_window_at(shift.start)])
    tombstones = FeedTombstone.objects.filter(member=member)
    cancelled, tomb_moments = _tombstone_events(tombstones, live_shift_ids=set(shifts), lo=lo, hi=hi, now=now,
                                                kind="member")
    gone = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lt=lo)
            .aggregate(latest=Max("shift__start"))["latest"])
    if gone is not None:
        moments.append(content.left_window_at(gone))
    return Feed(name=content.feed_name_member(member), events=events + cancelled,
                last_modified=_latest(moments + tomb_moments, now))


def community_feed(community, *, now: dt.datetime, duty=None) -> Feed:
    """Every shift of the community's published weeks in the window (one duty's, for a duty feed), with staffing."""
    lo, hi = content.window(now)
    kind = "community" if duty is None else "duty"
    weeks = dict(Roster.objects.filter(community=community, status=Roster.Status.PUBLISHED,
                                       week_start__gte=lo.date() - dt.timedelta(days=7), week_start__lt=hi.date())
                 .values_list("week_start", "published_at"))
    candidates = Shift.objects.filter(community=community, start__gte=lo, start__lt=hi).select_related(
        "duty", "visit_target").order_by("start", "pk")
    if duty is not None:
        candidates = candidates.filter(duty=duty)
    shifts = {}
    for shift in candidates:
        monday = week_start_of(shift.start)  # the one week rule (shifts.weeks)
        if monday in weeks:
            shifts[shift.pk] = (shift, weeks[monday])
    names: dict[int, list[str]] = {}
    for shift_id, name in (Assignment.objects.filter(shift_id__in=list(shifts), roster__status=Roster.Status.PUBLISHED)
                           .order_by("member__name", "member_id").values_list("shift_id", "member__name")):
        names.setdefault(shift_id, []).append(name)
    states = _states(shifts)
    events, moments = [], []
    for shift_id, (shift, published_at) in shifts.items():
        state = states.get(shift_id)
        changed = max(shift.updated_at, state.changed_at if state is not None else (published_at or shift.updated_at))
        events.append(FeedEvent(
            uid=event_uid(shift_id, kind), title=content.event_title(shift, own_visit=False), start=shift.start,
            end=shift.end, sequence=event_sequence(shift, state), last_modified=changed,
            location=content.event_location(shift, own_visit=False),
            description=content.staffing_description(shift, names.get(shift_id, []))))
        moments.extend([changed, content.entered_window_at(shift.start)])
    tombstones = FeedTombstone.objects.filter(community=community, member__isnull=True)
    if duty is not None:
        tombstones = tombstones.filter(duty=duty)
    cancelled, tomb_moments = _tombstone_events(tombstones, live_shift_ids=set(shifts), lo=lo, hi=hi, now=now,
                                                kind=kind)
    older = Shift.objects.filter(community=community, start__lt=lo)
    if duty is not None:
        older = older.filter(duty=duty)
    gone = older.aggregate(latest=Max("start"))["latest"]
    if gone is not None:
        moments.append(content.left_window_at(gone))
    return Feed(name=content.feed_name_community(community, duty), events=events + cancelled,
                last_modified=_latest(moments + tomb_moments, now))


def _latest(moments, now: dt.datetime) -> dt.datetime:
    found = [m for m in moments if m is not None]
    return min(max(found), now) if found else _EPOCH

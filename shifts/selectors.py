"""Reads for rosters, runs and assignments. Callers scope communities and members through volunteers.selectors."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import Community, Member

from .models import Assignment, Roster, Shift, SolveRun
from .models.shifts import wall_minutes
from .readmodels.fill import fill_rate
from .services.weeks import week_bounds


def roster_for_week(community: Community, week_start: dt.date, status: str = Roster.Status.PUBLISHED
                    ) -> Roster | None:
    """The community's roster of that status for the week (the newest one for proposal/discarded/superseded)."""
    return (Roster.objects.filter(community=community, week_start=week_start, status=status)
            .order_by("-created_at", "-pk").first())


def roster_current(community: Community, week_start: dt.date) -> Roster | None:
    """The draft if there is one, else the published roster: what a secretary is working on."""
    return (roster_for_week(community, week_start, Roster.Status.DRAFT)
            or roster_for_week(community, week_start, Roster.Status.PUBLISHED))


def roster_assignments(roster: Roster) -> QuerySet[Assignment]:
    return roster.assignments.select_related("shift__duty", "member").order_by("shift__start", "shift_id",
                                                                                "member__name")


def published_assignments(member: Member, start: dt.datetime, end: dt.datetime) -> QuerySet[Assignment]:
    """The member's assignments in published rosters on shifts overlapping [start, end)."""
    return (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__lt=end, shift__end__gt=start)
            .select_related("shift__duty", "shift__community", "roster").order_by("shift__start"))


def shifts_for_week(community: Community, week_start: dt.date) -> QuerySet[Shift]:
    start, end = week_bounds(week_start)
    return (Shift.objects.filter(community=community, start__gte=start, start__lt=end)
            .select_related("duty").order_by("start", "pk"))


def solve_run_active(community: Community, week_start: dt.date) -> SolveRun | None:
    return SolveRun.objects.filter(community=community, week_start=week_start,
                                   status__in=[SolveRun.Status.QUEUED, SolveRun.Status.RUNNING]).first()


def solve_run_latest(community: Community, week_start: dt.date) -> SolveRun | None:
    return SolveRun.objects.filter(community=community, week_start=week_start).order_by("-requested_at",
                                                                                         "-pk").first()


def proposals_open(community: Community) -> QuerySet[Roster]:
    """Re-plan proposals waiting for the secretary, urgent first."""
    return Roster.objects.filter(community=community, status=Roster.Status.PROPOSAL).order_by("-urgent",
                                                                                           "week_start")


def roster_fill_rate(roster: Roster) -> float | None:
    """Share of wanted places that are filled (1.0 when nothing is wanted): the one rule in readmodels.fill."""
    counts: dict[int, int] = {}
    for shift_id in roster.assignments.values_list("shift_id", flat=True):
        counts[shift_id] = counts.get(shift_id, 0) + 1
    return fill_rate((s.min_staff, counts.get(s.pk, 0)) for s in shifts_for_week(roster.community, roster.week_start))


# --------------------------------------------------------------------------- what a shift is called

def shift_title(shift: Shift, *, private: bool = False) -> str:
    """The one name of a shift for people: its own name, else its duty's.

    A home visit's name often says whose home it is ("探访谢家（和平街1号）"), which is sensitive: it is shown
    only when `private` (the reader is the visitor, or staff of the shift's community: sensitive_community_ids);
    everyone else (notice-board printouts, roster exports, other members' swap pages and messages) reads
    "入户探访". The default is the careful one."""
    from shifts.feeds.content import is_visit

    if is_visit(shift) and not private:
        return _("Home visit")
    if shift.name:
        return shift.name
    return shift.duty.display_name


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

    from .models import Notification
    from .services.sms import e164

    latest = Notification.objects.filter(member=OuterRef("pk"), created_at__gte=since).order_by("-created_at", "-pk")
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


def member_month_minutes(member_ids) -> dict[int, int]:
    """Published minutes per member in the current calendar month (the member list's load column)."""
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(today.replace(day=1), dt.time.min, tzinfo=tz)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    rows = Assignment.objects.filter(member_id__in=member_ids, roster__status=Roster.Status.PUBLISHED,
                                     shift__start__gte=first, shift__start__lt=following)
    totals: dict[int, int] = {}
    for member_id, start, end in rows.values_list("member_id", "shift__start", "shift__end"):
        totals[member_id] = totals.get(member_id, 0) + wall_minutes(start, end)
    return totals


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
    from django.db.models import Q

    from volunteers.selectors import communities_for, is_district_admin, sensitive_community_ids

    from .models import OutboxMessage

    messages = OutboxMessage.objects.select_related("notification__member", "notification__proxy__member",
                                                    "notification__user")
    if not is_district_admin(user):
        communities = communities_for(user)
        messages = messages.filter(Q(notification__member__community__in=communities)
                                   | Q(notification__proxy__member__community__in=communities)
                                   | Q(notification__user=user))
    own = sensitive_community_ids(user)
    return [OutboxEntry(message, _outbox_readable(message, user, own)) for message in messages[:limit]]


def _outbox_readable(message, user, own_communities: set[int]) -> bool:
    note = message.notification
    if note is None:
        return False  # no issuer on record: nobody's staff
    if note.user_id is not None:
        return note.user_id == user.pk
    member = note.member or (note.proxy.member if note.proxy_id else None)
    return member is not None and member.community_id in own_communities

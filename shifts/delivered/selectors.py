"""Reads for service delivered: today's shifts a member can check in to, a week's attendance sheet, the
dashboard's open welfare ladders. Callers scope communities and members through volunteers.selectors."""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shifts.delivered.attendance import CHECK_IN_EARLY, CHECK_OUT_LATE
from shifts.messaging.labels import shift_title
from shifts.models import Assignment, Attendance, Roster, Shift, WelfareLadder
from shifts.weeks import week_bounds
from volunteers.models import Member
from volunteers.selectors import members_serving


@dataclass
class OpenShift:
    """A published shift of the member's that is open for checking in or out now."""
    assignment: Assignment
    attendance: Attendance | None
    leader: bool = False
    team: list = field(default_factory=list)  # (member, attendance or None) when the member leads

    @property
    def shift(self) -> Shift:
        return self.assignment.shift

    @property
    def can_check_in(self) -> bool:
        return (self.attendance is None or self.attendance.check_in is None) and timezone.now() <= self.shift.end

    @property
    def can_check_out(self) -> bool:
        return self.attendance is not None and self.attendance.check_in is not None


@dataclass
class OpenGathering:
    """A gathering of the member's community (the study session) that is open for checking in or out now: no
    roster, every active member may come."""
    shift: Shift
    attendance: Attendance | None
    gathering: bool = True
    leader: bool = False

    can_check_in = OpenShift.can_check_in
    can_check_out = OpenShift.can_check_out


def open_gatherings(member: Member, now: dt.datetime | None = None) -> list[OpenGathering]:
    """Gatherings (settings.UNROSTERED_DUTIES) of the member's communities open for checking in or out now."""
    now = now or timezone.now()
    if not member.active:
        return []
    shifts = list(Shift.objects.filter(Q(community_id=member.community_id) | Q(community__in=member.extra_communities
                                                                             .all()),
                                       duty__code__in=settings.UNROSTERED_DUTIES,
                                       start__lte=now + CHECK_IN_EARLY, end__gte=now - CHECK_OUT_LATE)
                  .select_related("duty", "community").order_by("start").distinct())
    records = {a.shift_id: a for a in Attendance.objects.filter(member=member, shift__in=shifts)}
    return [OpenGathering(shift, records.get(shift.pk)) for shift in shifts]


def open_shifts(member: Member, now: dt.datetime | None = None, assignments=None) -> list[OpenShift]:
    """The member's shifts from an hour before the start to three hours after the end, with attendance."""
    now = now or timezone.now()
    if assignments is None:
        assignments = list(Assignment.objects.filter(
            member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lte=now + CHECK_IN_EARLY,
            shift__end__gte=now - CHECK_OUT_LATE).select_related("shift__duty", "shift__community")
            .order_by("shift__start"))
    shift_ids = [a.shift_id for a in assignments]
    records = {(a.shift_id, a.member_id): a for a in Attendance.objects.filter(shift_id__in=shift_ids)}
    lead_skills = set(member.skills.values_list("pk", flat=True))
    out = []
    for assignment in assignments:
        item = OpenShift(assignment, records.get((assignment.shift_id, member.pk)))
        lead = assignment.shift.duty.lead_skill_id
        item.leader = lead is not None and lead in lead_skills
        mates = (Assignment.objects.filter(shift_id=assignment.shift_id, roster__status=Roster.Status.PUBLISHED)
                 .select_related("member").order_by("member__name"))
        if item.leader:
            item.team = [(a.member, records.get((assignment.shift_id, a.member_id))) for a in mates]
        # Team-mates a relative checked in: someone who is there confirms they are.
        item.to_confirm = [a.member for a in mates if a.member_id != member.pk and (
            record := records.get((assignment.shift_id, a.member_id))) is not None
            and record.awaits_presence_confirmation]
        out.append(item)
    return out


@dataclass
class SheetLine:
    member: Member
    attendance: Attendance | None
    assigned: bool


@dataclass
class SheetShift:
    shift: Shift
    lines: list


def attendance_sheet(community, week_start: dt.date) -> list[SheetShift]:
    """Every shift of the community's published roster for the week, its team and their attendance."""
    start, end = week_bounds(week_start)
    roster = Roster.objects.filter(community=community, week_start=week_start,
                                   status=Roster.Status.PUBLISHED).first()
    shifts = list(Shift.objects.filter(community=community, start__gte=start, start__lt=end)
                  .select_related("duty").order_by("start", "pk"))
    assigned: dict[int, list[Member]] = {}
    if roster is not None:
        for a in roster.assignments.select_related("member").order_by("member__name"):
            assigned.setdefault(a.shift_id, []).append(a.member)
    gatherings = [shift.pk for shift in shifts if shift.duty.code in settings.UNROSTERED_DUTIES]
    if gatherings:  # the study session: every active member is expected, and the secretary ticks who came
        everyone = list(members_serving(community).order_by("name"))
        assigned.update({pk: everyone for pk in gatherings})
    records: dict[int, dict[int, Attendance]] = {}
    for record in Attendance.objects.filter(shift__in=shifts).select_related("member"):
        records.setdefault(record.shift_id, {})[record.member_id] = record
    sheet = []
    for shift in shifts:
        team = assigned.get(shift.pk, [])
        here = records.get(shift.pk, {})
        lines = [SheetLine(m, here.get(m.pk), True) for m in team]
        lines += [SheetLine(r.member, r, False) for pk, r in here.items() if pk not in {m.pk for m in team}]
        if lines:
            sheet.append(SheetShift(shift, lines))
    return sheet


WHOM_LABELS = {"member": _("the member"), "relative": _("relative"), "welfare": _("welfare contact"),
               "secretary": _("secretaries")}


def welfare_ladders_open(communities, *, private_ids=()) -> list[WelfareLadder]:
    """The dashboard's first section: every welfare ladder of these communities still calling, or unreachable,
    from the last three days; unreachable first, then the furthest up the ladder, then the oldest. Each carries
    `title` (a home visit's household only for its own community's staff), `call_list` (whom each step called,
    when) and `next_whom`."""
    ladders = list(WelfareLadder.objects.filter(shift__community__in=communities,
                                                outcome__in=["", WelfareLadder.Outcome.UNREACHABLE],
                                                due_at__gte=timezone.now() - dt.timedelta(days=3))
                   .select_related("member", "shift__duty", "shift__community"))
    ladders.sort(key=lambda ladder: (ladder.outcome != WelfareLadder.Outcome.UNREACHABLE, -ladder.step,
                                     ladder.due_at, ladder.pk))
    plan, private = settings.WELFARE_LADDER_STEPS, set(private_ids)
    for ladder in ladders:
        ladder.title = shift_title(ladder.shift, private=ladder.shift.community_id in private)
        ladder.call_list = [{"step": call.get("step"), "whom": WHOM_LABELS.get(call.get("whom"), ""),
                             "names": "、".join(call.get("names") or []),
                             "at": dt.datetime.fromisoformat(call["at"]) if call.get("at") else None}
                            for call in ladder.calls]
        ladder.next_whom = WHOM_LABELS[plan[ladder.step][1]] if ladder.is_open and ladder.step < len(plan) else ""
    return ladders

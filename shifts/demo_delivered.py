"""The demo's service delivered: two past weeks of the first community published and attended (a few members
below the 60% rule, one missing), a patrol log entry, a service certificate and a welfare ladder
that ran its course (unreachable, on the dashboard; nothing left due).
Idempotent like the rest."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from shifts.delivered.attendance import attendance_set
from shifts.delivered.certificates import certificate_issue
from shifts.delivered.no_show import LOOK_BACK
from shifts.delivered.welfare_ladder import ladder_recipients
from shifts.models import Assignment, Attendance, Certificate, NoShowCheck, PatrolLogEntry, Roster, Shift, WelfareLadder
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_bounds, week_start_of
from volunteers.models import Community, HealthLevel, Member

logger = logging.getLogger(__name__)
PAST_WEEKS = 2


def seed_delivered(community: Community, *, today: dt.date, secretary) -> None:
    with transaction.atomic():
        if not community.person_in_charge:
            community.organisation_name = f"{community.name}志愿服务队"
            community.person_in_charge = "陈主任"
            community.contact_phone = "021-6288" + f"{community.pk:04d}"[-4:]
            community.welfare_contact = secretary
            community.save()
        people = list(Member.objects.filter(community=community, active=True)
                      .exclude(health=HealthLevel.FRAIL).order_by("pk"))
        if not people:
            return
        for weeks_back in range(PAST_WEEKS, 0, -1):
            _attended_week(community, week_start_of(today) - dt.timedelta(weeks=weeks_back), people, secretary)
        _patrol_note(community)
        _certificate(community, people[0], today, secretary)
        _open_ladder(community)


def _attended_week(community, week_start, people, secretary) -> None:
    if Roster.objects.filter(community=community, week_start=week_start, status=Roster.Status.PUBLISHED).exists():
        return
    shifts_make_for_week(community=community, week_start=week_start)
    roster = Roster.objects.create(community=community, week_start=week_start, status=Roster.Status.PUBLISHED,
                                   version=1, reason="demo")
    start, end = week_bounds(week_start)
    shifts = list(Shift.objects.filter(community=community, start__gte=start, start__lt=end, visit_target=None)
                  .exclude(duty__code="study").select_related("duty").order_by("start", "pk"))
    turn = 0
    for shift in shifts:
        team = []
        for _seat in range(max(shift.min_staff, 1)):
            team.append(people[turn % len(people)])
            turn += 1
        Assignment.objects.bulk_create([Assignment(roster=roster, shift=shift, member=m) for m in team])
        for position, member in enumerate(team):
            if (turn + position) % 17 == 0:
                continue  # nobody noted this member: absent from the book
            late = dt.timedelta(minutes=75 if (turn + position) % 11 == 0 else 0)  # below 60%: not counted
            attendance_set(shift=shift, member=member, check_in=shift.start + late, check_out=shift.end,
                           by=secretary, source=Attendance.Source.BACKFILL)


def _patrol_note(community) -> None:
    if PatrolLogEntry.objects.filter(community=community).exists():
        return
    assignment = (Assignment.objects.filter(roster__community=community, roster__status=Roster.Status.PUBLISHED,
                                            shift__duty__code="patrol").order_by("-shift__start").first())
    if assignment is None:
        return
    entry = PatrolLogEntry(community=community, shift=assignment.shift, author=assignment.member,
                           note="3号楼东侧楼道灯不亮，夜里容易绊倒；垃圾房门口堆了装修垃圾。",
                           tags=["hazard", "litter"])
    entry.full_clean()
    entry.save()


def _open_ladder(community) -> None:
    """A welfare ladder on the dashboard that has run its course: a member the book shows missing from a patrol,
    called at the times the ladder calls (WELFARE_LADDER_STEPS, counted from the patrol's start and
    NO_SHOW_AFTER_MINUTES) and unreachable since, so the secretary's dashboard shows the calls made and asks them to
    have someone look in (its buttons record what they find). Every time follows from the patrol's own, and nothing
    is left due: a fresh deployment's yure.welfare_ladder job calls nobody for a patrol of the demo's past."""
    if WelfareLadder.objects.filter(shift__community=community).exists():
        return
    now = timezone.now()
    plan = settings.WELFARE_LADDER_STEPS
    after = dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    course = after + dt.timedelta(minutes=plan[-1][0] + settings.WELFARE_UNREACHABLE_MINUTES)
    present = Attendance.objects.filter(shift=OuterRef("shift"), member=OuterRef("member"))
    missing = (Assignment.objects.filter(roster__community=community, roster__status=Roster.Status.PUBLISHED,
                                         shift__duty__code=settings.PATROL_DUTY_CODE, shift__start__lte=now - course,
                                         shift__end__lte=now)
               .exclude(Exists(present)).select_related("shift", "member__community")
               .order_by("-shift__start").first())
    if missing is None:
        return
    due = missing.shift.start + after
    ladder = WelfareLadder(shift=missing.shift, member=missing.member, trigger=WelfareLadder.Trigger.NO_SHOW,
                           due_at=due, step=len(plan), next_at=None, outcome=WelfareLadder.Outcome.UNREACHABLE,
                           outcome_at=missing.shift.start + course, outcome_via=WelfareLadder.Via.TIMEOUT)
    for step, (minutes, whom) in enumerate(plan, start=1):
        role, names, _targets = ladder_recipients(ladder, whom)
        ladder.calls.append({"step": step, "whom": role, "names": names,
                             "at": (due + dt.timedelta(minutes=minutes)).isoformat()})
    ladder.step_at = due + dt.timedelta(minutes=plan[-1][0])
    check, _created = NoShowCheck.objects.get_or_create(shift=missing.shift, member=missing.member)
    if not check.outcome:
        check.outcome, check.outcome_at = NoShowCheck.Outcome.NO_ANSWER, ladder.outcome_at
        check.save(update_fields=["outcome", "outcome_at"])
    ladder.no_show = check
    ladder.save()


def settle_recent_no_shows(communities, *, now: dt.datetime | None = None) -> int:
    """The demo's book ends at the moment of seeding: members of shifts that began in the no-show check's window
    (shifts.delivered.no_show) and are not in the book yet (a round underway) are recorded as reached by that
    check, and rounds that have ended are checked out, so a fresh deployment's first welfare pass starts no ladder
    and calls nobody for the demo's past. Run last, after every step that books anyone."""
    now = now or timezone.now()
    after = dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    here = Attendance.objects.filter(shift_id=OuterRef("shift_id"), member_id=OuterRef("member_id"),
                                     check_in__isnull=False)
    flagged = NoShowCheck.objects.filter(shift_id=OuterRef("shift_id"), member_id=OuterRef("member_id"))
    pairs = (Assignment.objects.filter(roster__community__in=communities, roster__status=Roster.Status.PUBLISHED,
                                       shift__start__gt=now - LOOK_BACK, shift__start__lte=now - after)
             .exclude(Exists(here)).exclude(Exists(flagged)).values_list("shift_id", "member_id", "shift__start"))
    rows = [NoShowCheck(shift_id=s, member_id=m, outcome=NoShowCheck.Outcome.REACHED, outcome_at=start + after)
            for s, m, start in pairs]
    NoShowCheck.objects.bulk_create(rows, ignore_conflicts=True)
    # The monthly report's examples (shifts.demo_report) leave some calls open; one within the look-back would
    # start a ladder at the first pass (seen in CI at 11:15 and under libfaketime at 22:30 Shanghai time).
    recent = NoShowCheck.objects.filter(shift__community__in=communities, outcome="", ladder__isnull=True,
                                        shift__start__gt=now - LOOK_BACK).select_related("shift")
    for check in recent:
        check.outcome, check.outcome_at = NoShowCheck.Outcome.REACHED, check.shift.start + after
        check.save(update_fields=["outcome", "outcome_at"])
    # A round of the demo's book that has ended is checked out at its end, so that no member in the book is left
    # "not back from patrol" for the ladder's overdue check (shifts.delivered.welfare_run).
    for row in Attendance.objects.filter(shift__community__in=communities, shift__end__lte=now, check_in__isnull=False,
                                         check_out__isnull=True).select_related("shift", "member"):
        attendance_set(shift=row.shift, member=row.member, check_in=row.check_in, check_out=row.shift.end,
                       source=row.source)
    return len(rows)


def _certificate(community, member, today, secretary) -> None:
    if Certificate.objects.filter(community=community).exists():
        return
    start = week_start_of(today) - dt.timedelta(weeks=PAST_WEEKS)
    # The member who served most in the period (the past weeks come from shifts.demo_history), else the first.
    top = (Attendance.objects.filter(shift__community=community, served=True, shift__start__date__gte=start)
           .values("member").annotate(total=Sum("served_minutes")).order_by("-total", "member").first())
    member = Member.objects.get(pk=top["member"]) if top else member
    try:
        certificate_issue(member=member, community=community, start=start, end=today, by=secretary,
                          handled_by="陈干事")
    except ValidationError as exc:  # e.g. the member served nothing countable: the demo goes on without one
        logger.info("demo: no certificate for member %s: %s", member.pk, exc.messages)

"""The periodic jobs. Each is idempotent: running it twice in the same period does nothing more.

Schedules are created by the data migration shifts/migrations/*_schedules.py.
"""

import datetime as dt
import logging
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff
from shifts.models import Roster, Shift, SolveRun
from shifts.rostering.rosters import roster_generate
from shifts.rostering.week_making import STUDY_DAY, study_session_make
from shifts.weeks import local_zone, week_start_of
from volunteers.models import Community

logger = logging.getLogger(__name__)

UNFILLED_WINDOW = dt.timedelta(hours=72)


def _local_now() -> dt.datetime:
    return timezone.now().astimezone(local_zone())


def weekly_drafts_due(now: dt.datetime | None = None) -> list[int]:
    """Queue next week's draft for each community whose draft moment (draft_weekday at draft_time) has passed
    this week and that has no roster or request for next week since then. Returns the run ids queued."""
    now = (now or timezone.now()).astimezone(local_zone())
    this_week = week_start_of(now)
    next_week = this_week + dt.timedelta(days=7)
    queued = []
    for community in Community.objects.all():
        moment = dt.datetime.combine(this_week + dt.timedelta(days=community.draft_weekday), community.draft_time,
                                     tzinfo=local_zone())
        if now < moment:
            continue
        if Roster.objects.filter(community=community, week_start=next_week,
                                 status__in=[Roster.Status.DRAFT, Roster.Status.PUBLISHED]).exists():
            continue
        if SolveRun.objects.filter(Q(requested_at__gte=moment) | Q(status__in=[SolveRun.Status.QUEUED,
                                                                             SolveRun.Status.RUNNING]),
                                   community=community, week_start=next_week).exists():
            continue
        run = roster_generate(community=community, week_start=next_week, reason="weekly draft")
        queued.append(run.pk)
    return queued


def shift_reminders_send(now: dt.datetime | None = None) -> int:
    """The day before each published shift, from the community's reminder hour: one reminder per member and
    shift (a later republish does not repeat it). Returns how many reminders were handled."""
    now = (now or timezone.now()).astimezone(local_zone())
    tomorrow = now.date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0, 0), tzinfo=local_zone())
    end = start + dt.timedelta(days=1)
    count = 0
    for community in Community.objects.filter(reminder_hour__lte=now.hour):
        rosters = Roster.objects.filter(community=community, status=Roster.Status.PUBLISHED,
                                        week_start__in={week_start_of(start), week_start_of(end)})
        for roster in rosters:
            for assignment in (roster.assignments.filter(shift__start__gte=start, shift__start__lt=end,
                                                         member__active=True)
                               .select_related("shift__duty", "shift__community", "member")):
                notify_member(member=assignment.member, kind="shift_reminder",
                              dedupe_key=f"reminder:s{assignment.shift_id}:m{assignment.member_id}",
                              context={"shift": shift_line(assignment.shift, private=True)})
                count += 1
    return count


def unfilled_alerts_send(now: dt.datetime | None = None) -> int:
    """Tell each community's secretaries about published shifts in the next 72 hours that lack people;
    once a day per community. Returns how many communities were alerted."""
    now = now or timezone.now()
    local_day = now.astimezone(local_zone()).date()
    short = defaultdict(list)
    published = Roster.objects.filter(status=Roster.Status.PUBLISHED)
    shifts = (Shift.objects.filter(start__gte=now, start__lt=now + UNFILLED_WINDOW, min_staff__gt=0)
              .select_related("duty", "community").order_by("start"))
    for shift in shifts:
        roster = published.filter(community=shift.community_id, week_start=week_start_of(shift.start)).first()
        staffed = roster.assignments.filter(shift=shift).count() if roster else 0
        if staffed < shift.min_staff:
            short[shift.community].append({**shift_line(shift, private=True), "missing": shift.min_staff - staffed,
                                           "published": roster is not None})
    for community, lines in short.items():
        notify_staff(community=community, kind="unfilled_alert", dedupe_key=f"unfilled:c{community.pk}:{local_day}",
                     context={"shifts": lines}, urgent=True)
    return len(short)


def study_sessions_make(now: dt.datetime | None = None) -> int:
    """Make the monthly study session on the 25th for every community (this month's until the 25th,
    then next month's). Returns how many shifts were made."""
    now = (now or timezone.now()).astimezone(local_zone())
    day = now.date().replace(day=STUDY_DAY)
    if now.date() > day:
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=STUDY_DAY)
    made = sum(study_session_make(community=community, day=day)[1] for community in Community.objects.all())
    if made:
        logger.info("made %d study sessions for %s", made, day)
    return made

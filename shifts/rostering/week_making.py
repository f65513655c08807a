"""Making a community's shifts for a week: one per active template run (as the holiday calendar says), one
home visit per active household without its own template, and the monthly study session (党员学习会), during
which no duty is planned. Idempotent: a shift that exists already is never made twice."""

import datetime as dt
import logging
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shifts.models import Duty, Shift, ShiftTemplate
from shifts.weeks import local_zone, week_start_of
from volunteers.calendars import calendar_days
from volunteers.models import Community, VisitTarget
from volunteers.selectors import members_serving

logger = logging.getLogger(__name__)

def shifts_make_for_week(*, community: Community, week_start: dt.date) -> list[Shift]:
    """Make the week's shifts from the active templates and one visit per active household; idempotent.

    Returns the shifts created by this call (none when they all exist already).
    """
    week_start = week_start_of(week_start)
    zone = local_zone()
    created = []
    # Everyone is at the monthly study session, so no duty is planned during it.
    study = [study_session_make(community=community, day=day)[0]
             for day in (week_start + dt.timedelta(days=n) for n in range(7)) if day.day == STUDY_DAY]
    for template, day, (min_staff, max_staff) in _template_runs(community, week_start):
        start, end = template.occurrence_on(day, zone)
        if _during_any(study, start, end) or Shift.objects.filter(template=template, start=start).exists():
            continue
        shift = Shift(community=community, duty=template.duty, start=start, end=end, template=template,
                      min_staff=min_staff, max_staff=max_staff, location=template.location,
                      name=template.name, visit_target=template.visit_target)
        if _save_new_shift(shift):
            created.append(shift)
    created.extend(_visit_shifts(community, week_start, busy=study))
    if created:
        logger.info("made %d shifts for %s week %s", len(created), community, week_start)
    return created


def _template_runs(community: Community, week_start: dt.date):
    """(template, date, (people wanted, most people)) for each run of the week, as the calendar says.

    Each date runs the templates of its timetable weekday (a make-up workday has those of the weekday it
    replaces, instead of its own); on a public holiday each template runs, is skipped or has its holiday numbers.
    """
    by_weekday = defaultdict(list)
    for template in ShiftTemplate.objects.filter(community=community, active=True).select_related("duty"):
        by_weekday[template.weekday].append(template)
    days = calendar_days(week_start, week_start + dt.timedelta(days=7))
    for day, info in sorted(days.items()):
        for template in by_weekday[info.timetable_weekday]:
            staff = template.staff_on(holiday=info.is_holiday)
            if staff is not None:
                yield template, day, staff


def _during_any(sessions: list[Shift], start: dt.datetime, end: dt.datetime) -> bool:
    return any(session.start < end and start < session.end for session in sessions)


STUDY_DAY = 25  # the party branch's monthly study day


def study_duty() -> Duty:
    duty, _created = Duty.objects.get_or_create(code="study", defaults={"name": "学习会", "name_en": "Study session"})
    return duty


def study_session_make(*, community: Community, day: dt.date) -> tuple[Shift, bool]:
    """The community's study session (党员学习会) on `day`, made once; returns (shift, created).

    It is a gathering for every member rather than places to fill, so the optimizer leaves it out
    (settings.UNROSTERED_DUTIES) and the week's duties are not planned during it."""
    start = dt.datetime.combine(day, settings.STUDY_SESSION_START, tzinfo=local_zone())
    minutes = settings.STUDY_SESSION_MINUTES
    duty = study_duty()
    existing = Shift.objects.filter(community=community, duty=duty, start=start).first()
    if existing is not None:
        return existing, False
    shift = Shift(community=community, duty=duty, start=start, end=start + dt.timedelta(minutes=minutes),
                  min_staff=0, max_staff=max(members_serving(community).count(), 1), name="党员学习会")
    if _save_new_shift(shift):
        return shift, True
    return Shift.objects.get(community=community, duty=duty, start=start), False


def _save_new_shift(shift: Shift) -> bool:
    shift.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:  # made concurrently by another request: that one counts
        return False
    return True


def _visit_shifts(community: Community, week_start: dt.date, *, busy: list[Shift]) -> list[Shift]:
    targets = (VisitTarget.objects.filter(community=community, active=True)
               .exclude(templates__active=True))  # households with their own template are visited by it
    targets = list(targets)
    if not targets:
        return []
    code = settings.VISIT_DUTY_CODE
    duty = Duty.objects.filter(code=code).first()
    if duty is None:
        logger.warning("no duty %r: weekly home visits for %s not made", code, community)
        return []
    zone = local_zone()
    created = []
    for target in targets:
        day = week_start + dt.timedelta(days=target.visit_weekday)
        start = dt.datetime.combine(day, target.visit_start, tzinfo=zone)
        end = start + dt.timedelta(minutes=target.visit_minutes)
        if _during_any(busy, start, end) or Shift.objects.filter(
                visit_target=target, template__isnull=True, start=start).exists():
            continue
        shift = Shift(community=community, duty=duty, start=start, end=end, min_staff=1, max_staff=2,
                      visit_target=target, name=_("Home visit"))
        if _save_new_shift(shift):
            created.append(shift)
    return created

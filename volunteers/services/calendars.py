"""Changes to the calendars by the district administrator: holiday years, single days and school terms.

Each change is validated with full_clean and audited under volunteers.calendar.* / volunteers.school_term.*.
Rosters already made are not changed: the next week made or solved reads the new calendar.
"""

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..calendars import package_year
from ..models import CalendarDay, CalendarYear, SchoolTerm
from ..selectors import is_district_admin
from .audit import audit_log

logger = logging.getLogger(__name__)


def _check_admin(by) -> None:
    # None is a system caller (seed_demo, a migration); a login must be a district administrator.
    if by is not None and not is_district_admin(by):
        raise PermissionDenied("only the district administrator edits the calendars")


def calendar_year_seed(*, year: int, by=None, replace: bool = False) -> CalendarYear:
    """Store a year's holidays and make-up workdays from the `holidays` package; idempotent.

    With replace, the stored days of the year are replaced by the package's (undoing hand edits).
    """
    _check_admin(by)
    row = CalendarYear(year=year)
    row.full_clean(validate_unique=False)
    with transaction.atomic():
        existing = CalendarYear.objects.select_for_update().filter(year=year).first()
        if existing is not None and not replace:
            return existing
        days, official = package_year(year)
        source = CalendarYear.Source.OFFICIAL if official else CalendarYear.Source.ESTIMATED
        row, _created = CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
        CalendarDay.objects.filter(date__year=year).delete()
        CalendarDay.objects.bulk_create([CalendarDay(date=info.date, kind=info.kind, name=info.name,
                                                     replaces_weekday=info.replaces_weekday) for info in days])
        audit_log(action="volunteers.calendar.year_loaded", actor=by, obj=row,
                  data={"year": year, "source": source, "days": len(days)})
    logger.info("calendar %s loaded from the holidays package (%s, %d days)", year, source, len(days))
    return row


def calendar_year_set_source(*, year: int, source: str, by) -> CalendarYear:
    """Mark a stored year's dates as official (the State Council notice is entered) or estimated."""
    _check_admin(by)
    if source not in CalendarYear.Source.values:
        raise ValidationError({"source": _("Choose official or estimated dates.")})
    row = calendar_year_seed(year=year, by=by)
    if row.source != source:
        row.source = source
        row.full_clean()
        row.save()
        audit_log(action="volunteers.calendar.year_marked", actor=by, obj=row, data={"year": year, "source": source})
    return row


def calendar_day_save(*, date: dt.date, kind: str, name: str = "", replaces_weekday: int | None = None,
                      by) -> CalendarDay:
    """Set one day; the rest of its year is loaded from the package first so it keeps its holidays."""
    _check_admin(by)
    with transaction.atomic():
        calendar_year_seed(year=date.year, by=by)
        day = CalendarDay.objects.filter(date=date).first() or CalendarDay(date=date)
        before = {"kind": day.kind, "name": day.name, "replaces_weekday": day.replaces_weekday}
        day.kind, day.name, day.replaces_weekday = kind, name, replaces_weekday
        day.full_clean()
        day.save()
        audit_log(action="volunteers.calendar.day_changed", actor=by, obj=day,
                  data={"date": date.isoformat(), "before": before,
                        "after": {"kind": day.kind, "name": day.name, "replaces_weekday": day.replaces_weekday}})
    return day


def calendar_day_remove(*, day: CalendarDay, by) -> None:
    """Make the day an ordinary day again."""
    _check_admin(by)
    with transaction.atomic():
        audit_log(action="volunteers.calendar.day_removed", actor=by, obj=day,
                  data={"date": day.date.isoformat(), "kind": day.kind, "name": day.name})
        day.delete()


def school_term_save(*, district: str, name: str, start: dt.date, end: dt.date, by,
                     term: SchoolTerm | None = None) -> SchoolTerm:
    _check_admin(by)
    term = term or SchoolTerm()
    term.district, term.name, term.start, term.end = district, name, start, end
    with transaction.atomic():
        term.full_clean()
        term.save()
        audit_log(action="volunteers.school_term.saved", actor=by, obj=term,
                  data={"district": district, "name": name, "start": start.isoformat(), "end": end.isoformat()})
    return term


def school_term_remove(*, term: SchoolTerm, by) -> None:
    _check_admin(by)
    with transaction.atomic():
        audit_log(action="volunteers.school_term.removed", actor=by, obj=term,
                  data={"district": term.district, "name": term.name})
        term.delete()

"""Reading the calendars: which days are public holidays or make-up workdays (调休), and which are school days.

The national calendar is the CalendarDay table for every year that has a CalendarYear row. A year without one is
read from the `holidays` package's China calendar: its official dates when the package carries the State Council
notice for that year, otherwise its estimate (fixed and lunar festivals, weekend holidays moved to the next
workday, no make-up workdays). CalendarYear.source says which of the two a stored year holds; the district
administrator edits the days and marks the year official once the November notice is out.

A school day of a district is a date inside one of its terms that is not a public holiday and is either a
weekday or a make-up workday. Dates outside every term but between two terms are school holidays; dates before
the first or after the last term entered are unknown and count as term time, so nobody is booked during a school
run because a term was not entered yet.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from .models import CalendarDay, CalendarYear, SchoolTerm
from .validators import WEEKDAY_CODES

HOLIDAY, WORKDAY, ORDINARY = CalendarDay.Kind.HOLIDAY, CalendarDay.Kind.WORKDAY, CalendarDay.Kind.ORDINARY


@dataclass(frozen=True)
class DayInfo:
    date: dt.date
    kind: str = ORDINARY
    name: str = ""
    replaces_weekday: int | None = None
    estimated: bool = False

    @property
    def is_holiday(self) -> bool:
        return self.kind == HOLIDAY

    @property
    def is_working_day(self) -> bool:
        if self.kind == HOLIDAY:
            return False
        return self.kind == WORKDAY or self.date.weekday() < 5

    @property
    def timetable_weekday(self) -> int:
        """The weekday whose shifts and school timetable this day has (a make-up Saturday may have Friday's)."""
        if self.kind == WORKDAY and self.replaces_weekday is not None:
            return self.replaces_weekday
        return self.date.weekday()


# ------------------------------------------------------------------ the holidays package

@functools.lru_cache(maxsize=64)
def package_year(year: int) -> tuple[tuple[DayInfo, ...], bool]:
    """The `holidays` package's China calendar for one year: (holidays and make-up workdays, official?).

    Official means the package carries that year's State Council notice (its substituted days); otherwise the
    days are the package's estimate.
    """
    import holidays
    from holidays.countries.china import ChinaStaticHolidays

    notices = ChinaStaticHolidays.special_public_holidays
    official = year in notices
    estimated = not official
    china = holidays.China(years=year, language="zh_CN")
    days = {day: DayInfo(day, HOLIDAY, str(name)[:60], None, estimated)
            for day, name in china.items() if day.year == year}
    # A substitution (day off, worked day) moves a workday onto a weekend; the worked day keeps the timetable of
    # the weekday it was taken from. Notices of the next year can move days into the end of this one.
    for notice_year in (year, year + 1):
        for entry in notices.get(notice_year, ()):
            if len(entry) < 4 or not isinstance(entry[2], int):
                continue
            to_month, to_day, from_month, from_day, *from_year = entry
            worked = dt.date(from_year[0] if from_year else notice_year, from_month, from_day)
            day_off = dt.date(notice_year, to_month, to_day)
            if worked.year == year and worked.weekday() >= 5:
                days[worked] = DayInfo(worked, WORKDAY, "调休上班", day_off.weekday(), estimated)
    return tuple(sorted(days.values(), key=lambda info: info.date)), official


# ------------------------------------------------------------------ the national calendar

def _dates(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=n) for n in range((end - start).days)]


def calendar_days(start: dt.date, end: dt.date) -> dict[dt.date, DayInfo]:
    """Every date in [start, end) with what kind of day it is."""
    dates = _dates(start, end)
    years = sorted({day.year for day in dates})
    stored = {row.year: row.source for row in CalendarYear.objects.filter(year__in=years)}
    out = {day: DayInfo(day) for day in dates}
    rows = CalendarDay.objects.filter(date__gte=start, date__lt=end, date__year__in=list(stored))
    for row in rows:
        out[row.date] = DayInfo(row.date, row.kind, row.name, row.replaces_weekday,
                                stored[row.date.year] == CalendarYear.Source.ESTIMATED)
    for year in years:
        if year in stored:
            if stored[year] == CalendarYear.Source.ESTIMATED:
                for day in dates:
                    if day.year == year and out[day].kind == ORDINARY:
                        out[day] = DayInfo(day, estimated=True)
            continue
        package_days, official = package_year(year)
        for info in package_days:
            if info.date in out:
                out[info.date] = info
        if not official:
            for day in dates:
                if day.year == year and out[day].kind == ORDINARY:
                    out[day] = DayInfo(day, estimated=True)
    return out


def years_estimated(start: dt.date, end: dt.date) -> list[int]:
    """Years touched by [start, end) whose public holidays are not yet the official dates."""
    years = sorted({day.year for day in _dates(start, end)})
    stored = dict(CalendarYear.objects.filter(year__in=years).values_list("year", "source"))
    out = []
    for year in years:
        if year in stored:
            if stored[year] == CalendarYear.Source.ESTIMATED:
                out.append(year)
        elif not package_year(year)[1]:
            out.append(year)
    return out


# ------------------------------------------------------------------ school terms

@dataclass(frozen=True)
class TermSpans:
    """A district's terms as (first day, last day) pairs, sorted."""

    spans: tuple[tuple[dt.date, dt.date], ...]

    def in_term(self, day: dt.date) -> bool:
        """In a term, or outside the dates entered (unknown counts as term time)."""
        if not self.spans or day < self.spans[0][0] or day > max(end for _start, end in self.spans):
            return True
        return any(start <= day <= end for start, end in self.spans)


def term_spans(districts) -> dict[str, TermSpans]:
    spans: dict[str, list] = {district: [] for district in districts}
    for district, start, end in (SchoolTerm.objects.filter(district__in=list(spans))
                                 .order_by("start").values_list("district", "start", "end")):
        spans[district].append((start, end))
    return {district: TermSpans(tuple(values)) for district, values in spans.items()}


def school_days(district: str, start: dt.date, end: dt.date, *, days=None, terms=None) -> list[DayInfo]:
    """The school days of the district in [start, end): in term, not a public holiday, a weekday or make-up day."""
    days = days if days is not None else calendar_days(start, end)
    terms = terms if terms is not None else term_spans([district])[district]
    return [info for day, info in sorted(days.items())
            if start <= day < end and info.is_working_day and terms.in_term(day)]


def school_run_weekdays(districts, week_start: dt.date) -> dict[str, dict[str, str]]:
    """Per district, this week's school days as {weekday code of the date: weekday code of its timetable}.

    A make-up Saturday that follows Friday's timetable reads {"sat": "fri"}: a school run listed for Friday
    happens on that Saturday.
    """
    end = week_start + dt.timedelta(days=7)
    days = calendar_days(week_start, end)
    terms = term_spans(set(districts))
    return {district: {WEEKDAY_CODES[info.date.weekday()]: WEEKDAY_CODES[info.timetable_weekday]
                       for info in school_days(district, week_start, end, days=days, terms=spans)}
            for district, spans in terms.items()}


@dataclass(frozen=True)
class SchoolWeek:
    """What school runs a district's week has, for the explanations."""

    holidays: bool  # no school day at all: school holidays (or a holiday week)
    days_off: tuple[str, ...]  # Monday–Friday codes without school, when some days have school
    make_up: tuple[tuple[dt.date, str], ...]  # (weekend date, timetable weekday code) of make-up school days


def school_week(district: str, week_start: dt.date) -> SchoolWeek:
    end = week_start + dt.timedelta(days=7)
    days = school_days(district, week_start, end)
    if not days:
        return SchoolWeek(True, (), ())
    school = {info.date for info in days}
    off = tuple(WEEKDAY_CODES[n] for n in range(5) if week_start + dt.timedelta(days=n) not in school)
    make_up = tuple((info.date, WEEKDAY_CODES[info.timetable_weekday]) for info in days if info.date.weekday() >= 5)
    return SchoolWeek(False, off, make_up)

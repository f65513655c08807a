"""School-run windows follow the calendar: public holidays, make-up workdays (调休) and school terms.

The weeks are fixed 2026/2027 weeks: 2026 carries the State Council notice in the holidays package, 2027 does not.
"""

import datetime as dt

import pytest

from shifts.rostering.problem import member_key, problem_for_week
from solver import load_problem
from tests import factories as f
from volunteers.calendars import calendar_days, school_run_weekdays, years_estimated
from volunteers.models import CalendarDay, SchoolTerm
from volunteers.services.calendars import calendar_day_save, calendar_year_seed

pytestmark = pytest.mark.django_db

DISTRICT = "示范街道"
WEEKDAYS = "mon,tue,wed,thu,fri"


def terms(district=DISTRICT, *spans):
    for name, start, end in spans:
        SchoolTerm.objects.create(district=district, name=name, start=dt.date.fromisoformat(start),
                                  end=dt.date.fromisoformat(end))


def school_year_2026_27(district=DISTRICT):
    terms(district, ("2025–26 春季学期", "2026-03-02", "2026-07-10"),
          ("2026–27 秋季学期", "2026-09-01", "2027-01-22"), ("2026–27 春季学期", "2027-02-22", "2027-07-09"))


@pytest.fixture
def grandparent():
    community = f.community(name="幸福里", district=DISTRICT)
    member = f.member(community, name="王秀英")
    f.caregiving(member, weekdays=WEEKDAYS, start=dt.time(7, 0), end=dt.time(8, 30), label="接送孙辈")
    f.caregiving(member, weekdays="wed", start=dt.time(16, 0), end=dt.time(17, 30), label="接送孙辈")
    f.caregiving(member, weekdays="mon,fri", start=dt.time(10, 0), end=dt.time(11, 0), label="陪老伴看病",
                 applies="every_week")
    return community, member


def windows(community, member, week: str) -> dict[str, list[str]]:
    document = problem_for_week(community=community, week_start=dt.date.fromisoformat(week)).document
    load_problem(document)  # the solver's strict reader accepts it: still roster-problem/1
    doc = next(m for m in document["members"] if m["id"] == member_key(member.pk))
    return {w["start"]: w["days"] for w in doc.get("caregiving", [])}


def test_a_holiday_on_a_weekday_has_no_school_run(grandparent):
    school_year_2026_27()
    community, member = grandparent
    # 2026-06-19, a Friday, is the Dragon Boat Festival.
    assert windows(community, member, "2026-06-15") == {
        "07:00": ["mon", "tue", "wed", "thu"], "16:00": ["wed"], "10:00": ["mon", "fri"]}
    assert windows(community, member, "2026-06-08")["07:00"] == WEEKDAYS.split(",")


def test_a_make_up_saturday_has_the_school_runs_of_the_weekday_it_replaces(grandparent):
    school_year_2026_27()
    community, member = grandparent
    # National Day 2026: Mon 10-05 to Wed 10-07 off; Saturday 10-10 is worked in place of Wednesday 10-07.
    days = calendar_days(dt.date(2026, 10, 5), dt.date(2026, 10, 12))
    assert days[dt.date(2026, 10, 10)].kind == CalendarDay.Kind.WORKDAY
    assert days[dt.date(2026, 10, 10)].timetable_weekday == 2
    assert windows(community, member, "2026-10-05") == {
        "07:00": ["thu", "fri", "sat"], "16:00": ["sat"], "10:00": ["mon", "fri"]}
    # Sunday 2026-09-20 is worked in place of Tuesday 10-06: the Monday–Friday run applies, Wednesday's does not.
    assert windows(community, member, "2026-09-14") == {"07:00": [*WEEKDAYS.split(","), "sun"],
                                                        "16:00": ["wed"], "10:00": ["mon", "fri"]}


def test_a_week_across_the_end_and_start_of_terms(grandparent):
    community, member = grandparent
    terms(DISTRICT, ("秋季学期", "2026-09-01", "2027-01-20"), ("春季学期", "2027-02-24", "2027-07-09"))
    assert windows(community, member, "2027-01-18")["07:00"] == ["mon", "tue", "wed"]  # the term ends Wednesday
    assert windows(community, member, "2027-02-22")["07:00"] == ["wed", "thu", "fri"]  # the next starts Wednesday


def test_the_winter_holidays_have_no_school_runs_but_other_care_stays(grandparent):
    school_year_2026_27()
    community, member = grandparent
    assert windows(community, member, "2027-02-01") == {"10:00": ["mon", "fri"]}
    assert windows(community, member, "2026-08-03") == {"10:00": ["mon", "fri"]}  # the summer holidays
    assert windows(community, member, "2027-01-18")["07:00"] == WEEKDAYS.split(",")  # the last week of term


def test_without_terms_entered_every_working_day_is_a_school_day(grandparent):
    community, member = grandparent
    assert windows(community, member, "2026-08-03")["07:00"] == WEEKDAYS.split(",")
    # Past the last term entered is unknown too: school runs stay rather than book the member during them.
    terms(DISTRICT, ("秋季学期", "2026-09-01", "2027-01-22"))
    assert windows(community, member, "2027-03-01")["07:00"] == WEEKDAYS.split(",")


def test_terms_are_per_district():
    school_year_2026_27("示范街道")
    assert school_run_weekdays({"示范街道", "别的街道"}, dt.date(2026, 8, 3)) == {
        "示范街道": {}, "别的街道": {code: code for code in WEEKDAYS.split(",")}}


def test_a_year_without_official_dates_uses_the_estimate_without_error(grandparent):
    community, member = grandparent
    assert years_estimated(dt.date(2026, 12, 28), dt.date(2027, 1, 4)) == [2027]
    assert years_estimated(dt.date(2026, 12, 21), dt.date(2026, 12, 28)) == []
    days = calendar_days(dt.date(2027, 9, 27), dt.date(2027, 10, 4))
    assert days[dt.date(2027, 10, 1)].is_holiday and days[dt.date(2027, 10, 1)].estimated
    # 2028 has no official dates either; the week still builds and New Year's Day (a Saturday) moves to Monday.
    assert windows(community, member, "2028-01-03")["07:00"] == ["tue", "wed", "thu", "fri"]
    assert years_estimated(dt.date(2028, 1, 3), dt.date(2028, 1, 10)) == [2028]


def test_the_district_administrator_s_edits_win_over_the_package(grandparent):
    community, member = grandparent
    admin = f.district_admin()
    # The notice for 2027 arrives: Saturday 2027-02-20 is a make-up day with Friday's timetable.
    calendar_day_save(date=dt.date(2027, 2, 20), kind=CalendarDay.Kind.WORKDAY, name="春节调休",
                      replaces_weekday=4, by=admin)
    assert CalendarDay.objects.filter(date=dt.date(2027, 2, 8), kind="holiday").exists()  # the year was loaded
    assert windows(community, member, "2027-02-15")["07:00"] == [*WEEKDAYS.split(","), "sat"]
    calendar_day_save(date=dt.date(2027, 2, 17), kind=CalendarDay.Kind.HOLIDAY, name="春节", by=admin)
    assert windows(community, member, "2027-02-15")["07:00"] == ["mon", "tue", "thu", "fri", "sat"]


def test_loading_a_year_is_idempotent_and_keeps_edits():
    first = calendar_year_seed(year=2026)
    count = CalendarDay.objects.count()
    assert first.source == "official" and count > 20
    CalendarDay.objects.filter(date=dt.date(2026, 6, 19)).delete()
    assert calendar_year_seed(year=2026) == first
    assert CalendarDay.objects.count() == count - 1
    calendar_year_seed(year=2026, replace=True)
    assert CalendarDay.objects.count() == count
    assert calendar_year_seed(year=2027).source == "estimated"


def test_school_runs_default_to_school_days_and_other_care_to_every_week():
    from volunteers.services.members import caregiving_add

    member = f.member(f.community())
    by = f.district_admin()
    add = dict(member=member, weekdays="mon,tue", start=dt.time(16), end=dt.time(17), by=by)
    assert caregiving_add(label="接送孙辈", **add).applies == "school_days"
    assert caregiving_add(label="接孙子放学", **add).applies == "school_days"
    assert caregiving_add(label="陪老伴做透析", **add).applies == "every_week"
    assert caregiving_add(label="接送孙辈", applies="every_week", **add).applies == "every_week"

"""Weekly templates on public holidays and make-up workdays (调休), through shifts_make_for_week."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shifts.models import Shift, ShiftTemplate
from shifts.rostering.week_making import shifts_make_for_week
from tests import factories as f

pytestmark = pytest.mark.django_db

# 2026-06-19, a Friday, is the Dragon Boat Festival. In the week of 2026-10-05, Monday to Wednesday are the
# National Day holiday and Saturday 10-10 is worked in place of Wednesday 10-07.
DRAGON_BOAT_WEEK = dt.date(2026, 6, 15)
NATIONAL_DAY_WEEK = dt.date(2026, 10, 5)


def made(community, week) -> list[tuple[dt.date, int, int, int]]:
    shifts_make_for_week(community=community, week_start=week)
    rows = Shift.objects.filter(community=community, template__isnull=False).order_by("start")
    return [(timezone.localtime(s.start).date(), s.template.weekday, s.min_staff, s.max_staff) for s in rows]


@pytest.fixture
def community():
    return f.community(name="长青社区")


def friday_patrol(community, **holiday):
    return f.template(community, f.duty("patrol"), 4, min_staff=2, max_staff=3, **holiday)


def test_a_template_that_runs_on_holidays_keeps_its_numbers(community):
    friday_patrol(community, on_holiday=ShiftTemplate.OnHoliday.RUNS)
    assert made(community, DRAGON_BOAT_WEEK) == [(dt.date(2026, 6, 19), 4, 2, 3)]


def test_a_skipped_template_makes_no_shift_on_the_holiday_only(community):
    friday_patrol(community, on_holiday=ShiftTemplate.OnHoliday.SKIPPED)
    assert made(community, DRAGON_BOAT_WEEK) == []
    assert made(community, DRAGON_BOAT_WEEK + dt.timedelta(days=7)) == [(dt.date(2026, 6, 26), 4, 2, 3)]


def test_a_template_with_holiday_numbers_uses_them_on_the_holiday(community):
    friday_patrol(community, on_holiday=ShiftTemplate.OnHoliday.CHANGED, holiday_min_staff=4, holiday_max_staff=5)
    assert made(community, DRAGON_BOAT_WEEK) == [(dt.date(2026, 6, 19), 4, 4, 5)]
    assert made(community, DRAGON_BOAT_WEEK - dt.timedelta(days=7)) == [
        (dt.date(2026, 6, 12), 4, 2, 3), (dt.date(2026, 6, 19), 4, 4, 5)]


def test_holiday_numbers_are_required_and_checked():
    community = f.community()
    template = ShiftTemplate(community=community, duty=f.duty("patrol"), weekday=4, start=dt.time(9),
                             end=dt.time(11), on_holiday=ShiftTemplate.OnHoliday.CHANGED)
    with pytest.raises(ValidationError) as missing:
        template.full_clean()
    assert {"holiday_min_staff", "holiday_max_staff"} <= set(missing.value.message_dict)
    template.holiday_min_staff, template.holiday_max_staff = 3, 2
    with pytest.raises(ValidationError) as below:
        template.full_clean()
    assert set(below.value.message_dict) == {"holiday_max_staff"}


def test_a_make_up_saturday_follows_the_replaced_weekday_s_templates(community):
    patrol = f.duty("patrol")
    f.template(community, patrol, 2, min_staff=2, max_staff=2, on_holiday=ShiftTemplate.OnHoliday.SKIPPED)
    f.template(community, patrol, 5, start=dt.time(14), end=dt.time(16), min_staff=1, max_staff=1)
    f.template(community, patrol, 6, start=dt.time(14), end=dt.time(16), min_staff=1, max_staff=1)
    # Wednesday 10-07 is a holiday (skipped); Saturday 10-10 runs Wednesday's patrol instead of its own.
    assert made(community, NATIONAL_DAY_WEEK) == [(dt.date(2026, 10, 10), 2, 2, 2), (dt.date(2026, 10, 11), 6, 1, 1)]
    saturday = Shift.objects.get(community=community, start__date=dt.date(2026, 10, 10))
    assert timezone.localtime(saturday.start).time() == dt.time(9)
    assert made(community, NATIONAL_DAY_WEEK) == made(community, NATIONAL_DAY_WEEK)  # idempotent

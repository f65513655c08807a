"""Model validation gives clear, field-level errors for bad data."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shifts.models import Roster, Shift, ShiftTemplate
from tests import factories
from volunteers.models import CaregivingWindow, Member, Unavailability

pytestmark = pytest.mark.django_db


def errors_of(obj) -> dict:
    with pytest.raises(ValidationError) as caught:
        obj.full_clean()
    return caught.value.message_dict


def test_shift_end_before_start_names_the_end_field():
    community = factories.community()
    duty = factories.duty()
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
    shift = Shift(community=community, duty=duty, start=start, end=start - dt.timedelta(hours=1),
                  min_staff=1, max_staff=1)
    assert list(errors_of(shift)) == ["end"]


def test_shift_off_the_15_minute_grid_is_rejected_on_the_time_field():
    community = factories.community()
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 10))
    shift = Shift(community=community, duty=factories.duty(), start=start, end=start + dt.timedelta(hours=2),
                  min_staff=1, max_staff=1)
    with pytest.raises(ValidationError) as caught:
        shift.full_clean()
    assert [error.code for error in caught.value.error_dict["start"]] == ["off_grid"]
    assert [error.code for error in caught.value.error_dict["end"]] == ["off_grid"]


def test_shift_on_the_grid_is_valid():
    community = factories.community()
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 45))
    Shift(community=community, duty=factories.duty(), start=start, end=start + dt.timedelta(hours=2),
          min_staff=1, max_staff=2).full_clean()


def test_negative_staff_count_is_an_error_on_min_staff():
    community = factories.community()
    start = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))
    shift = Shift(community=community, duty=factories.duty(), start=start, end=start + dt.timedelta(hours=2),
                  min_staff=-1, max_staff=1)
    assert "min_staff" in errors_of(shift)


def test_max_staff_below_min_staff_is_an_error_on_max_staff():
    template = ShiftTemplate(community=factories.community(), duty=factories.duty(), weekday=0,
                             start=dt.time(9), end=dt.time(11), min_staff=3, max_staff=2)
    assert list(errors_of(template)) == ["max_staff"]


def test_caregiving_window_off_grid_and_reversed():
    member = factories.member(factories.community())
    window = CaregivingWindow(member=member, weekdays="mon,fri", start=dt.time(7, 5), end=dt.time(7, 0))
    errors = errors_of(window)
    assert set(errors) == {"start", "end"}  # off the 15-minute grid, and before its start


def test_caregiving_window_end_before_start_names_end():
    member = factories.member(factories.community())
    window = CaregivingWindow(member=member, weekdays="mon", start=dt.time(8, 0), end=dt.time(7, 0))
    assert list(errors_of(window)) == ["end"]


def test_caregiving_window_unknown_weekday():
    member = factories.member(factories.community())
    window = CaregivingWindow(member=member, weekdays="mon,funday", start=dt.time(7), end=dt.time(8))
    errors = errors_of(window)
    assert "weekdays" in errors and "funday" in errors["weekdays"][0]  # the bad code is quoted back in any language


def test_caregiving_weekdays_are_normalised_monday_first():
    member = factories.member(factories.community())
    window = CaregivingWindow(member=member, weekdays="FRI, mon,mon", start=dt.time(7), end=dt.time(8, 30))
    window.full_clean()
    assert window.weekdays == "mon,fri"


def test_birth_date_in_the_future_is_an_error():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    member = Member(name="未来", community=factories.community(), birth_date=tomorrow)
    assert list(errors_of(member)) == ["birth_date"]


def test_preferences_outside_minus_ten_to_ten_name_the_field():
    member = Member(name="偏好", community=factories.community(), birth_date=dt.date(1955, 3, 1),
                    duty_preferences={"patrol": 11}, weekday_preferences={"someday": 1})
    errors = errors_of(member)
    assert set(errors) == {"duty_preferences", "weekday_preferences"}


def test_bad_phone_number_names_the_phone_field():
    member = Member(name="电话", community=factories.community(), birth_date=dt.date(1955, 3, 1), phone="call me")
    assert list(errors_of(member)) == ["phone"]


def test_absence_end_before_start():
    member = factories.member(factories.community())
    now = timezone.now()
    absence = Unavailability(member=member, start=now, end=now - dt.timedelta(hours=1))
    assert list(errors_of(absence)) == ["end"]


def test_roster_week_must_start_on_monday():
    roster = Roster(community=factories.community(), week_start=dt.date(2026, 11, 25))
    assert list(errors_of(roster)) == ["week_start"]


def test_age_is_whole_years_completed_on_the_day():
    member = Member(birth_date=dt.date(1956, 11, 23))
    assert member.age_on(dt.date(2026, 11, 22)) == 69
    assert member.age_on(dt.date(2026, 11, 23)) == 70


def test_template_crossing_midnight_ends_next_day():
    template = ShiftTemplate(weekday=6, start=dt.time(22, 0), end=dt.time(2, 0))
    start, end = template.occurrence(dt.date(2026, 11, 23), timezone.get_current_timezone())
    assert start.date() == dt.date(2026, 11, 29)
    assert end - start == dt.timedelta(hours=4)

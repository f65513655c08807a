"""Secretaries see why school runs do not hold: on the member's rules page and in a short shift's explanation.

Dates are relative to the `week_start` fixture (a coming week without public holidays): the terms and holidays
are entered around it, so the tests do not depend on today's date.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from shifts.models import Roster
from shifts.rostering.rosters import roster_generate
from tests import factories as f
from volunteers.models import CalendarDay, SchoolTerm
from volunteers.services.calendars import calendar_day_save

pytestmark = pytest.mark.django_db

HOLIDAYS_EN = "School holidays: no school runs this week"


def holidays_around(district: str, day: dt.date) -> None:
    """Terms that end two weeks before `day` and start three weeks after it."""
    SchoolTerm.objects.create(district=district, name="上学期", start=day - dt.timedelta(days=120),
                              end=day - dt.timedelta(days=14))
    SchoolTerm.objects.create(district=district, name="下学期", start=day + dt.timedelta(days=21),
                              end=day + dt.timedelta(days=140))


@pytest.fixture
def short_week(week_start):
    """A community whose Monday and Friday patrols want more people than it has."""
    community = f.community(name="梧桐社区", district="示范街道")
    patrol = f.duty("patrol")
    for weekday in (0, 4):
        f.template(community, patrol, weekday, start=dt.time(9), end=dt.time(11), min_staff=3, max_staff=3)
    member = f.member(community, name="李建国")
    f.caregiving(member, start=dt.time(7), end=dt.time(8, 30))
    return community, member


def explanations(community, week, run_on_commit, language):
    run_on_commit(roster_generate, community=community, week_start=week)
    roster = Roster.objects.get(community=community, week_start=week, status=Roster.Status.DRAFT)
    return [item["explanation"][language] for item in sorted(roster.unfilled, key=lambda i: i["shift_id"])]


def test_a_short_shift_in_the_school_holidays_says_so(short_week, week_start, q_sync, run_on_commit):
    community, _member = short_week
    holidays_around(community.district, week_start)
    english = explanations(community, week_start, run_on_commit, "en")
    assert len(english) == 2 and all(text.endswith("; " + HOLIDAYS_EN) for text in english)
    roster = Roster.objects.get(community=community, week_start=week_start, status=Roster.Status.DRAFT)
    # The Chinese explanation gets the note in Chinese (from the catalogue) after a full-width semicolon.
    with translation.override("zh-hans"):
        note = gettext(HOLIDAYS_EN)
    assert all(item["explanation"]["zh-hans"].startswith("缺") and item["explanation"]["zh-hans"].endswith("；" + note)
               for item in roster.unfilled)


def test_a_short_shift_on_a_public_holiday_says_so_and_the_others_do_not(short_week, week_start, q_sync,
                                                                         run_on_commit):
    community, _member = short_week
    calendar_day_save(date=week_start + dt.timedelta(days=4), kind=CalendarDay.Kind.HOLIDAY, name="节日",
                      by=f.district_admin())
    monday, friday = explanations(community, week_start, run_on_commit, "en")
    assert "school" not in monday
    assert friday.endswith("; No school on Fri this week: no school runs then")


def test_in_term_a_short_shift_has_no_school_note(short_week, week_start, q_sync, run_on_commit):
    community, _member = short_week
    SchoolTerm.objects.create(district=community.district, name="本学期", start=week_start - dt.timedelta(days=30),
                              end=week_start + dt.timedelta(days=30))
    assert all("school" not in text for text in explanations(community, week_start, run_on_commit, "en"))


def test_the_rules_page_says_there_are_no_school_runs_this_week(client, short_week):
    from django.utils import timezone

    community, member = short_week
    client.force_login(f.secretary(community))
    url = reverse("member_edit", args=[member.pk])
    rules = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["rules"]
    assert HOLIDAYS_EN not in rules
    holidays_around(community.district, timezone.localdate())
    rules = client.get(url, HTTP_ACCEPT_LANGUAGE="en").context["rules"]
    assert "Not available Mon–Fri 07:00–08:30 (接送孙辈, school days only)" in rules
    assert HOLIDAYS_EN in rules

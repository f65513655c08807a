"""Each figure of the monthly report against the hand-built month of conftest.py (worked out by hand there)."""

import datetime as dt

import pytest

from shifts.models import NoShowCheck
from shifts.reports.figures import month_figures
from shifts.reports.periods import Month
from shifts.reports.selectors import carrying
from tests import factories as f
from tests.delivered.conftest import publish

from .conftest import MONTH, at, served

pytestmark = pytest.mark.django_db


@pytest.fixture
def a_figures(month):
    return month_figures(communities=[month.a], month=Month.parse(MONTH))


def test_taking_part(month, a_figures):
    a = a_figures.total
    assert a.active == 4  # the member who left is not counted
    assert a.served_member_ids == {month.m1.pk, month.m2.pk, month.m3.pk}
    assert [name for _pk, name in a.idle] == ["赵桂兰"]  # served in August only: idle in Sep, Oct and Nov


def test_study_day_attendance_rate(month, a_figures):
    a = a_figures.total
    assert (a.study_sessions, a.study_present, a.study_expected) == (1, 2, 4)
    assert a.study_rate == 0.5


def test_study_attendance_alone_is_taking_part_but_not_service(month):
    """m4 came to the study session only: no longer idle, yet not a member who served."""
    served(month.session, month.m4)
    a = month_figures(communities=[month.a], month=Month.parse(MONTH)).total
    assert a.idle == [] and month.m4.pk not in a.served_member_ids and a.study_present == 3


def test_service_hours_places_and_fill_rate(month, a_figures):
    a = a_figures.total
    assert a.service_minutes == 120 + 120 + 120 + 60 + 60  # the study session's 90 minutes are not service
    assert a_figures.hours_by_duty == [("巡逻", 360, 3), ("探访", 120, 2)]
    assert (a.shifts_planned, a.places_planned, a.places_served) == (5, 6, 5)  # P4's week is not published
    assert a.fill_rate == pytest.approx(5 / 8)  # P1 1/2, P2 2/2, V1 1/1, V2 1/1, P3 0/2


def test_the_fill_rate_counts_who_served_not_who_was_planned(month):
    """Planning alone fills nothing: P3 gets two people on the roster but no attendance."""
    publish((month.p3, month.m1), (month.p3, month.m4))
    a = month_figures(communities=[month.a], month=Month.parse(MONTH)).total
    assert a.places_planned == 8 and a.places_served == 5 and a.fill_rate == pytest.approx(5 / 8)


def test_no_shows_and_how_they_ended(a_figures):
    assert dict(a_figures.total.no_shows) == {NoShowCheck.Outcome.FORGOT: 1}


def test_care_households_by_kind_familiar_visitor_and_not_visited(a_figures):
    a = a_figures.total
    assert dict(a.visited) == {"alone": 1, "bedridden": 1}
    assert dict(a.not_visited) == {"empty_nest": 1}
    assert (a.visits_familiar, a.visits_served) == (1, 2) and a.familiar_share == 0.5


def test_patrol_rounds_and_notes_handed_over_by_tag(a_figures):
    a = a_figures.total
    assert a.rounds_walked == 2  # P1 and P2; P3 nobody came, P4 not this month's ledger
    assert (a.notes, a.notes_handed) == (2, 1)
    assert dict(a.handed_by_tag) == {"hazard": 1, "litter": 1}


def test_fairness_spread_of_hours(a_figures):
    assert a_figures.member_minutes == [240, 180, 60]
    assert carrying(a_figures.member_minutes, 0.5) == 1
    assert carrying(a_figures.member_minutes, 0.8) == 2
    assert carrying([], 0.5) == 0


def test_month_over_month_trend(month, a_figures):
    trend = {str(p.month): p for p in a_figures.trend}
    assert list(trend) == ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"]
    assert (trend["2026-10"].minutes, trend["2026-10"].members, trend["2026-10"].rounds_walked) == (120, 1, 1)
    assert (trend["2026-11"].minutes, trend["2026-11"].members) == (480, 3)
    assert (trend["2026-11"].households_visited, trend["2026-11"].rounds_walked,
            trend["2026-11"].no_shows) == (2, 2, 1)
    assert trend["2026-11"].study_rate == 0.5 and trend["2026-10"].study_rate is None
    assert trend["2026-08"].minutes == 120


def test_district_totals_and_communities_side_by_side(month):
    figures = month_figures(communities=[month.a, month.b], month=Month.parse(MONTH))
    assert [row.community.name for row in figures.communities] == ["和平社区", "幸福里社区"]
    b = figures.communities[0]
    assert (b.active, b.served_members, b.service_minutes, b.rounds_walked, b.fill_rate) == (1, 1, 120, 1, 1.0)
    assert b.study_rate is None  # no study session in B this month
    total = figures.total
    assert (total.active, total.served_members, total.service_minutes) == (5, 4, 600)
    assert total.fill_rate == pytest.approx(6 / 9)


def test_a_member_serving_two_communities_counts_once_in_the_district(month):
    month.m1.extra_communities.add(month.b)
    guest = f.shift(month.b, month.p4.duty, at(dt.date(2026, 11, 5), 9), min_staff=1)
    publish((guest, month.m1))
    served(guest, month.m1)
    figures = month_figures(communities=[month.a, month.b], month=Month.parse(MONTH))
    assert figures.total.served_members == 4
    assert sum(row.served_members for row in figures.communities) == 5

"""The demo's past: eight weeks published and attended in every community, within the rules, so the fairness page
and the hours show real figures (#13)."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from shifts.delivered.fairness import fairness_table
from shifts.demo_history import PAST_WEEKS
from shifts.models import Assignment, Attendance, Roster
from shifts.rostering.rules import WeekRules
from shifts.weeks import week_start_of
from solver.check import find_violations
from volunteers.models import Community

pytestmark = pytest.mark.django_db

ARGS = ["--communities", "2", "--members-min", "30", "--members-max", "30", "--households", "2"]


def test_eight_past_weeks_are_published_attended_and_keep_the_rules():
    call_command("seed_demo", *ARGS)
    this_week = week_start_of(timezone.localdate())
    weeks = [this_week - dt.timedelta(weeks=back) for back in range(PAST_WEEKS, -1, -1)]  # and this week
    for community in Community.objects.all():
        rosters = Roster.objects.filter(community=community, status=Roster.Status.PUBLISHED, week_start__in=weeks)
        assert sorted(r.week_start for r in rosters) == weeks
        for roster in rosters:
            rules = WeekRules.of_roster(roster)
            hard = [v for v in find_violations(rules.problem, rules.pairs) if v.rule.startswith("H")]
            assert hard == [], (roster.week_start, hard[:3])
        table = fairness_table(community, this_week)
        assert table.average_hours > 0 and sum(load.total > 0 for load in table.loads) > len(table.loads) // 2
    assert not Attendance.objects.filter(shift__end__gt=timezone.now()).exists()  # nobody attended the future
    attendance = Attendance.objects.count()
    # The study session takes attendance without a roster (shifts.demo_report): the rostered shifts' attendance
    # is what assignments bound.
    rostered = Attendance.objects.exclude(shift__duty__code__in=settings.UNROSTERED_DUTIES)
    assert 0 < rostered.filter(served=True).count() < rostered.count() <= Assignment.objects.count()
    before = (Roster.objects.count(), Assignment.objects.count(), attendance)
    call_command("seed_demo", *ARGS)
    assert (Roster.objects.count(), Assignment.objects.count(), Attendance.objects.count()) == before

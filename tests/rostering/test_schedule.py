"""Periodic jobs: created by the data migration, each idempotent within its period."""

import datetime as dt

import pytest
from django.core import mail
from django_q.models import Schedule

from shifts.models import Roster, Shift, SolveRun
from shifts.rostering.rosters import roster_generate, roster_publish
from shifts.rostering.schedule import shift_reminders_send, study_sessions_make, unfilled_alerts_send, weekly_drafts_due
from shifts.weeks import local_zone
from tests import factories

pytestmark = pytest.mark.django_db


def test_migration_created_the_schedules():
    names = set(Schedule.objects.filter(name__startswith="yure.").values_list("name", "func"))
    assert ("yure.weekly_drafts", "shifts.tasks.weekly_drafts_due") in names
    assert {n for n, _f in names} >= {"yure.weekly_drafts", "yure.shift_reminders", "yure.unfilled_alerts",
                                      "yure.study_sessions", "yure.solve_recover"}


def test_weekly_draft_is_queued_once_after_the_communitys_draft_time(town, django_capture_on_commit_callbacks):
    community = town["community"]  # default: Thursday 18:00
    monday = town["week_start"]
    thursday = dt.datetime.combine(monday + dt.timedelta(days=3), dt.time(17, 59), tzinfo=local_zone())
    assert weekly_drafts_due(thursday) == []
    with django_capture_on_commit_callbacks(execute=False):
        queued = weekly_drafts_due(thursday + dt.timedelta(minutes=2))
        again = weekly_drafts_due(thursday + dt.timedelta(minutes=20))
    assert len(queued) == 1 and again == []
    run = SolveRun.objects.get(pk=queued[0])
    assert run.community == community and run.week_start == monday + dt.timedelta(days=7)


def test_reminders_go_the_day_before_from_the_reminder_hour_once(town, q_sync, run_on_commit):
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    roster = run_on_commit(roster_publish, roster=run.result, by=None)
    sunday = town["week_start"] - dt.timedelta(days=1)
    monday_people = set(roster.assignments.filter(shift__start__date=town["week_start"])
                        .values_list("member__email", flat=True))
    mail.outbox.clear()
    assert shift_reminders_send(dt.datetime.combine(sunday, dt.time(17, 0), tzinfo=local_zone())) == 0
    sent = shift_reminders_send(dt.datetime.combine(sunday, dt.time(18, 5), tzinfo=local_zone()))
    shift_reminders_send(dt.datetime.combine(sunday, dt.time(19, 5), tzinfo=local_zone()))
    assert sent == len(monday_people) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(monday_people)


def test_unfilled_alert_once_a_day_for_shifts_in_the_next_72_hours(town):
    from shifts.rostering.week_making import shifts_make_for_week
    shifts_make_for_week(community=town["community"], week_start=town["week_start"])
    Roster.objects.create(community=town["community"], week_start=town["week_start"],
                          status=Roster.Status.PUBLISHED, version=1)
    before = dt.datetime.combine(town["week_start"] - dt.timedelta(days=1), dt.time(8, 0), tzinfo=local_zone())
    assert unfilled_alerts_send(before) == 1
    assert unfilled_alerts_send(before + dt.timedelta(hours=3)) == 1  # counted again, but not mailed again
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert body.count("•") == 2  # Monday and Tuesday patrols; Wednesday 09:00 is past the 72 hours


def test_study_session_on_the_25th_made_once_per_community(town):
    now = dt.datetime(2026, 11, 3, 10, 0, tzinfo=local_zone())
    assert study_sessions_make(now) == 1
    assert study_sessions_make(now) == 0
    session = Shift.objects.get(duty__code="study")
    assert session.start.astimezone(local_zone()).date() == dt.date(2026, 11, 25)
    after = dt.datetime(2026, 11, 26, 10, 0, tzinfo=local_zone())
    assert study_sessions_make(after) == 1
    assert Shift.objects.filter(duty__code="study").count() == 2


def test_no_duty_is_planned_during_the_study_session_of_the_week(town):
    from shifts.rostering.week_making import shifts_make_for_week

    community = town["community"]
    week = dt.date(2026, 12, 21)  # Friday 25 December falls in this week
    factories.template(community, town["patrol"], weekday=4, start=dt.time(9, 0), end=dt.time(11, 0))
    factories.template(community, town["patrol"], weekday=4, start=dt.time(15, 0), end=dt.time(17, 0))
    shifts_make_for_week(community=community, week_start=week)
    friday = Shift.objects.filter(community=community, start__date=dt.date(2026, 12, 25)).order_by("start")
    session = friday.get(duty__code="study")
    assert session.start.astimezone(local_zone()).time() == dt.time(9, 0)
    others = [s for s in friday if s.duty.code != "study"]
    assert others and all(s.start >= session.end or s.end <= session.start for s in others)
    assert [s.start.astimezone(local_zone()).time() for s in others if s.duty == town["patrol"]] == [dt.time(15, 0)]
    count = Shift.objects.count()
    shifts_make_for_week(community=community, week_start=week)
    assert Shift.objects.count() == count


def test_weeks_without_the_25th_get_no_study_session(town):
    from shifts.rostering.week_making import shifts_make_for_week

    shifts_make_for_week(community=town["community"], week_start=dt.date(2026, 12, 7))
    assert not Shift.objects.filter(duty__code="study").exists()

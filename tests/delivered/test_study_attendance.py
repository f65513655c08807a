"""Study-day attendance: the monthly study session (a gathering, settings.UNROSTERED_DUTIES) takes attendance like
a shift — check-in from My shifts, the secretary's back-fill — and counts in organisational life, not in service
hours unless settings.GATHERINGS_COUNT_AS_SERVICE says so."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.delivered.attendance import attendance_check_in, attendance_set
from shifts.delivered.hours import member_hours
from shifts.models import Attendance
from shifts.rostering.week_making import study_session_make
from tests import factories as f

from .conftest import aware, grid_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def study_now(team):
    """The study session of the team's community, begun 15 minutes ago (no roster: everyone may come)."""
    session, _created = study_session_make(community=team["community"], day=grid_now().date())
    start = grid_now() - dt.timedelta(minutes=15)
    session.start, session.end = start, start + dt.timedelta(minutes=90)
    session.save()
    return {**team, "session": session}


def test_a_member_checks_in_to_the_study_session_from_my_shifts(client, study_now):
    mate, session = study_now["mate"], study_now["session"]
    client.force_login(f.member_login(mate))
    url = reverse("gathering_check", args=[session.pk, "in"])
    assert url in client.get(reverse("my_shifts")).content.decode()
    assert client.post(url, {"next": "/me/"}).status_code == 302
    record = Attendance.objects.get(member=mate, shift=session)
    assert record.check_in is not None and record.source == Attendance.Source.APP


def test_a_member_of_another_community_cannot_check_in_to_the_study_session(client, study_now):
    stranger = f.member(f.community(name="别处"), name="路人甲")
    client.force_login(f.member_login(stranger))
    assert reverse("gathering_check", args=[study_now["session"].pk, "in"]) not in client.get(
        reverse("my_shifts")).content.decode()
    client.post(reverse("gathering_check", args=[study_now["session"].pk, "in"]))
    assert not Attendance.objects.filter(shift=study_now["session"]).exists()


def test_an_ordinary_shift_still_needs_the_roster(team):
    """Only gatherings are open to every member: a patrol without an assignment is refused as before."""
    outsider = f.member(team["community"], name="赵六")
    with pytest.raises(Exception, match="not on this shift"):
        attendance_check_in(member=outsider, shift=team["shift"], now=team["shift"].start)


def test_the_secretary_back_fills_the_study_session_from_the_sheet(client, team):
    community = team["community"]
    session, _created = study_session_make(community=community, day=dt.date(2026, 3, 25))
    client.force_login(team["secretary"])
    week = reverse("attendance_week", args=[community.pk, "2026-03-23"])
    page = client.get(week).content.decode()
    # Every active member of the community is on the study session's sheet, though nobody is rostered.
    assert f'id="shift-{session.pk}"' in page and team["third"].name in page
    response = client.post(week, {"shift": session.pk, "member": [team["mate"].pk], "whole": "1"})
    assert response.status_code == 302
    record = Attendance.objects.get(shift=session, member=team["mate"])
    assert record.served and record.source == Attendance.Source.BACKFILL


def test_study_attendance_is_not_service_hours_unless_the_district_says_so(settings, team):
    session, _created = study_session_make(community=team["community"], day=dt.date(2026, 3, 25))
    attendance_set(shift=session, member=team["mate"], check_in=session.start, check_out=session.end)
    attendance_set(shift=team["shift"], member=team["mate"], check_in=aware(team["shift"].start.date(), 9),
                   check_out=aware(team["shift"].start.date(), 11))
    assert member_hours(team["mate"], 2026).year_minutes == 120
    settings.GATHERINGS_COUNT_AS_SERVICE = True
    assert member_hours(team["mate"], 2026).year_minutes == 120 + 90

"""A relative (亲属代办) may do what the README lists and no more: their check-in of the member is recorded as
theirs and counts as served only once someone who is there confirms it; they write no patrol notes as the member,
vouch for nobody, and do not see why the member is away."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_check_out, counts_as_served
from shifts.delivered.hours import member_hours
from shifts.models import Attendance, PatrolLogEntry
from tests import factories as f
from volunteers.models import MemberProxy, Unavailability

from .conftest import grid_now, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def now_team(team):
    """The team on a shift that began 30 minutes ago and runs 2 hours; 李秀英's daughter acts for her."""
    start = grid_now() - dt.timedelta(minutes=30)
    shift = f.shift(team["community"], team["patrol"], start, minutes=120, min_staff=3, location="居委会门口")
    assignments = publish((shift, team["leader"]), (shift, team["mate"]), (shift, team["third"]))
    proxy = MemberProxy.objects.create(member=team["mate"], name="李女儿", phone="13700000009",
                                       consent_at=timezone.now(), consent_note="电话里同意")
    proxy.user = f.user("relative-of-mate")
    proxy.save(update_fields=["user"])
    return {**team, "now_shift": shift, "assignments": {a.member_id: a for a in assignments}, "proxy": proxy}


def _as(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _relative_checks_in(now_team) -> Attendance:
    mate = now_team["mate"]
    assignment = now_team["assignments"][mate.pk]
    response = _as(now_team["proxy"].user).post(reverse("attendance_check", args=[assignment.pk, "in"]),
                                                {"next": "/me/"})
    assert response.status_code == 302
    # She stays the whole shift, as the relative says on the way out.
    attendance_check_out(member=mate, shift=now_team["now_shift"], by=now_team["proxy"].user,
                         source=Attendance.Source.RELATIVE, now=now_team["now_shift"].end - dt.timedelta(minutes=1))
    return Attendance.objects.get(member=mate, shift=now_team["now_shift"])


def test_relative_check_in_is_recorded_as_theirs_and_not_served_until_a_team_mate_confirms(now_team):
    record = _relative_checks_in(now_team)
    assert record.source == Attendance.Source.RELATIVE and record.recorded_by == now_team["proxy"].user
    assert counts_as_served(record.shift, record.present_minutes) and not record.served  # long enough, unwitnessed
    assert member_hours(now_team["mate"]).total_minutes == 0
    third = now_team["third"]
    client = _as(f.member_login(third))
    page = client.get(reverse("my_shifts")).content.decode()
    confirm = reverse("attendance_presence", args=[now_team["assignments"][third.pk].pk, now_team["mate"].pk])
    assert confirm in page
    assert client.post(confirm, {"next": "/me/"}).status_code == 302
    record.refresh_from_db()
    assert record.served and record.presence_confirmed_by == third.user
    assert member_hours(now_team["mate"]).total_minutes == record.present_minutes


def test_relative_check_in_is_confirmed_by_the_team_leaders_team_check_in(now_team):
    record = _relative_checks_in(now_team)
    leader = now_team["leader"]
    _as(f.member_login(leader)).post(reverse("attendance_team", args=[now_team["assignments"][leader.pk].pk, "in"]))
    record.refresh_from_db()
    assert record.served and record.presence_confirmed_by == leader.user


def test_relative_cannot_vouch_and_the_member_cannot_vouch_for_herself(now_team):
    record = _relative_checks_in(now_team)
    mate = now_team["mate"]
    relative = _as(now_team["proxy"].user)
    own = now_team["assignments"][mate.pk]
    assert relative.post(reverse("attendance_presence", args=[own.pk, now_team["third"].pk])).status_code == 403
    assert relative.post(reverse("attendance_team", args=[own.pk, "in"])).status_code == 403
    herself = _as(f.member_login(mate))
    assert herself.post(reverse("attendance_presence", args=[own.pk, mate.pk])).status_code == 302
    record.refresh_from_db()
    assert not record.served and record.presence_confirmed_at is None


def test_relative_cannot_write_patrol_notes_as_the_member(now_team):
    _relative_checks_in(now_team)
    relative = _as(now_team["proxy"].user)
    assert relative.get(reverse("patrol_note_new")).status_code == 403
    response = relative.post(reverse("patrol_note_new"), {"shift": now_team["now_shift"].pk, "note": "楼道堆物",
                                                          "tags": ["hazard"]})
    assert response.status_code == 403
    assert not PatrolLogEntry.objects.exists()


def test_relative_does_not_see_the_members_absence_reasons(now_team):
    mate = now_team["mate"]
    later = now_team["now_shift"].start + dt.timedelta(days=2)
    Unavailability.objects.create(member=mate, start=later, end=later + dt.timedelta(days=3), reason="hospital")
    shift = f.shift(now_team["community"], now_team["patrol"], later + dt.timedelta(hours=1), minutes=120)
    publish((shift, mate))
    own = _as(f.member_login(mate)).get(reverse("my_shifts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Hospital" in own
    theirs = _as(now_team["proxy"].user).get(reverse("my_shifts"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert mate.name in theirs and "Hospital" not in theirs


def test_relative_check_in_counts_once_the_secretary_writes_the_times_from_the_book(now_team):
    record = _relative_checks_in(now_team)
    shift = now_team["now_shift"]
    week = timezone.localtime(shift.start).date() - dt.timedelta(days=timezone.localtime(shift.start).weekday())
    client = _as(now_team["secretary"])
    url = reverse("attendance_week", args=[now_team["community"].pk, week.isoformat()])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "A relative checked in for them" in page
    mate = now_team["mate"]
    assert client.post(url, {"shift": shift.pk, "member": [mate.pk], "whole": "1"}).status_code == 302
    record.refresh_from_db()
    assert record.served and record.source == Attendance.Source.BACKFILL

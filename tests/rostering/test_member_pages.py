"""The member's phone pages: the next four weeks, "I can't come", and a period away."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import Assignment, Roster
from tests import factories


@pytest.fixture
def published(site):
    monday = site.shifts[0]
    return site.roster(Roster.Status.PUBLISHED, pairs=[(monday, site.members[0]), (monday, site.members[1]),
                                                       (site.shifts[1], site.members[2])])


@pytest.fixture
def me(client, site):
    client.force_login(factories.member_login(site.members[0]))
    return client


def test_my_shifts_lists_teammates_and_meeting_point(me, site, published):
    page = me.get(reverse("my_shifts")).content.decode()
    assert site.members[1].name in page  # teammate on Monday
    assert site.members[2].name not in page  # someone else's shift
    assert "社区服务中心门口" in page
    assert "东门" not in page


def test_my_shifts_ignores_drafts_and_past_shifts(me, site):
    site.roster(Roster.Status.DRAFT, pairs=[(site.shifts[0], site.members[0])])
    three_days_ago = timezone.localdate() - dt.timedelta(days=3)
    old = factories.shift(site.community, site.shifts[0].duty,
                          dt.datetime.combine(three_days_ago, dt.time(9, 0)), location="过去的地点")
    factories.published_roster(site.community, three_days_ago - dt.timedelta(days=three_days_ago.weekday()),
                               {old: [site.members[0]]}, by=site.secretary, override_reason="set up by a test",
                               messages=False)
    page = me.get(reverse("my_shifts")).content.decode()
    assert "社区服务中心门口" not in page and "过去的地点" not in page


def test_cant_come_records_the_absence_and_the_page_shows_it(me, site, published,
                                                             django_capture_on_commit_callbacks):
    mine = Assignment.objects.get(roster=published, member=site.members[0])
    form = me.get(reverse("cant_come", args=[mine.pk]))
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=False):
        response = me.post(reverse("cant_come", args=[mine.pk]), {"reason": "illness", "note": "感冒"})
    assert response.status_code == 302
    absence = site.members[0].unavailability.get()
    assert (absence.start, absence.end, absence.reason) == (mine.shift.start, mine.shift.end, "illness")
    page = me.get(reverse("my_shifts"))
    assert page.context["assignments"][0].reported_absent
    assert reverse("cant_come", args=[mine.pk]) not in page.content.decode()


def test_cant_come_with_a_bad_reason_redisplays_the_form(me, site, published):
    mine = Assignment.objects.get(roster=published, member=site.members[0])
    response = me.post(reverse("cant_come", args=[mine.pk]), {"reason": "bored", "note": "x"})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert 'value="x"' in response.content.decode()
    assert not site.members[0].unavailability.exists()


def test_absence_period_errors_keep_the_input(me, site):
    first = timezone.localdate() + dt.timedelta(days=10)
    response = me.post(reverse("absence_period"), {"first_day": first.isoformat(),
                                                   "last_day": (first - dt.timedelta(days=2)).isoformat(),
                                                   "reason": "travel", "note": "去海南"})
    assert response.status_code == 400
    assert response.context["form"].errors["last_day"]
    body = response.content.decode()
    assert first.isoformat() in body and "去海南" in body


def test_absence_period_is_recorded_as_whole_days(me, site, django_capture_on_commit_callbacks):
    first = timezone.localdate() + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=False):
        response = me.post(reverse("absence_period"), {"first_day": first.isoformat(),
                                                       "last_day": (first + dt.timedelta(days=2)).isoformat(),
                                                       "reason": "hospital"})
    assert response.status_code == 302
    absence = site.members[0].unavailability.get()
    assert timezone.localtime(absence.start).date() == first
    assert timezone.localtime(absence.end) - timezone.localtime(absence.start) == dt.timedelta(days=3)

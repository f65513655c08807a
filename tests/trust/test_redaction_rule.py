"""One redaction rule for reasons about members, on every page (issue 28): 谁能接？, the week grid and the publish
preview all say "not available" where the reader may not see the member's absence, health or family care."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import ShiftExclusion
from volunteers.models import Unavailability

pytestmark = pytest.mark.django_db

AWAY = "has reported being away"


def _away_over_the_shift(side):
    """The member is booked in the draft on a shift their recorded absence covers: a conflict."""
    start = side.shift.start - dt.timedelta(hours=1)
    Unavailability.objects.create(member=side.member, start=start, end=side.shift.end + dt.timedelta(hours=1),
                                  reason=Unavailability.Reason.HOSPITAL, note="B复查")


def _page(client, url) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (200, 409), url
    return response.content.decode()


def _urls(side):
    week = side.draft.week_start.isoformat()
    return [reverse("roster_week", args=[side.community.pk, week]),
            reverse("roster_publish", args=[side.community.pk, week])]


def test_district_admin_reads_not_available_on_the_week_grid_and_publish_preview(client, world):
    _away_over_the_shift(world.b)
    client.force_login(world.admin)
    for url in _urls(world.b):
        page = _page(client, url)
        assert "B成员甲" in page, url
        assert AWAY not in page and "not available" in page, url


def test_district_admin_reads_not_available_when_publishing_is_refused(client, world):
    _away_over_the_shift(world.b)
    client.force_login(world.admin)
    response = client.post(_urls(world.b)[1], HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    page = response.content.decode()
    assert AWAY not in page and "not available" in page


def test_the_communitys_secretary_reads_the_reason_on_every_page(client, world):
    _away_over_the_shift(world.b)
    client.force_login(world.b.secretary)
    for url in _urls(world.b):
        assert AWAY in _page(client, url), url


def test_district_admin_does_not_read_why_a_secretary_took_someone_off(client, world):
    ShiftExclusion.objects.create(shift=world.b.shift, member=world.b.mate, cause=ShiftExclusion.Cause.REMOVED,
                                  reason="B队友住院了", created_by=world.b.secretary)
    world.b.assignment.override_reason = "B成员甲腿伤但坚持"
    world.b.assignment.save()
    url = _urls(world.b)[0]
    client.force_login(world.admin)
    page = _page(client, url)
    assert "B队友住院了" not in page and "B成员甲腿伤但坚持" not in page
    assert "Taken off by the secretary" in page
    client.force_login(world.b.secretary)
    page = _page(client, url)
    assert "B队友住院了" in page and "B成员甲腿伤但坚持" in page


def test_district_admin_reads_the_same_words_on_the_candidates_page(client, world):
    start = timezone.make_aware(dt.datetime.combine(world.b.shift.start.date(), dt.time(0)))
    Unavailability.objects.create(member=world.b.mate, start=start, end=start + dt.timedelta(days=1))
    world.b.draft.assignments.all().delete()
    client.force_login(world.admin)
    response = client.get(reverse("shift_candidates", args=[world.b.draft.pk, world.b.shift.pk]),
                          HTTP_ACCEPT_LANGUAGE="en")
    reasons = {c.member.name: c.reason_text for c in response.context["view"].ranked}
    assert reasons["B队友乙"] == "not available"

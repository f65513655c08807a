"""Inputs that used to crash a page (500) are refused cleanly, naming the field: days outside 1900–2100 (dates near
9999 overflow as soon as a day is added), a NUL character (PostgreSQL cannot even compare one) and a `next` that is
not a path on this site. The NUL cases only crashed on PostgreSQL; CI runs this file there too."""

import pytest
from django.test import Client
from django.urls import reverse

from shifts.delivered.certificates import certificate_public
from shifts.models import Certificate

pytestmark = pytest.mark.django_db

ABSURD_DAYS = ["9999-12-31", "9999-12-30", "0001-01-01", "1899-12-31", "2101-01-01"]


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("day", ABSURD_DAYS)
@pytest.mark.parametrize("field", ["from", "to"])
def test_no_500_on_far_dates_in_the_hours_export(world, day, field):
    query = {"from": "2026-01-01", "to": "2026-12-31", "format": "csv", field: day}
    response = _client(world.a.secretary).get(reverse("hours_export", args=[world.a.community.pk]), query)
    assert response.status_code == 400
    assert "1900" in response.context["errors"][field]


@pytest.mark.parametrize("day", ABSURD_DAYS)
@pytest.mark.parametrize("field", ["from", "to"])
def test_no_500_on_far_dates_in_the_patrol_log(world, day, field):
    client = _client(world.a.secretary)
    query = {"from": "2026-01-01", "to": "2026-12-31", field: day}
    page = client.get(reverse("patrol_log", args=[world.a.community.pk]), query)
    assert page.status_code == 400
    assert any("1900" in str(message) for message in page.context["messages"])
    for fmt in ("csv", "xlsx"):
        export = client.get(reverse("patrol_log_export", args=[world.a.community.pk, fmt]), query)
        assert export.status_code == 400 and "1900" in export.content.decode()


@pytest.mark.parametrize("start,end", [("9999-12-30", "9999-12-31"), ("2026-01-01", "9999-12-31"),
                                       ("0001-01-01", "2026-01-01")])
def test_no_500_on_far_dates_in_a_certificate(world, start, end):
    url = reverse("certificate_new", args=[world.a.community.pk, world.a.member.pk])
    response = _client(world.a.secretary).post(url, {"start": start, "end": end})
    assert response.status_code == 400
    form = response.context["form"]
    assert {field for field, day in (("start", start), ("end", end)) if day[:4] in ("9999", "0001")} <= set(
        form.errors)
    assert not Certificate.objects.exists()


@pytest.mark.parametrize("path", ["/verify/%00/", "/verify/abc%00def/", "/verify/" + "%00" * 40 + "/"])
def test_no_500_on_a_nul_in_the_verify_link(db, path):
    response = _client().get(path)
    assert response.status_code == 400


def test_no_500_on_a_nul_in_a_certificate_token_given_to_the_service(db):
    assert certificate_public("abc\x00def") is None and certificate_public("") is None


def test_no_500_on_a_nul_in_the_added_members_name(world):
    response = _client(world.a.secretary).post(reverse("setup_member_add", args=[world.a.community.pk]), {
        "name": "王\x00芳", "birth_date": "1950-01-01", "phone": "13800000009", "health": "good",
        "language": "zh-hans"})
    assert response.status_code == 400
    assert "name" in response.content.decode()
    assert not world.a.community.members.filter(name__startswith="王").exclude(pk__in=[world.a.member.pk,
                                                                                      world.a.mate.pk]).exists()


@pytest.mark.parametrize("target", ["my_shifts", "foo", "javascript:alert(1)", "//evil.example/", "/\\evil.example",
                                    "http://evil.example/", "https://testserver.evil/", " /me/", "/me/\r\nX: y",
                                    "\x00"])
@pytest.mark.parametrize("action", ["in", "out"])
def test_no_500_on_a_next_that_is_not_a_path_on_check_in_and_out(world, target, action):
    assignment = world.a.roster.assignments.get(member=world.a.member)
    response = _client(world.a.member_user).post(reverse("attendance_check", args=[assignment.pk, action]),
                                                 {"next": target})
    if "\x00" in target:
        assert response.status_code == 400
        return
    assert response.status_code == 302
    assert response["Location"] == reverse("my_shifts")


def test_a_next_that_is_a_path_on_this_site_is_followed(world):
    assignment = world.a.roster.assignments.get(member=world.a.member)
    response = _client(world.a.member_user).post(reverse("attendance_check", args=[assignment.pk, "in"]),
                                                 {"next": "/me/?from=poster"})
    assert response.status_code == 302 and response["Location"] == "/me/?from=poster"


@pytest.mark.parametrize("visitor", ["9" * 40, "-1", "１"])
def test_no_500_on_an_id_no_column_can_hold_in_the_household_form(world, visitor):
    """Found by the fuzz test: a preferred visitor's id too large for the database was an OverflowError."""
    response = _client(world.a.secretary).post(reverse("setup_household_new", args=[world.a.community.pk]), {
        "household": "3号楼 张奶奶", "address": "幸福里3号", "visit_weekday": "0", "visit_start": "09:00",
        "visit_minutes": "60", "preferred_visitors": [visitor], "active": "on"})
    assert response.status_code == 400
    assert "preferred_visitors" in response.context["form"].errors

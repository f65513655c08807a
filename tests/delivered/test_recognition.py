"""Certificates (numbering, content, verification) and star levels."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shifts.delivered.attendance import attendance_set
from shifts.delivered.certificates import certificate_issue, certificate_public, mask_name
from shifts.delivered.hours import member_hours, star_level
from shifts.models import StarLevels
from tests import factories as f

from .conftest import WEEK, aware, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(team):
    for member in (team["leader"], team["mate"]):
        attendance_set(shift=team["shift"], member=member, check_in=aware(WEEK, 9), check_out=aware(WEEK, 11))
    return team


def _issue(team, member=None, **kwargs):
    return certificate_issue(member=member or team["leader"], community=team["community"],
                             start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31), by=team["secretary"], **kwargs)


def test_certificate_carries_every_block_the_rules_require(served):
    served["leader"].volunteer_number = "31011520260001"
    served["leader"].save()
    certificate = _issue(served, handled_by="陈干事")
    assert (certificate.member_name, certificate.volunteer_number) == ("王建国", "31011520260001")
    assert (certificate.served_minutes, certificate.hours, certificate.content) == (120, 2.0, "巡逻 1 times")
    assert (certificate.issuer, certificate.person_in_charge, certificate.handled_by, certificate.contact) == \
        ("幸福里", "李主任", "陈干事", "021-12345678")
    assert certificate.number and certificate.issued_on


def test_numbers_run_per_community_and_year(served):
    first, second = _issue(served), _issue(served, member=served["mate"])
    assert (first.serial, second.serial) == (1, 2) and first.number != second.number
    year = first.year
    assert first.number == f"YR{served['community'].pk:04d}-{year}-0001"
    other = f.community(person_in_charge="周主任", contact_phone="021-87654321")
    stranger = f.member(other)
    shift = f.shift(other, served["patrol"], aware(WEEK, 14), minutes=60, min_staff=1)
    publish((shift, stranger))
    attendance_set(shift=shift, member=stranger, check_in=aware(WEEK, 14), check_out=aware(WEEK, 15))
    elsewhere = certificate_issue(member=stranger, community=other, start=dt.date(2026, 1, 1),
                                  end=dt.date(2026, 12, 31), by=None)
    assert elsewhere.serial == 1 and elsewhere.number != first.number


def test_no_certificate_without_hours_or_issuer_details(served):
    with pytest.raises(ValidationError) as err:
        _issue(served, member=served["third"])
    assert "start" in err.value.message_dict
    served["community"].person_in_charge = ""
    served["community"].save()
    with pytest.raises(ValidationError) as err:
        _issue(served)
    assert "community" in err.value.message_dict


@pytest.mark.parametrize("name, masked", [("王建国", "王*国"), ("欧阳建国", "欧**国"), ("王明", "王*"), ("李", "*")])
def test_names_are_masked_in_the_middle(name, masked):
    assert mask_name(name) == masked


def test_public_verification_shows_only_number_masked_name_period_hours_and_issuer(client, served):
    served["leader"].volunteer_number = "31011520260001"
    served["leader"].save()
    certificate = _issue(served)
    assert certificate_public(certificate.verify_token) == {
        "number": certificate.number, "name": "王*国", "hours": 2.0, "issuer": "幸福里",
        "period_start": certificate.period_start, "period_end": certificate.period_end,
        "issued_on": certificate.issued_on}
    page = client.get(reverse("certificate_verify", args=[certificate.verify_token])).content.decode()
    assert certificate.number in page and "王*国" in page and "幸福里" in page
    for hidden in ("王建国", "31011520260001", "13900000001", "李主任", "021-12345678", "巡逻"):
        assert hidden not in page
    assert client.get(reverse("certificate_verify", args=["nope"])).status_code == 404


def test_secretary_issues_and_prints_with_a_qr_code(client, served):
    client.force_login(served["secretary"])
    url = reverse("certificate_new", args=[served["community"].pk, served["leader"].pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"start": "2026-01-01", "end": "2026-12-31", "handled_by": "陈干事"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "王建国" in page and "<svg" in page and "陈干事" in page and "李主任" in page
    bad = client.post(url, {"start": "2026-12-31", "end": "2026-01-01"})
    assert bad.status_code == 400
    client.force_login(f.secretary(f.community()))
    assert client.get(response["Location"]).status_code == 404


def test_star_levels_at_the_district_thresholds(served):
    assert star_level("示范街道", 99 * 60) == (0, 100)
    assert star_level("示范街道", 300 * 60) == (2, 600)
    assert star_level("示范街道", 2000 * 60) == (5, None)
    StarLevels.objects.create(district="示范街道", thresholds="1,50")
    assert star_level("示范街道", 120) == (1, 50)
    assert member_hours(served["leader"]).stars == 1
    with pytest.raises(ValidationError):
        StarLevels(district="别处", thresholds="300,100").full_clean()


def test_member_sees_hours_and_stars_on_my_details(client, served):
    StarLevels.objects.create(district="示范街道", thresholds="1,50")
    client.force_login(f.member_login(served["leader"]))
    page = client.get(reverse("my_data")).content.decode()
    assert "★" in page and "2.0" in page


def test_secretary_sees_the_stars_in_the_ledger(client, served):
    StarLevels.objects.create(district="示范街道", thresholds="1,50")
    client.force_login(served["secretary"])
    page = client.get(reverse("hours_ledger", args=[served["community"].pk]) + "?year=2026").content.decode()
    assert "★" in page

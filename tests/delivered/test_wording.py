"""Issue #25 on the service-delivered pages: a refused time stays as typed next to why; the certificate's dates,
unit, period and verification address; "1 star" in English."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_set
from shifts.models import Attendance, Certificate, StarLevels
from tests import factories as f

from .conftest import WEEK, aware

pytestmark = pytest.mark.django_db


def test_a_wrong_time_on_the_attendance_page_stays_as_typed_with_its_error_beside_it(client, team):
    client.force_login(team["secretary"])
    url = reverse("attendance_week", args=[team["community"].pk, WEEK.isoformat()])
    leader = team["leader"].pk
    shift = team["shift"]
    assert client.post(url, {"shift": shift.pk, "member": [leader], f"in-{leader}": "09:00",
                             f"out-{leader}": "11:00"}).status_code == 302
    bad = client.post(url, {"shift": shift.pk, "member": [leader], f"in-{leader}": "9点半", f"out-{leader}": "11:00"},
                      HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert bad.status_code == 400
    page = bad.content.decode()
    field = re.search(rf'<input name="in-{leader}"[^>]*>', page).group(0)
    assert 'value="9点半"' in field and 'aria-invalid="true"' in field
    error_id = re.search(r'aria-describedby="([^"]+)"', field).group(1)
    assert re.search(rf'<span class="message error" id="{error_id}">[^<]*9点半', page)
    kept = Attendance.objects.get(member_id=leader, shift=shift)  # nothing was changed by the refused row
    assert timezone.localtime(kept.check_in).strftime("%H:%M") == "09:00"


@pytest.fixture
def served(team):
    for member in (team["leader"], team["mate"]):
        attendance_set(shift=team["shift"], member=member, check_in=aware(WEEK, 9), check_out=aware(WEEK, 11))
    return team


def test_the_certificate_form_fills_its_date_boxes_with_iso_dates(client, served):
    client.force_login(served["secretary"])
    url = reverse("certificate_new", args=[served["community"].pk, served["leader"].pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    start = re.search(r'<input type="date" name="start"[^>]*>', page).group(0)
    assert re.search(r'value="\d{4}-01-01"', start) and "/" not in start


def test_the_certificate_shows_hours_with_their_unit_its_period_and_where_to_verify_it(client, served):
    client.force_login(served["secretary"])
    url = reverse("certificate_new", args=[served["community"].pk, served["leader"].pk])
    response = client.post(url, {"start": "2026-01-01", "end": "2026-12-31"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    printed = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "<dd>2.0 小时</dd>" in printed
    token = Certificate.objects.get(member=served["leader"]).verify_token
    verify = reverse("certificate_verify", args=[token])
    assert "也可以打开这个网址核验" in printed
    assert f'<span class="verify-url">http://testserver{verify}</span>' in printed
    public = client.get(verify, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "服务期间" in public and "2026-01-01 – 2026-12-31" in public and "2.0 小时" in public


def test_english_says_one_star_not_one_stars(client, served):
    StarLevels.objects.create(district="示范街道", thresholds="100,300")
    client.force_login(f.member_login(served["leader"]))
    page = client.get(reverse("my_data"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "At 100 hours you reach 1 star." in page and "1 stars" not in page

"""Issue #25 on the service-delivered pages: a refused time stays as typed, next to why."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import Attendance

from .conftest import WEEK

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

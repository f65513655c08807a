"""The district administrator makes next week's rosters for every community from the dashboard (issue #25: the
district had no "generate next week" in the web UI): the same fan-out as the weekly schedule, through the page."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import Roster, SolveRun
from tests import factories as f
from tests.rostering.test_district import small_district

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _next_monday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)


def test_the_district_administrator_makes_next_weeks_drafts_for_every_community(client, q_sync,
                                                                                 django_capture_on_commit_callbacks):
    communities, _guest = small_district(_next_monday())
    client.force_login(f.district_admin("district-admin"))
    page = client.get(reverse("dashboard"), **ZH).content.decode()
    assert "为全区各社区生成下周排班" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("district_generate_next_week"), **ZH, follow=True)
    assert "正在为 3 个社区生成下周排班" in response.content.decode()
    runs = SolveRun.objects.filter(week_start=_next_monday(), kind=SolveRun.Kind.GENERATE)
    assert runs.count() == 3 and all(run.status == SolveRun.Status.SUCCEEDED for run in runs), \
        [(run.status, run.error) for run in runs]
    assert set(Roster.objects.filter(status=Roster.Status.DRAFT, week_start=_next_monday())
               .values_list("community_id", flat=True)) == {c.pk for c in communities}
    # Pressed again while nothing is running: the drafts are made again; while running, a community keeps its run.
    again = client.post(reverse("district_generate_next_week"), **ZH, follow=True).content.decode()
    assert "个社区生成下周排班" in again or "都已经在生成" in again


def test_a_secretary_has_no_district_button_and_cannot_post_to_it(client, q_sync):
    community = f.community(name="甲社区", district="东城")
    secretary = f.secretary(community, username="secretary-a")
    client.force_login(secretary)
    assert "为全区各社区生成下周排班" not in client.get(reverse("dashboard"), **ZH).content.decode()
    assert client.post(reverse("district_generate_next_week")).status_code == 404
    assert not SolveRun.objects.exists()


def test_the_button_only_answers_a_post(client):
    client.force_login(f.district_admin("district-admin"))
    assert client.get(reverse("district_generate_next_week")).status_code == 405

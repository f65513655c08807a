"""The report pages: who sees which report, names only for a community's own staff, nothing sensitive, the
exports, and a clear answer to a month that is not one."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories as f

from .conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def _page(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_a_communitys_staff_see_its_report_with_the_idle_members_by_name(client, month):
    response = _page(client, f.secretary(month.a), reverse("reports:community", args=[month.a.pk, MONTH]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "幸福里社区：2026年11月工作月报" in page
    assert "赵桂兰" in page  # not taken part for three months: the secretary calls them
    assert "50%" in page and "(2/4)" in page  # study-day attendance
    assert page.count("<svg") == page.count("<table class=\"report-table\">") >= 9  # a data table beside each
    assert 'role="img"' in page and "<title id=" in page and "<desc id=" in page


def test_no_health_caregiving_address_or_household_name_in_any_report(client, month):
    f.caregiving(month.m1, label="照顾老伴")
    month.m1.health = "frail"
    month.m1.save()
    secrets = ["周奶奶家", "吴爷爷家", "郑阿姨家", "幸福里3号楼", "幸福里5号楼", "照顾老伴", "体弱"]
    pages = [_page(client, f.secretary(month.a), reverse("reports:community", args=[month.a.pk, MONTH])),
             _page(client, f.district_admin(), reverse("reports:district", args=["示范街道", MONTH])),
             client.get(reverse("reports:district_export", args=["示范街道", MONTH, "csv"]))]
    for response in pages:
        assert response.status_code == 200
        text = response.content.decode("utf-8")
        assert not [s for s in secrets if s in text]


def test_the_district_sees_counts_and_communities_side_by_side_but_no_names(client, month):
    response = _page(client, f.district_admin(), reverse("reports:district", args=["示范街道", MONTH]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "各社区对比" in page and "和平社区" in page and "幸福里社区" in page
    assert "赵桂兰" not in page and "王建国" not in page
    # The district administrator opening one community's report (not its own staff) sees counts only too.
    page = client.get(reverse("reports:community", args=[month.a.pk, MONTH])).content.decode()
    assert "赵桂兰" not in page and "连续3个月未参加活动的成员" in page


def test_other_communities_secretaries_and_members_get_nothing(client, month):
    assert _page(client, f.secretary(month.b), reverse("reports:community", args=[month.a.pk, MONTH])
                 ).status_code == 404
    assert client.get(reverse("reports:district", args=["示范街道", MONTH])).status_code == 404
    assert _page(client, f.member_login(month.m1), reverse("reports:community", args=[month.a.pk, MONTH])
                 ).status_code == 404


def test_the_menu_goes_to_last_month_of_the_readers_report(client, month):
    client.force_login(f.secretary(month.a))
    assert "/reports/" in client.get(reverse("dashboard")).content.decode()
    response = client.get(reverse("reports:home"), {"month": MONTH})
    assert response["Location"] == reverse("reports:community", args=[month.a.pk, MONTH])
    client.force_login(f.district_admin())
    response = client.get(reverse("reports:home"), {"month": MONTH})
    assert response["Location"] == reverse("reports:district", args=["示范街道", MONTH])
    # The month picker on a community's report stays on that community.
    response = client.get(reverse("reports:home"), {"month": "2026-10", "community": month.b.pk})
    assert response["Location"] == reverse("reports:community", args=[month.b.pk, "2026-10"])


def test_a_month_that_is_not_one_is_named_not_a_crash(client, month):
    client.force_login(f.secretary(month.a))
    response = client.get(reverse("reports:home"), {"month": "2026-13"})
    assert response.status_code == 400 and "“2026-13”不是月份" in response.content.decode()
    assert client.get(reverse("reports:community", args=[month.a.pk, "november"])).status_code == 404


def test_csv_and_pdf_downloads(client, month):
    client.force_login(f.secretary(month.a))
    csv = client.get(reverse("reports:community_export", args=[month.a.pk, MONTH, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert csv["Content-Type"].startswith("text/csv")
    assert "学习日出勤率,50% (2/4)" in text and "巡逻,6.0" in text and "探访,2.0" in text
    assert "赵桂兰" not in text  # the names stay on the staff's page
    pdf = client.get(reverse("reports:community_export", args=[month.a.pk, MONTH, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("reports:community_export", args=[month.a.pk, MONTH, "doc"])).status_code == 404

"""Exports, the printout's privacy, bounded queries on a 100-member week, and both languages."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from shifts.models import Assignment, Roster
from shifts.rostering.selectors import shifts_for_week
from shifts.rostering.week_making import shifts_make_for_week
from tests import factories


@pytest.fixture
def published(site):
    return site.roster(Roster.Status.PUBLISHED, pairs=[(site.shifts[0], site.members[0]),
                                                       (site.shifts[0], site.members[1])])


def test_csv_has_bom_header_and_one_row_per_assignment(staff, site, published):
    response = staff.get(reverse("export_week", args=[site.community.pk, site.week, "csv"]))
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][0] == "日期" or rows[1][0] == "Date"  # the first row names the version
    body = rows[2:]
    names = [row[9] for row in body]
    assert sorted(n for n in names if n) == sorted([site.members[0].name, site.members[1].name])
    assert len(body) == 2 + (len(site.shifts) - 1)  # two people on Monday, one empty row per other shift


def test_excel_opens_and_matches_csv(staff, site, published):
    response = staff.get(reverse("export_week", args=[site.community.pk, site.week, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert sheet.title == site.week
    assert {row[9] for row in values[2:] if row[9]} == {site.members[0].name, site.members[1].name}


def _proposal_pending(site, published):
    """Version 1 is published with members 0 and 1 on Monday; a re-plan proposal puts members 2 and 3 there."""
    published.published_at = timezone.make_aware(dt.datetime.combine(site.week_start, dt.time(9, 30))) \
        - dt.timedelta(days=2)
    published.save(update_fields=["published_at"])
    return site.roster(Roster.Status.PROPOSAL, pairs=[(site.shifts[0], site.members[2]),
                                                      (site.shifts[0], site.members[3])])


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff"))))


def test_exports_are_of_the_published_roster_unless_the_proposal_is_picked(staff, site, published):
    proposal = _proposal_pending(site, published)
    when = timezone.localtime(published.published_at).strftime("%Y-%m-%d %H:%M")
    url = reverse("export_week", args=[site.community.pk, site.week, "csv"])
    response = staff.get(url)
    rows = _csv(response)
    assert rows[0][0].endswith(f"已发布 第1版 · {when}") and rows[0][0].startswith(site.community.name)
    assert {r[9] for r in rows[2:] if r[9]} == {site.members[0].name, site.members[1].name}
    assert f"-{site.week}-v1.csv" in response["Content-Disposition"]

    response = staff.get(url, {"show": "proposal"})
    rows = _csv(response)
    assert "调整建议（未采用）" in rows[0][0]
    assert timezone.localtime(proposal.created_at).strftime("%Y-%m-%d %H:%M") in rows[0][0]
    assert {r[9] for r in rows[2:] if r[9]} == {site.members[2].name, site.members[3].name}
    assert "-proposal.csv" in response["Content-Disposition"]

    sheet = load_workbook(io.BytesIO(staff.get(url.replace(".csv", ".xlsx")).content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0].endswith(f"已发布 第1版 · {when}")
    assert {row[9] for row in values[2:] if row[9]} == {site.members[0].name, site.members[1].name}


def test_printouts_are_of_the_published_roster_and_name_their_version(staff, site, published):
    _proposal_pending(site, published)
    week_url = reverse("print_week", args=[site.community.pk, site.week])
    page = staff.get(week_url + "?members=1").content.decode()
    assert page.count("已发布 第1版") >= 3  # the week's page and each member's page
    assert site.members[0].name in page and site.members[2].name not in page
    assert "改为打印调整建议（未采用）" in page  # the explicit choice
    page = staff.get(week_url, {"show": "proposal"}).content.decode()
    assert "调整建议（未采用）" in page and site.members[2].name in page and site.members[0].name not in page
    member_page = staff.get(reverse("print_member", args=[site.members[0].pk, site.week])).content.decode()
    assert "已发布 第1版" in member_page and "巡逻" in member_page


def test_the_week_page_prints_the_published_roster_and_offers_the_proposal(staff, site, published):
    _proposal_pending(site, published)
    page = staff.get(reverse("roster_week", args=[site.community.pk, site.week])).content.decode()
    base = reverse("print_week", args=[site.community.pk, site.week])
    assert f'href="{base}?show=published"' in page
    assert "或者打印调整建议（未采用）" in page and f'href="{base}?show=proposal"' in page


def test_unknown_export_format_and_missing_roster_are_404(staff, site):
    assert staff.get(reverse("export_week", args=[site.community.pk, site.week, "csv"])).status_code == 404
    site.roster()
    assert staff.get(reverse("export_week", args=[site.community.pk, site.week, "pdf"])).status_code == 404


def test_printout_never_shows_health_caregiving_or_visit_addresses(staff, site, published):
    member = site.members[0]
    member.health = "limited"
    member.save()
    factories.caregiving(member, label="接送孙辈秘密")
    target = factories.visit_target(site.community, address="幸福里3号楼2单元501")
    visiting = factories.duty("visiting")
    visit = factories.shift(site.community, visiting, site.shifts[0].start + dt.timedelta(hours=3), min_staff=1,
                            location=target.address, visit_target=target)
    factories.published_roster(site.community, site.week_start, {visit: [member]}, by=site.secretary,
                               override_reason="set up by a test", messages=False)
    for url in (reverse("print_week", args=[site.community.pk, site.week]) + "?members=1",
                reverse("print_member", args=[member.pk, site.week])):
        page = staff.get(url).content.decode()
        assert member.name in page
        for secret in ("幸福里3号楼2单元501", "接送孙辈秘密", "Limited", "体弱", "受限"):
            assert secret not in page, (url, secret)


def test_print_week_has_a_page_per_member_when_asked(staff, site, published):
    page = staff.get(reverse("print_week", args=[site.community.pk, site.week]) + "?members=1").content.decode()
    assert page.count('class="print-page"') == 3


def test_week_view_of_a_100_member_community_takes_bounded_queries(client, db, week_start,
                                                                    django_assert_max_num_queries):
    community = factories.community(name="大社区")
    patrol = factories.duty("patrol")
    for day in range(7):
        for hour in (8, 14, 19):
            factories.template(community, patrol, day, dt.time(hour, 0), dt.time(hour + 2, 0), min_staff=3,
                               max_staff=3)
    shifts_make_for_week(community=community, week_start=week_start)
    members = [factories.member(community, name=f"成员{i:03d}") for i in range(100)]
    # A draft written as the solver writes one (bulk rows): 63 hand edits would only slow the set-up down.
    roster = Roster.objects.create(community=community, week_start=week_start)
    shifts = list(shifts_for_week(community, week_start))
    Assignment.objects.bulk_create(Assignment(roster=roster, shift=shift, member=members[(i * 3 + k) % 100])
                                   for i, shift in enumerate(shifts) for k in range(3))
    client.force_login(factories.secretary(community))
    with django_assert_max_num_queries(20):
        response = client.get(reverse("roster_week", args=[community.pk, week_start.isoformat()]))
    assert response.status_code == 200 and len(response.context["week"].cells) == 21
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard")).status_code == 200


def test_pages_are_chinese_by_default_and_english_on_request(client, site):
    client.force_login(site.secretary)
    chinese = client.get(reverse("dashboard")).content.decode()
    assert 'lang="zh-hans"' in chinese and "本周" in chinese
    english = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "This week" in english


def test_fairness_counts_published_minutes_per_week(staff, site):
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=today.weekday())  # the current week, the fairness view's last column
    shift = factories.shift(site.community, site.shifts[0].duty, site.shifts[0].start - (site.week_start - last_week),
                            minutes=90)
    factories.published_roster(site.community, last_week, {shift: [site.members[3]]}, by=site.secretary,
                               override_reason="set up by a test")
    factories.draft_roster(site.community, last_week, {shift: [site.members[2]]}, by=site.secretary)
    response = staff.get(reverse("fairness", args=[site.community.pk]))
    loads = {load.member: load for load in response.context["loads"]}
    assert response.context["weeks"][-1] == last_week
    assert loads[site.members[3]].total == 90 and loads[site.members[3]].by_week[-1] == 90
    assert loads[site.members[2]].total == 0  # drafts do not count
    assert response.context["loads"][0].member == site.members[3]

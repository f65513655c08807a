"""Secretaries see only their own communities; members see only themselves; everyone else gets 404 or login."""

import pytest
from django.urls import reverse

from shifts.models import Assignment, Roster
from tests import factories


def staff_urls(site, roster, assignment):
    c, w, shift = site.community.pk, site.week, site.shifts[0].pk
    member = site.members[0].pk
    return [
        ("get", reverse("roster_week", args=[c, w])),
        ("get", reverse("print_week", args=[c, w])),
        ("get", reverse("export_week", args=[c, w, "csv"])),
        ("get", reverse("export_week", args=[c, w, "xlsx"])),
        ("get", reverse("fairness", args=[c])),
        ("get", reverse("roster_publish", args=[c, w])),
        ("get", reverse("shift_candidates", args=[roster.pk, shift])),
        ("get", reverse("member_edit", args=[member])),
        ("get", reverse("print_member", args=[member, w])),
        ("post", reverse("roster_generate", args=[c, w])),
        ("post", reverse("assignment_pin", args=[assignment.pk])),
        ("post", reverse("assignment_remove", args=[assignment.pk])),
        ("post", reverse("shift_add_member", args=[roster.pk, shift])),
        ("post", reverse("caregiving_create", args=[member])),
        ("post", reverse("member_absence_create", args=[member])),
    ]


@pytest.fixture
def draft(site):
    return site.roster(pairs=[(site.shifts[0], site.members[0])])


def test_secretary_of_another_community_gets_404_everywhere(client, site, draft):
    assignment = Assignment.objects.get(roster=draft)
    client.force_login(site.outsider)
    for method, url in staff_urls(site, draft, assignment):
        response = getattr(client, method)(url, {"pinned": "1", "member": site.members[1].pk})
        assert response.status_code == 404, (method, url, response.status_code)
    assignment.refresh_from_db()
    assert not assignment.pinned
    assert Roster.objects.filter(community=site.community).count() == 1


def test_member_login_cannot_reach_staff_pages(client, site, draft):
    assignment = Assignment.objects.get(roster=draft)
    client.force_login(factories.member_login(site.members[0]))
    for method, url in staff_urls(site, draft, assignment) + [("get", reverse("dashboard")),
                                                                ("get", reverse("member_list"))]:
        assert getattr(client, method)(url).status_code == 404, url


def test_anonymous_is_sent_to_login(client, site, draft):
    for url in (reverse("dashboard"), reverse("roster_week", args=[site.community.pk, site.week]),
                reverse("my_shifts"), reverse("member_list")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url


def test_secretary_sees_only_own_communities_on_dashboard_and_member_list(client, site):
    client.force_login(site.secretary)
    page = client.get(reverse("dashboard")).content.decode()
    assert site.community.name in page and site.other.name not in page
    listing = client.get(reverse("member_list")).content.decode()
    assert site.members[0].name in listing and site.stranger.name not in listing


def test_district_admin_sees_every_community(client, site):
    client.force_login(factories.district_admin())
    page = client.get(reverse("dashboard")).content.decode()
    assert site.community.name in page and site.other.name in page


def test_member_cannot_report_absence_for_someone_elses_shift(client, site):
    roster = site.roster(Roster.Status.PUBLISHED, pairs=[(site.shifts[0], site.members[1])])
    theirs = Assignment.objects.get(roster=roster)
    client.force_login(factories.member_login(site.members[0]))
    assert client.get(reverse("cant_come", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("cant_come", args=[theirs.pk]), {"reason": "illness"}).status_code == 404
    assert not site.members[1].unavailability.exists()


def test_bad_week_in_url_is_404_not_500(client, site):
    client.force_login(site.secretary)
    for week in ("2026-13-45", "yesterday", "2026-W60"):
        assert client.get(f"/communities/{site.community.pk}/weeks/{week}/").status_code == 404

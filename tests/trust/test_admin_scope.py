"""A secretary given admin access stays a secretary of their own communities: the staff-profile and
login-link admins are scoped like the others (issue 16)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from volunteers.models import MemberLoginToken, StaffProfile
from volunteers.services.logins import login_token_issue

pytestmark = pytest.mark.django_db


def _admin_secretary(login, *models):
    login.is_staff = True
    login.save()
    login.user_permissions.add(*Permission.objects.filter(content_type__model__in=models))
    return login


def test_a_secretary_cannot_make_themself_district_administrator(client, world):
    login = _admin_secretary(world.a.secretary, "staffprofile")
    profile = login.staff_profile
    client.force_login(login)
    url = reverse("admin:volunteers_staffprofile_change", args=[profile.pk])
    response = client.post(url, {"user": login.pk, "role": StaffProfile.Role.DISTRICT_ADMIN,
                                 "communities": [world.a.community.pk, world.b.community.pk], "phone": ""})
    assert response.status_code in (302, 403)
    profile.refresh_from_db()
    assert profile.role == StaffProfile.Role.SECRETARY
    assert list(profile.communities.all()) == [world.a.community]
    add = client.post(reverse("admin:volunteers_staffprofile_add"),
                      {"user": world.a.member_user.pk, "role": StaffProfile.Role.DISTRICT_ADMIN, "phone": ""})
    assert add.status_code == 403
    assert not StaffProfile.objects.filter(user=world.a.member_user).exists()
    listing = client.get(reverse("admin:volunteers_staffprofile_changelist"))
    assert [p.user.username for p in listing.context["cl"].result_list] == ["sec-A"]
    assert client.get(reverse("admin:volunteers_staffprofile_change",
                              args=[world.b.secretary.staff_profile.pk])).status_code in (302, 404)


def test_a_district_administrator_still_manages_staff_profiles(client, world):
    world.admin.is_staff = True
    world.admin.save()
    world.admin.user_permissions.add(*Permission.objects.filter(content_type__model="staffprofile"))
    client.force_login(world.admin)
    profile = world.a.secretary.staff_profile
    response = client.post(reverse("admin:volunteers_staffprofile_change", args=[profile.pk]),
                           {"user": world.a.secretary.pk, "role": StaffProfile.Role.SECRETARY,
                            "communities": [world.a.community.pk, world.b.community.pk], "phone": ""})
    assert response.status_code == 302
    assert profile.communities.count() == 2


def test_login_link_admin_shows_only_the_secretarys_communities(client, world):
    login_token_issue(member=world.a.member, by=world.a.secretary)
    login_token_issue(member=world.b.member, by=world.b.secretary)
    other = MemberLoginToken.objects.get(member=world.b.member)
    client.force_login(_admin_secretary(world.a.secretary, "memberlogintoken"))
    listing = client.get(reverse("admin:volunteers_memberlogintoken_changelist"))
    assert [t.member.name for t in listing.context["cl"].result_list] == ["A成员甲"]
    assert client.get(reverse("admin:volunteers_memberlogintoken_change",
                              args=[other.pk])).status_code in (302, 404)

"""Health and caregiving reach only staff of the member's own community (and the member)."""

import pytest
from django.urls import reverse

from tests import factories
from volunteers.selectors import can_see_sensitive

pytestmark = pytest.mark.django_db


def test_who_may_see_a_members_health_and_caregiving():
    home, other = factories.community(), factories.community()
    person = factories.member(home)
    assert can_see_sensitive(factories.secretary(home), person)
    assert not can_see_sensitive(factories.secretary(other), person)
    assert not can_see_sensitive(factories.district_admin(), person)
    assert can_see_sensitive(factories.member_login(person), person)
    assert not can_see_sensitive(factories.member_login(factories.member(home)), person)


def test_admin_change_form_hides_health_and_caregiving_from_a_district_admin(client):
    person = factories.member(factories.community(), health="frail")
    factories.caregiving(person, label="接送孙辈")
    login = factories.district_admin()
    login.is_staff = True
    login.is_superuser = False
    login.save()
    from django.contrib.auth.models import Permission
    login.user_permissions.add(*Permission.objects.filter(codename__in=["view_member", "change_member"]))
    client.force_login(login)
    body = client.get(reverse("admin:volunteers_member_change", args=[person.pk])).content.decode()
    assert person.name in body
    assert 'name="health"' not in body and "接送孙辈" not in body


def test_admin_change_form_shows_them_to_the_members_own_secretary(client):
    home = factories.community()
    person = factories.member(home, health="frail")
    factories.caregiving(person, label="接送孙辈")
    login = factories.secretary(home)
    login.is_staff = True
    login.save()
    from django.contrib.auth.models import Permission
    login.user_permissions.add(*Permission.objects.filter(codename__in=["view_member", "change_member",
                                                                         "view_caregivingwindow",
                                                                         "change_caregivingwindow"]))
    client.force_login(login)
    body = client.get(reverse("admin:volunteers_member_change", args=[person.pk])).content.decode()
    assert 'name="health"' in body and "接送孙辈" in body

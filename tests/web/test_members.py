"""The member list filters and the profile editor that states each member's rules in words."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.models import Roster
from tests import factories
from volunteers.models import AuditEntry, CaregivingWindow


@pytest.fixture
def staff(client, site):
    client.force_login(site.secretary)
    return client


def listed(response):
    return [m.name for m in response.context["page"].object_list]


def test_search_by_name(staff, site):
    target = site.members[2]
    assert listed(staff.get(reverse("member_list"), {"q": target.name})) == [target.name]


def test_age_band_filter(staff, site):
    names = listed(staff.get(reverse("member_list"), {"age": "65-69"}))
    expected = sorted(m.name for m in site.members if 65 <= m.age_on(dt.date.today()) <= 69)
    assert sorted(names) == expected and expected


def test_duty_eligibility_filter_uses_required_skills(staff, site):
    names = listed(staff.get(reverse("member_list"), {"duty": "mediation"}))
    assert sorted(names) == sorted(m.name for m in site.members if m.skills.filter(code="mediation").exists())


def test_load_filter_counts_published_minutes_this_month(staff, site):
    site.roster(Roster.Status.PUBLISHED, pairs=[(site.shifts[0], site.members[0])])
    busy_month = site.shifts[0].start.month == dt.date.today().month
    none = listed(staff.get(reverse("member_list"), {"load": "none"}))
    light = listed(staff.get(reverse("member_list"), {"load": "light"}))
    if busy_month:
        assert site.members[0].name in light and site.members[0].name not in none
    else:
        assert site.members[0].name in none


def test_bad_filter_values_do_not_break_the_page(staff, site):
    response = staff.get(reverse("member_list"), {"age": "999", "community": "abc", "page": "x"})
    assert response.status_code == 200 and response.context["form"].errors


def test_profile_shows_rules_in_words(staff, site):
    member = site.members[1]
    factories.caregiving(member, "mon,tue,wed,thu,fri", dt.time(7, 0), dt.time(8, 30), label="接送孙辈")
    member.max_shifts_per_week = 3
    member.weekday_preferences = {"sun": 10}
    member.save()
    response = staff.get(reverse("member_edit", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en")
    rules = response.context["rules"]
    assert "Not available Mon–Fri 07:00–08:30 (接送孙辈, school days only)" in rules
    assert "At most 3 shifts a week" in rules
    assert any("Sun" in rule for rule in rules)
    assert AuditEntry.objects.filter(action="volunteers.member.sensitive_viewed", object_id=str(member.pk)).exists()


def test_profile_save_updates_limits_skills_and_preferences(staff, site, django_capture_on_commit_callbacks):
    member = site.members[1]
    data = {"active": "on", "health": "limited", "skills": [], "max_shifts_per_week": "2",
            "max_minutes_per_week": "480", "max_consecutive_days": "", "min_rest_minutes": "",
            "duty_patrol": "-5", "duty_mediation": "0", "day_sun": "10"}
    with django_capture_on_commit_callbacks(execute=False):
        response = staff.post(reverse("member_edit", args=[member.pk]), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.health, member.max_shifts_per_week, member.max_minutes_per_week) == ("limited", 2, 480)
    assert member.duty_preferences == {"patrol": -5} and member.weekday_preferences == {"sun": 10}


def test_profile_errors_redisplay_with_field_messages(staff, site):
    member = site.members[1]
    response = staff.post(reverse("member_edit", args=[member.pk]),
                          {"active": "on", "health": "good", "max_minutes_per_week": "100",
                           "max_shifts_per_week": "-1"})
    assert response.status_code == 400
    form = response.context["profile_form"]
    assert form.errors["max_shifts_per_week"]
    member.refresh_from_db()
    assert member.max_minutes_per_week is None


def test_profile_model_rule_errors_are_named(staff, site):
    member = site.members[1]
    response = staff.post(reverse("member_edit", args=[member.pk]),
                          {"active": "on", "health": "good", "max_minutes_per_week": "100"})
    assert response.status_code == 400
    assert response.context["profile_form"].errors["max_minutes_per_week"]
    assert 'value="100"' in response.content.decode()


def test_caregiving_window_add_and_remove(staff, site, django_capture_on_commit_callbacks):
    member = site.members[1]
    with django_capture_on_commit_callbacks(execute=False):
        response = staff.post(reverse("caregiving_create", args=[member.pk]),
                              {"weekdays": ["mon", "wed"], "start": "16:00", "end": "17:30", "label": "接孙子"})
    assert response.status_code == 302
    window = CaregivingWindow.objects.get(member=member)
    assert window.weekdays == "mon,wed"
    page = staff.get(reverse("member_edit", args=[member.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert "Not available Mon, Wed 16:00–17:30 (接孙子, school days only)" in page.context["rules"]
    staff.post(reverse("caregiving_delete", args=[member.pk, window.pk]))
    assert not CaregivingWindow.objects.filter(member=member).exists()


def test_caregiving_bad_times_redisplay(staff, site):
    member = site.members[1]
    response = staff.post(reverse("caregiving_create", args=[member.pk]),
                          {"weekdays": ["mon"], "start": "17:00", "end": "16:10", "label": "x"})
    assert response.status_code == 400
    errors = response.context["caregiving_form"].errors
    assert "end" in errors
    assert not CaregivingWindow.objects.filter(member=member).exists()

"""The member list filters and the profile editor that states each member's rules in words."""

import datetime as dt
from html.parser import HTMLParser

from django.urls import reverse
from django.utils import timezone

from tests import factories
from volunteers.models import AuditEntry, CaregivingWindow


def listed(response):
    return [m.name for m in response.context["page"].object_list]


def test_search_by_name(staff, site):
    target = site.members[2]
    assert listed(staff.get(reverse("member_list"), {"q": target.name})) == [target.name]


def test_age_band_filter(staff, site):
    names = listed(staff.get(reverse("member_list"), {"age": "65-69"}))
    expected = sorted(m.name for m in site.members if 65 <= m.age_on(timezone.localdate()) <= 69)
    assert sorted(names) == expected and expected


def test_duty_eligibility_filter_uses_required_skills(staff, site):
    names = listed(staff.get(reverse("member_list"), {"duty": "mediation"}))
    assert sorted(names) == sorted(m.name for m in site.members if m.skills.filter(code="mediation").exists())


def _published_shift(site, start, member):
    """A two-hour shift at `start` that `member` holds in its week's published roster."""
    shift = factories.shift(site.community, site.shifts[0].duty, start)
    factories.publish_pairs((shift, member), by=site.secretary, override_reason="set up by a test", messages=False)
    return shift


def test_load_filter_counts_published_minutes_this_month(staff, site):
    today = timezone.localdate()
    this_month = timezone.make_aware(dt.datetime.combine(today, dt.time(6, 0)))
    next_month = timezone.make_aware(dt.datetime.combine((today.replace(day=1) + dt.timedelta(days=32))
                                                         .replace(day=1), dt.time(6, 0)))
    _published_shift(site, this_month, site.members[0])
    _published_shift(site, next_month, site.members[1])
    none = listed(staff.get(reverse("member_list"), {"load": "none"}))
    light = listed(staff.get(reverse("member_list"), {"load": "light"}))
    assert site.members[0].name in light and site.members[0].name not in none
    assert site.members[1].name in none and site.members[1].name not in light


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
            "max_hours_per_week": "8", "max_consecutive_days": "", "min_rest_hours": "",
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
                          {"active": "on", "health": "good", "max_hours_per_week": "1.1",
                           "max_shifts_per_week": "-1"})
    assert response.status_code == 400
    form = response.context["profile_form"]
    assert form.errors["max_shifts_per_week"]
    member.refresh_from_db()
    assert member.max_minutes_per_week is None


def test_profile_model_rule_errors_are_named(staff, site):
    member = site.members[1]
    response = staff.post(reverse("member_edit", args=[member.pk]),
                          {"active": "on", "health": "good", "max_hours_per_week": "1.1"})
    assert response.status_code == 400
    assert response.context["profile_form"].errors["max_hours_per_week"]
    assert 'value="1.1"' in response.content.decode()


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


class _FormReader(HTMLParser):
    """What a browser would submit for the form posting to `action`: text inputs, ticked boxes, chosen options."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.select, self.data = action, False, None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("action") == self.action
        elif not self.inside:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit",):
            if attrs.get("type") in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.append((attrs["name"], attrs.get("value", "on")))
            else:
                self.data.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self.select = attrs["name"]
        elif tag == "option" and self.select and "selected" in attrs:
            self.data.append((self.select, attrs["value"]))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None


def rendered_form(response, action) -> dict:
    reader = _FormReader(action)
    reader.feed(response.content.decode())
    form = {}
    for name, value in reader.data:
        form.setdefault(name, []).append(value)
    return form


def test_saving_the_page_keeps_every_stored_preference_exactly(staff, site, django_capture_on_commit_callbacks):
    member = site.members[1]
    member.duty_preferences = {"patrol": -3, "mediation": 0, "retired_duty": 7}
    member.weekday_preferences = {"mon": -5, "wed": 8, "sun": -10, "sat": 2}
    member.max_minutes_per_week = 450
    member.min_rest_minutes = 720
    member.save()
    url = reverse("member_edit", args=[member.pk])
    page = staff.get(url)
    form = rendered_form(page, url)
    assert form["duty_patrol"] == ["-3"] and form["day_wed"] == ["8"] and form["day_sat"] == ["2"]
    assert form["max_hours_per_week"] == ["7.5"] and form["min_rest_hours"] == ["12"]
    form["max_shifts_per_week"] = ["2"]  # the only change
    with django_capture_on_commit_callbacks(execute=False):
        response = staff.post(url, form)
    assert response.status_code == 302, response.context["profile_form"].errors
    member.refresh_from_db()
    assert member.max_shifts_per_week == 2
    assert member.duty_preferences == {"patrol": -3, "mediation": 0, "retired_duty": 7}
    assert member.weekday_preferences == {"mon": -5, "wed": 8, "sun": -10, "sat": 2}
    assert (member.max_minutes_per_week, member.min_rest_minutes) == (450, 720)


def test_a_changed_preference_and_limit_in_hours_are_saved(staff, site, django_capture_on_commit_callbacks):
    member = site.members[1]
    member.weekday_preferences = {"wed": 8}
    member.save()
    url = reverse("member_edit", args=[member.pk])
    form = rendered_form(staff.get(url), url)
    form.update({"day_wed": ["0"], "day_fri": ["5"], "max_hours_per_week": ["6.25"]})
    with django_capture_on_commit_callbacks(execute=False):
        assert staff.post(url, form).status_code == 302
    member.refresh_from_db()
    assert member.weekday_preferences == {"fri": 5} and member.max_minutes_per_week == 375


def test_limits_are_labelled_in_hours(staff, site):
    body = staff.get(reverse("member_edit", args=[site.members[1].pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Most hours a week" in body and "Least rest between shifts (hours)" in body and "minutes" not in body


def test_a_secretarys_absence_note_is_kept_and_shown(staff, site, django_capture_on_commit_callbacks):
    member = site.members[1]
    start = timezone.localtime() + dt.timedelta(days=3)
    with django_capture_on_commit_callbacks(execute=False):
        response = staff.post(reverse("member_absence_create", args=[member.pk]), {
            "start": start.strftime("%Y-%m-%dT09:00"), "end": (start + dt.timedelta(days=2)).strftime("%Y-%m-%dT09:00"),
            "reason": "hospital", "note": "女儿来电：住院观察"})
    assert response.status_code == 302
    assert member.unavailability.get().note == "女儿来电：住院观察"
    assert "女儿来电：住院观察" in staff.get(reverse("member_edit", args=[member.pk])).content.decode()

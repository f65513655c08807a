"""The district administrator's calendar page and the dashboard's warning for a year without official dates."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories as f
from volunteers.models import AuditEntry, CalendarDay, CalendarYear, SchoolTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    f.community(name="幸福里", district="示范街道")
    client.force_login(f.district_admin())
    return client


def test_secretaries_read_the_calendar_page_but_change_nothing_and_members_do_not_get_it(client):
    community = f.community(district="示范街道")
    client.force_login(f.secretary(community))
    assert client.get(reverse("calendar")).status_code == 200  # read-only (issue #25)
    assert client.get(reverse("calendar"), {"year": 2027}).context["year"] == 2027
    assert client.get(reverse("calendar_year", args=[2027])).status_code == 404
    assert client.post(reverse("calendar_year_load", args=[2027])).status_code == 404
    assert not CalendarYear.objects.exists()
    member = f.member(community)
    client.force_login(f.member_login(member))
    assert client.get(reverse("calendar")).status_code == 404


def test_an_unloaded_year_shows_the_package_s_days_and_whether_they_are_official(admin_client):
    page = admin_client.get(reverse("calendar_year", args=[2026]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page.context["official"]
    saturday = next(d for d in page.context["days"] if d["date"] == dt.date(2026, 2, 14))
    assert (saturday["kind"], saturday["timetable"]) == ("workday", "Friday")
    page = admin_client.get(reverse("calendar_year", args=[2027]), HTTP_ACCEPT_LANGUAGE="en")
    assert not page.context["official"] and "not entered yet" in page.content.decode()
    assert admin_client.get(reverse("calendar_year", args=[1999])).status_code == 404


def test_the_administrator_loads_edits_and_confirms_a_year(admin_client):
    assert admin_client.post(reverse("calendar_year_load", args=[2027])).status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "estimated"
    response = admin_client.post(reverse("calendar_day_add", args=[2027]),
                                 {"date": "2027-02-20", "kind": "workday", "name": "春节调休", "replaces_weekday": "4"})
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=dt.date(2027, 2, 20)).replaces_weekday == 4
    admin_client.post(reverse("calendar_year_mark", args=[2027]), {"source": "official"})
    assert CalendarYear.objects.get(year=2027).source == "official"
    day = CalendarDay.objects.get(date=dt.date(2027, 2, 20))
    admin_client.post(reverse("calendar_day_delete", args=[day.pk]))
    assert not CalendarDay.objects.filter(date=dt.date(2027, 2, 20)).exists()
    assert AuditEntry.objects.filter(action__startswith="volunteers.calendar.").count() == 4


def test_a_make_up_day_without_its_weekday_is_refused_by_name(admin_client):
    response = admin_client.post(reverse("calendar_day_add", args=[2027]),
                                 {"date": "2027-02-20", "kind": "workday", "name": "调休"},
                                 HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["day_form"].errors["replaces_weekday"]
    assert not CalendarDay.objects.filter(date=dt.date(2027, 2, 20)).exists()
    response = admin_client.post(reverse("calendar_day_add", args=[2027]), {"date": "2027-02-31", "kind": "x"})
    assert response.status_code == 400 and {"date", "kind"} <= set(response.context["day_form"].errors)


def test_school_terms_are_added_checked_and_shown_with_the_holidays_between(admin_client):
    url = reverse("school_term_add", args=[2026])
    assert admin_client.post(url, {"district": "示范街道", "name": "秋季学期", "start": "2026-09-01",
                                   "end": "2027-01-22"}).status_code == 302
    assert admin_client.post(url, {"district": "示范街道", "name": "春季学期", "start": "2027-02-22",
                                   "end": "2027-07-09"}).status_code == 302
    overlap = admin_client.post(url, {"district": "示范街道", "name": "错的", "start": "2027-01-10",
                                      "end": "2027-03-01"})
    assert overlap.status_code == 400 and overlap.context["term_form"].errors["start"]
    backwards = admin_client.post(url, {"district": "示范街道", "name": "反了", "start": "2027-09-01",
                                        "end": "2027-08-01"})
    assert backwards.status_code == 400 and backwards.context["term_form"].errors["end"]
    assert SchoolTerm.objects.count() == 2
    page = admin_client.get(reverse("calendar_year", args=[2026]))
    rows = page.context["districts"][0]["rows"]
    assert rows[1] == {"break_start": dt.date(2027, 1, 23), "break_end": dt.date(2027, 2, 21)}


def _dashboard_years() -> set[int]:
    monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    return {(monday + dt.timedelta(days=n)).year for n in range(14)}


def test_the_dashboard_warns_of_a_planning_week_in_a_year_without_official_dates(client):
    community = f.community(district="示范街道")
    client.force_login(f.secretary(community))
    years = _dashboard_years()
    for year in years:
        CalendarYear.objects.create(year=year, source="official")
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page.context["estimated_years"] == []
    assert "calendar-estimate" not in page.content.decode()
    late = max(years)
    CalendarYear.objects.filter(year=late).update(source="estimated")
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["estimated_years"] == [late]
    assert f"for {late} are not entered yet" in page.content.decode()


def test_the_week_page_says_when_dates_are_estimated_and_school_runs_stop(client):
    community = f.community(district="示范街道")
    client.force_login(f.secretary(community))
    SchoolTerm.objects.create(district="示范街道", name="秋季学期", start=dt.date(2026, 9, 1),
                              end=dt.date(2027, 1, 22))
    SchoolTerm.objects.create(district="示范街道", name="春季学期", start=dt.date(2027, 2, 22),
                              end=dt.date(2027, 7, 9))
    page = client.get(reverse("roster_week", args=[community.pk, "2026-12-28"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["estimated_years"] == [2027]
    assert page.context["school_notes"] == ["No school on Fri this week: no school runs then"]
    page = client.get(reverse("roster_week", args=[community.pk, "2027-02-01"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["school_notes"] == ["School holidays: no school runs this week"]
    assert "School holidays: no school runs this week" in page.content.decode()
    page = client.get(reverse("roster_week", args=[community.pk, "2026-10-05"]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.context["estimated_years"] == []
    assert page.context["school_notes"] == ["No school on Mon–Wed this week: no school runs then",
                                            "Make-up school day 10-10: school runs as on Wed"]

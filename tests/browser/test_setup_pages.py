"""The set-up pages in a real browser: a secretary changes a patrol's time and staff count and the next draft
follows, and a pinned place stays when the patrol moves again; a secretary adds one member; a member enters
school runs with weekday boxes and time pickers."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import Roster, Shift, ShiftTemplate
from tests.site_week import build_site
from volunteers.models import CaregivingWindow, Member
from volunteers.services.logins import login_token_issue

from .conftest import DESK, PHONE, assert_no_horizontal_scroll, requires_chromium, secretary_log_in, shot
from .test_journeys import next_monday, run_queued_solve

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def secretary_page(browser, server, viewport=DESK):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    secretary_log_in(page, server)
    return context, page


def test_secretary_changes_a_patrols_time_and_staff_and_the_next_draft_follows(server, browser, held_queue):
    site = build_site(next_monday(), members=8)
    template = ShiftTemplate.objects.get(community=site.community, duty__code="patrol", weekday=0)
    context, page = secretary_page(browser, server)

    page.click("nav a[href$='/setup/']")  # one community: straight to its set-up page
    page.wait_for_url(f"**/communities/{site.community.pk}/setup/")
    page.click(f"a[href$='/setup/weekly/{template.pk}/']")
    page.fill("#id_start", "08:00")
    page.fill("#id_end", "10:30")
    page.fill("#id_min_staff", "3")
    page.fill("#id_max_staff", "3")
    shot(page, "setup-weekly-shift-form")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/communities/{site.community.pk}/setup/")
    assert "08:00–10:30" in page.inner_text("main")
    shot(page, "setup-home")

    page.goto(f"{server.url}/communities/{site.community.pk}/weeks/{site.week}/")
    page.click('form[action$="/generate/"] button')
    page.wait_for_selector("progress")
    run_queued_solve(site.community)
    page.wait_for_selector("progress", state="detached", timeout=20_000)
    page.wait_for_selector('form[action*="/pin/"]')
    shift = Shift.objects.get(template=template)
    assert (timezone.localtime(shift.start).time(), shift.min_staff, shift.max_staff) == (dt.time(8), 3, 3)
    draft = Roster.objects.get(community=site.community, status=Roster.Status.DRAFT)
    assert draft.assignments.filter(shift=shift).count() == 3
    cell = page.locator(f"#shift-{shift.pk}")
    assert "08:00–10:30" in cell.inner_text() and "09:00–11:00" not in page.inner_text("main")
    shot(page, "setup-draft-follows")

    # A place the secretary pinned stays on the same shift when the patrol moves again; the rest is re-planned.
    cell.locator('form[action*="/pin/"] button').first.click()
    page.wait_for_selector(f"#shift-{shift.pk} .badge.pin")
    pinned = draft.assignments.get(shift=shift, pinned=True)
    page.goto(f"{server.url}/communities/{site.community.pk}/setup/weekly/{template.pk}/")
    page.fill("#id_start", "13:00")
    page.fill("#id_end", "15:30")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/communities/{site.community.pk}/setup/")
    assert "锁定" in page.inner_text(".messages")  # the draft is planned again; pinned places stay
    shot(page, "setup-pinned-place-stays")
    run_queued_solve(site.community)
    assert Shift.objects.get(template=template).pk == shift.pk
    new_draft = Roster.objects.get(community=site.community, status=Roster.Status.DRAFT)
    assert new_draft.assignments.filter(shift=shift, member=pinned.member, pinned=True).exists()
    page.goto(f"{server.url}/communities/{site.community.pk}/weeks/{site.week}/")
    cell = page.locator(f"#shift-{shift.pk}")
    assert "13:00–15:30" in cell.inner_text() and pinned.member.name in cell.inner_text()
    context.close()


def test_secretary_adds_one_member(server, browser):
    site = build_site(next_monday(), members=2)
    context, page = secretary_page(browser, server)
    page.goto(f"{server.url}/communities/{site.community.pk}/setup/")
    page.click("a[href$='/setup/members/new/']")
    page.fill("#id_name", "赵桂兰")
    page.click("main form button[type=submit]")  # no birth date yet
    summary = page.locator(".error-summary")
    assert "出生日期" in summary.inner_text()
    page.fill("#id_birth_date", "1954-03-12")
    page.fill("#id_phone", "139 1234 5678")
    page.select_option("#id_health", "good")
    page.click("main form button[type=submit]")
    member = Member.objects.get(name="赵桂兰")
    page.wait_for_url(f"**/members/{member.pk}/")
    assert "赵桂兰" in page.inner_text("h1")
    assert member.community == site.community and member.birth_date == dt.date(1954, 3, 12)
    shot(page, "setup-member-added")
    context.close()


def test_member_enters_school_runs_with_pickers(server, browser):
    site = build_site(next_monday(), members=2)
    me = site.members[0]
    token, _code = login_token_issue(member=me, by=site.secretary)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/link/{token}/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    page.goto(f"{server.url}/accounts/me/")
    assert page.locator("textarea").count() == 0  # no mini-language box any more
    page.click("#family-times")
    page.wait_for_url("**/accounts/me/family-times/")
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.check(f"input[name=weekdays][value={day}]")
    assert page.get_attribute("#id_caregiving_start", "type") == "time"
    page.fill("#id_caregiving_start", "07:00")
    page.fill("#id_caregiving_end", "08:30")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages")
    window = CaregivingWindow.objects.get(member=me)
    assert (window.weekdays, window.start, window.end) == ("mon,tue,wed,thu,fri", dt.time(7), dt.time(8, 30))
    assert window.applies == CaregivingWindow.Applies.SCHOOL_DAYS
    assert "07:00–08:30" in page.inner_text("main")
    assert_no_horizontal_scroll(page)
    shot(page, "member-family-times")
    context.close()

"""Two journeys in a real browser: a secretary plans, pins, re-solves, publishes and prints a week; a member on
a phone sees their shifts and says they cannot come."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import Assignment, Roster, SolveRun
from shifts.tasks import solve_run
from tests import factories
from tests.site_week import build_site
from volunteers.services.logins import login_token_issue

from .conftest import (
    ARTIFACTS,
    DESK,
    PASSWORD,
    PHONE,
    assert_no_horizontal_scroll,
    requires_chromium,
    secretary_log_in,
    shot,
)

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def run_queued_solve(community) -> SolveRun:
    """Play the queue worker: the page polls the run's progress while this solves it."""
    run = SolveRun.objects.get(community=community, status=SolveRun.Status.QUEUED)
    solve_run(run.pk)
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    return run


def test_secretary_generates_pins_resolves_publishes_and_prints(server, browser, held_queue):
    site = build_site(next_monday(), members=8)
    week = site.week
    context = browser.new_context(viewport=DESK, locale="zh-CN")
    page = context.new_page()
    secretary_log_in(page, server)
    assert "本周" in page.inner_text("main")
    shot(page, "dashboard")

    page.click(f'a[href$="/weeks/{week}/"]')
    page.click('form[action$="/generate/"] button')
    page.wait_for_selector("progress")  # queued: the bar polls every second
    assert "自动排班" in page.inner_text(".solve-progress")
    assert held_queue[-1][0] == "shifts.tasks.solve_run"
    run_queued_solve(site.community)
    # The finished run answers the next poll with HX-Refresh: the page reloads without the progress bar.
    page.wait_for_selector("progress", state="detached", timeout=20_000)
    page.wait_for_selector('form[action*="/pin/"]')
    draft = Roster.objects.get(community=site.community, status=Roster.Status.DRAFT)
    assert draft.assignments.exists()
    shot(page, "week-grid")

    page.click('form[action*="/pin/"] button >> nth=0')
    page.wait_for_selector(".badge.pin")
    pinned = Assignment.objects.get(roster=draft, pinned=True)

    page.click('form[action$="/generate/"] button')
    page.wait_for_selector("progress")
    run_queued_solve(site.community)
    page.wait_for_selector("progress", state="detached", timeout=20_000)
    new_draft = Roster.objects.get(community=site.community, status=Roster.Status.DRAFT)
    assert new_draft.assignments.filter(shift=pinned.shift, member=pinned.member, pinned=True).exists()

    page.click('a[href$="/publish/"]')
    page.wait_for_selector(".diff-added")
    page.click("main form button.primary")
    page.wait_for_url("**?show=published")
    published = Roster.objects.get(community=site.community, status=Roster.Status.PUBLISHED)
    assert published.version == 1 and published.assignments.count() == new_draft.assignments.count()

    page.click('a[href*="/print/"]')
    page.wait_for_selector(".print-page")
    names = page.inner_text(".print-page")
    assert pinned.member.name in names
    # The Chinese font is present and used, so the notice-board copy shows characters, not boxes.
    assert page.evaluate("document.fonts.check('16pt \"Noto Sans CJK SC\"', '值班表')")
    page.emulate_media(media="print")
    page.pdf(path=str(ARTIFACTS / "roster-print.pdf"), format="A4")
    shot(page, "print")

    factories.caregiving(pinned.member, "mon,tue,wed,thu,fri", dt.time(7, 0), dt.time(8, 30))
    page.emulate_media(media="screen")
    page.goto(f"{server.url}/members/{pinned.member.pk}/")
    assert "周一–周五 07:00–08:30" in page.inner_text(".rules")  # the rule in words, as the optimizer reads it
    shot(page, "member-profile")

    phone = context.new_page()
    phone.set_viewport_size(PHONE)
    for url in (f"{server.url}/dashboard/", f"{server.url}/communities/{site.community.pk}/weeks/{week}/",
                f"{server.url}/members/", f"{server.url}/members/{pinned.member.pk}/"):
        phone.goto(url)
        assert_no_horizontal_scroll(phone)
    shot(phone, "week-grid-phone")
    context.close()


def test_member_on_a_phone_sees_shifts_and_cannot_come(server, browser):
    site = build_site(next_monday())
    me, mate = site.members[0], site.members[1]
    monday = site.shifts[0]
    roster = Roster.objects.create(community=site.community, week_start=site.week_start,
                                   status=Roster.Status.PUBLISHED, version=1)
    Assignment.objects.create(roster=roster, shift=monday, member=me)
    Assignment.objects.create(roster=roster, shift=monday, member=mate)
    token, _code = login_token_issue(member=me, by=site.secretary)

    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/link/{token}/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    item = page.locator(f"#shift-{monday.pk}")
    assert mate.name in item.inner_text() and "社区服务中心门口" in item.inner_text()
    assert_no_horizontal_scroll(page)
    shot(page, "member-phone")

    item.locator('a[href*="cant-come"]').click()
    page.check('input[name="reason"][value="illness"]')
    page.click("main button.primary")
    page.wait_for_url("**/me/")
    changed = page.locator(f"#shift-{monday.pk}.is-changed")
    assert changed.count() == 1 and "书记" in changed.inner_text()
    assert me.unavailability.filter(start=monday.start, end=monday.end, reason="illness").exists()
    assert_no_horizontal_scroll(page)
    shot(page, "member-phone-after")
    context.close()


def test_phone_pages_have_large_targets_and_text(server, browser):
    site = build_site(next_monday())
    roster = Roster.objects.create(community=site.community, week_start=site.week_start,
                                   status=Roster.Status.PUBLISHED, version=1)
    Assignment.objects.create(roster=roster, shift=site.shifts[0], member=site.members[0])
    login = factories.member_login(site.members[0])
    login.set_password(PASSWORD)
    login.save()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{server.url}/accounts/login/")
    page.fill("#id_username", login.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    small = page.evaluate("""[...document.querySelectorAll('main a.button, main button, main input, main select')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([_, h]) => h < 44)""")
    assert small == []

"""In a real browser: a member reports a period away on her phone, the secretary's draft shows the conflict,
publishing refuses it, a re-solve takes her off, and the published week never books her."""

import datetime as dt

import pytest

from shifts.models import Roster
from shifts.rostering.rosters import roster_generate
from tests.site_week import build_site
from volunteers.services.logins import login_token_issue

from .conftest import DESK, PASSWORD, PHONE, requires_chromium, shot
from .test_journeys import next_monday, run_queued_solve

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_away_conflict_shown_resolved_and_published(server, browser, held_queue):
    site = build_site(next_monday(), members=8)
    roster_generate(community=site.community, week_start=site.week_start)
    draft = run_queued_solve(site.community).result
    away = draft.assignments.select_related("member").order_by("shift__start", "member__name").first().member
    token, _code = login_token_issue(member=away, by=site.secretary)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{server.url}/accounts/login/link/{token}/")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/me/")
    phone.goto(f"{server.url}/me/away/")
    phone.fill("#id_first_day", site.week_start.isoformat())
    phone.fill("#id_last_day", (site.week_start + dt.timedelta(days=6)).isoformat())
    phone.click("main button.primary")
    phone.wait_for_url("**/me/")

    desk = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    desk.goto(f"{server.url}/accounts/login/")
    desk.fill("#id_username", "sec")
    desk.fill("#id_password", PASSWORD)
    desk.click("main button[type=submit]")
    desk.wait_for_url("**/dashboard/")
    desk.goto(f"{server.url}/communities/{site.community.pk}/weeks/{site.week}/")
    conflict = desk.locator("li.conflict", has_text=away.name).first
    assert "冲突" in conflict.inner_text()
    assert "与本人说的不符" in desk.inner_text("#conflicts")
    shot(desk, "week-grid-conflict")

    # The re-solve the absence queued is waiting for a worker: the grid shows its progress, and publishing
    # meanwhile is refused with her name.
    assert desk.locator("progress").count() == 1
    desk.goto(f"{server.url}/communities/{site.community.pk}/weeks/{site.week}/publish/")
    desk.wait_for_selector("#conflicts")
    assert away.name in desk.inner_text("#conflicts")
    assert not desk.locator("main form button.primary", has_text="现在发布").count()  # no plain publish button
    shot(desk, "publish-refused")
    desk.click('#conflicts form[action$="/generate/"] button')
    desk.wait_for_selector("progress")
    run_queued_solve(site.community)  # the re-solve the absence queued: the worker takes it now
    desk.wait_for_selector("progress", state="detached", timeout=20_000)
    assert not desk.locator("li.conflict").count()

    desk.click('a[href$="/publish/"]')
    desk.wait_for_selector(".diff-added")
    desk.click("main form button.primary")
    desk.wait_for_url("**?show=published")
    published = Roster.objects.get(community=site.community, status=Roster.Status.PUBLISHED)
    assert published.assignments.exists() and not published.assignments.filter(member=away).exists()
    shot(desk, "published-after-away")

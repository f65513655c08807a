"""In a real browser on a 375 px phone: a member asking named colleagues for cover in a community of 60 sees her
usual teammates first and a short page, and the search box narrows the list as she types (and without scripts,
as a plain GET search)."""

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shifts.models import Assignment, Roster
from shifts.weeks import week_start_of
from tests import factories as f

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def _published(shift, *members):
    week = week_start_of(timezone.localtime(shift.start).date())
    roster, _created = Roster.objects.get_or_create(community=shift.community, week_start=week,
                                                    status=Roster.Status.PUBLISHED, defaults={"version": 1})
    for member in members:
        Assignment.objects.create(roster=roster, shift=shift, member=member)


def cover_world():
    """60 colleagues; 吴桂兰 and 周德明 shared shifts with 王秀英 in the past weeks (吴 three times)."""
    community = f.community(name="和平里")
    patrol = f.duty("patrol")
    me = f.member(community, name="王秀英")
    others = [f.member(community, name=f"陈{n:02d}号") for n in range(58)]
    wu, zhou = f.member(community, name="吴桂兰"), f.member(community, name="周德明")
    now = timezone.localtime()
    for weeks_ago, mates in ((2, (wu, zhou)), (3, (wu,)), (4, (wu,)), (12, (others[0],))):
        day = now.replace(hour=9, minute=0, second=0, microsecond=0) - dt.timedelta(weeks=weeks_ago)
        _published(f.shift(community, patrol, day), me, *mates)
    upcoming = f.shift(community, patrol, now.replace(hour=9, minute=0, second=0, microsecond=0)
                       + dt.timedelta(days=9))
    _published(upcoming, me)
    f.member_login(me)
    return me, Assignment.objects.get(member=me, shift=upcoming), wu, zhou


def _phone_as(browser, server, member):
    client = Client()
    client.force_login(member.user)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME]
                          .value, "url": server.url}])
    return context.new_page()


def test_cover_form_short_teammates_first_and_search_narrows(server, browser):
    me, assignment, wu, zhou = cover_world()
    page = _phone_as(browser, server, me)
    page.goto(f"{server.url}{reverse('swap_new', args=[assignment.pk])}?kind=cover")
    names = page.locator("#invited-list li:visible").all_inner_texts()
    assert len(names) == 10
    assert names[0].startswith("吴桂兰") and names[1].startswith("周德明")  # most shared shifts first
    height = page.evaluate("document.documentElement.scrollHeight")
    shot(page, "swap-cover-375")
    assert height < 3000, f"the cover form is {height}px tall"
    assert_no_horizontal_scroll(page)

    page.fill("#colleague-search", "周")  # typing filters at once (yure.js)
    assert page.locator("#invited-list li:visible").all_inner_texts()[0].startswith("周德明")
    assert page.locator("#invited-list li:visible").count() == 1
    page.fill("#colleague-search", "陈57")
    assert page.locator("#invited-list li:visible").count() == 1  # one beyond the first ten is found too
    page.locator("#invited-list li:visible input").check()
    page.fill("#colleague-search", "没有这个人")
    assert page.locator("#invited-list li:visible").count() == 0
    assert page.locator("#invited-none").is_visible()

    page.fill("#colleague-search", "")
    page.locator("#invited-list li:visible input").first.check()  # 吴桂兰
    page.locator("main form.stack button.primary").click()
    page.wait_for_url(f"{server.url}/swaps/")
    from shifts.models import SwapRequest

    swap = SwapRequest.objects.get(requester=me)
    assert {m.name for m in swap.invited.all()} == {"吴桂兰", "陈57号"}  # a ticked colleague hidden by a search is sent


def test_without_scripts_the_search_is_a_get_filter(server, browser):
    me, assignment, _wu, _zhou = cover_world()
    client = Client()
    client.force_login(me.user)
    context = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME]
                          .value, "url": server.url}])
    page = context.new_page()
    page.goto(f"{server.url}{reverse('swap_new', args=[assignment.pk])}?kind=cover")
    page.fill("#colleague-search", "陈0")
    page.locator("form[role=search] button").click()
    page.wait_for_url("**q=**")
    assert page.locator("#invited-list li:visible").count() == 10  # 陈00号 … 陈09号

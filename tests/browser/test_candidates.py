"""谁能接？ in a real browser (#13): from a shift on the grid to its own page, the best ten with their reasons, a
name search, and adding the member found; at 768 px the grid's controls stay inside their boxes."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import Assignment
from tests.site_week import build_site

from .conftest import DESK, requires_chromium, secretary_log_in, shot

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
TABLET = {"width": 768, "height": 1024}


def next_monday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())


def test_who_could_take_a_shift_shows_ten_finds_a_name_and_adds_them(server, browser):
    site = build_site(next_monday(), members=14)
    monday = site.shifts[0]
    roster = site.roster(pairs=[(monday, site.members[0])])
    page = browser.new_context(viewport=DESK, locale="zh-CN").new_page()
    secretary_log_in(page, server)
    page.goto(f"{server.url}{_week_path(site)}")
    link = page.locator(f"#shift-{monday.pk} a.candidates-link")
    box = link.bounding_box()
    assert box["height"] >= 44
    link.click()
    page.wait_for_selector("li.candidate")
    assert page.locator("li.candidate").count() == 10
    assert page.locator("li.candidate .ok").count() >= 5  # each with its reason: these keep every rule
    wanted = site.members[13]
    assert wanted.name not in page.inner_text("li.candidate >> nth=-1")
    page.fill("#candidate-q", wanted.name)
    page.click("form.candidate-search button[type=submit]")
    page.wait_for_selector("li.candidate")
    assert page.locator("li.candidate").count() == 1
    assert wanted.name in page.inner_text("li.candidate")
    shot(page, "candidates_search")
    page.click("li.candidate button[type=submit]")
    page.wait_for_url(f"**#shift-{monday.pk}")
    assert wanted.name in page.inner_text(f"#shift-{monday.pk}")
    assert Assignment.objects.filter(roster=roster, shift=monday, member=wanted).exists()


def test_grid_controls_stay_inside_their_boxes_at_768_px(server, browser):
    site = build_site(next_monday(), members=6)
    site.roster(pairs=[(site.shifts[0], site.members[0]), (site.shifts[1], site.members[1])])
    page = browser.new_context(viewport=TABLET, locale="zh-CN").new_page()
    secretary_log_in(page, server)
    page.goto(f"{server.url}{_week_path(site)}")
    page.locator("details.more summary").first.click()  # open 移除… with its reason box
    spills = page.evaluate("""() => [...document.querySelectorAll('.slot a.button, .slot button, .slot input')]
        .filter(el => el.offsetParent !== null)
        .map(el => [el, el.closest('.slot')])
        .filter(([el, slot]) => { const a = el.getBoundingClientRect(), b = slot.getBoundingClientRect();
                                  return a.left < b.left - 1 || a.right > b.right + 1; })
        .map(([el]) => el.outerHTML.slice(0, 80))""")
    shot(page, "grid_768")
    assert spills == []


def _week_path(site) -> str:
    from django.urls import reverse

    return reverse("roster_week", args=[site.community.pk, site.week])

"""The header at the largest text size (特大) on a 375 px phone: every label in it stays on one line (issue #25:
the labels wrapped one character per line), for staff pages and member pages, in Chinese and in English."""

import pytest
from django.urls import reverse

from scheduler_site.middleware import TEXT_SIZE_COOKIE
from tests import factories
from tests.site_week import build_site

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, secretary_log_in, shot
from .test_journeys import next_monday

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

# [label text, number of lines] for every visible label in the header that takes more than one line.
WRAPPED = """() => {
  const out = [];
  for (const el of document.querySelectorAll(
      ".site-header a, .site-header button, .site-header .text-size-label")) {
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || getComputedStyle(el).visibility === "hidden") continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    // Boxes that overlap vertically share a line (a Latin word next to Chinese sits a few pixels lower).
    const rects = [...range.getClientRects()].filter(r => r.width > 0).sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const r of rects) {
      if (r.top >= bottom - 2) lines += 1;
      bottom = Math.max(bottom, r.bottom);
    }
    if (lines > 1) out.push([el.innerText.trim(), lines]);
  }
  return out;
}"""


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_header_labels_stay_on_one_line_at_the_largest_size_on_a_phone(server, browser, locale):
    site = build_site(next_monday())
    member = site.members[0]
    member_user = factories.member_login(member)
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
    context.add_cookies([{"name": TEXT_SIZE_COOKIE, "value": "xlarge", "url": server.url}])
    page = context.new_page()
    secretary_log_in(page, server)
    problems = []
    for path in (reverse("dashboard"), reverse("member_edit", args=[member.pk]),
                 reverse("roster_week", args=[site.community.pk, site.week]), reverse("calendar")):
        page.goto(server.url + path)
        assert page.evaluate("document.documentElement.className").startswith("text-xlarge")
        problems += [(path, *label) for label in page.evaluate(WRAPPED)]
        assert_no_horizontal_scroll(page)
    shot(page, f"header-xlarge-staff-{locale}")
    context.clear_cookies()
    context.add_cookies([{"name": TEXT_SIZE_COOKIE, "value": "xlarge", "url": server.url}])
    from django.test import Client  # the member's session, made by the test client, in the browser

    client = Client()
    client.force_login(member_user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": server.url}])
    for path in (reverse("my_shifts"), reverse("member_home")):
        page.goto(server.url + path)
        problems += [(path, *label) for label in page.evaluate(WRAPPED)]
        assert_no_horizontal_scroll(page)
    shot(page, f"header-xlarge-member-{locale}")
    context.close()
    assert problems == []

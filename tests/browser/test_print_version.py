"""In a real browser on a 375 px phone: with a re-plan proposal pending, the secretary's Print and CSV give the
published roster and say so (已发布 第1版 · time); the proposal is printed only when she picks it."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import Roster
from tests.site_week import build_site

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, secretary_log_in, shot
from .test_journeys import next_monday

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_print_and_csv_are_the_published_roster_unless_the_proposal_is_picked(server, browser):
    site = build_site(next_monday())
    m = site.members
    published = site.roster(Roster.Status.PUBLISHED, [(site.shifts[0], m[0]), (site.shifts[0], m[1])])
    published.published_at = timezone.make_aware(dt.datetime.combine(site.week_start, dt.time(9, 30))) \
        - dt.timedelta(days=3)
    published.save(update_fields=["published_at"])
    site.roster(Roster.Status.PROPOSAL, [(site.shifts[0], m[2]), (site.shifts[0], m[3])])
    when = timezone.localtime(published.published_at).strftime("%Y-%m-%d %H:%M")

    page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True,
                               accept_downloads=True).new_page()
    secretary_log_in(page, server)
    page.goto(f"{server.url}{reverse('roster_week', args=[site.community.pk, site.week])}")
    assert "或者打印调整建议（未采用）" in page.content()  # the page shows the proposal; the choice is explicit
    assert_no_horizontal_scroll(page)

    with page.expect_download() as download:
        page.locator("main a.button", has_text="CSV").first.click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].endswith(f"已发布 第1版 · {when}")
    assert {r[9] for r in rows[2:] if r[9]} == {m[0].name, m[1].name}
    assert download.value.suggested_filename.endswith("-v1.csv")

    page.locator("main a.button", has_text="打印").first.click()
    page.wait_for_url("**/print/?show=published")
    assert f"已发布 第1版 · {when}" in page.locator(".print-sub").inner_text()
    assert m[0].name in page.content() and m[2].name not in page.content()
    shot(page, "print-published-375")

    page.get_by_role("link", name="改为打印调整建议（未采用）").click()
    page.wait_for_url("**/print/?show=proposal")
    assert "调整建议（未采用）" in page.locator(".print-sub").inner_text()
    assert m[2].name in page.content() and m[0].name not in page.content()

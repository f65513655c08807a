"""In a real browser at 375 px: the secretary corrects a member's phone on the member page; the page then shows the
new number in its national form, it is stored as E.164, and 操作记录 shows old → new (issue 25)."""

import datetime as dt

import pytest

from tests import factories
from volunteers.models import Member

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, secretary_log_in, shot

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def test_secretary_corrects_a_phone_on_a_phone(server, browser):
    community = factories.community(name="幸福里社区")
    yao = factories.member(community, name="姚国庆", phone="+8613900000001", birth_date=dt.date(1946, 12, 30))
    factories.secretary(community, username="sec")
    page = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    secretary_log_in(page, server)
    page.goto(f"{server.url}/members/{yao.pk}/")
    assert "139 0000 0001" in page.inner_text("#member-phone")
    assert page.input_value("#id_who-phone") == "139 0000 0001"
    assert_no_horizontal_scroll(page)
    page.fill("#id_who-phone", "138 0013 8000")
    page.click("#identity button[type=submit]")
    page.wait_for_url(f"**/members/{yao.pk}/")
    assert "138 0013 8000" in page.inner_text("#member-phone")
    assert "已保存" in page.inner_text(".messages")
    shot(page, "member-phone-corrected-375")
    yao.refresh_from_db()
    assert yao.phone.as_e164 == "+8613800138000"

    # A mistyped number is refused on its field, and the summary at the top links to it.
    page.fill("#id_who-phone", "138 0013")
    page.click("#identity button[type=submit]")
    page.wait_for_selector("#identity-form-errors")
    assert page.locator("#identity-form-errors a[href='#id_who-phone']").count() == 1
    assert Member.objects.get(pk=yao.pk).phone.as_e164 == "+8613800138000"

    page.goto(f"{server.url}/audit/")
    assert "139 0000 0001 → 138 0013 8000" in page.inner_text("main")
    assert_no_horizontal_scroll(page)
    shot(page, "audit-log-375")

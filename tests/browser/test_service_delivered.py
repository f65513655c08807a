"""Service delivered in a real browser at 375 px: a member scans a meeting point's poster link, checks in and
out, and sees the hours on My details; the secretary prints a service certificate on A4."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from shifts.delivered.attendance import poster_token
from shifts.models import Assignment, Attendance, Certificate, Roster
from shifts.weeks import week_start_of
from tests import factories
from volunteers.services.logins import login_token_issue

from .conftest import (
    ARTIFACTS,
    PHONE,
    assert_no_horizontal_scroll,
    requires_chromium,
    secretary_log_in,
    shot,
)

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def _shift_under_way(community, duty):
    """A two-hour patrol that began 90–104 minutes ago (on the quarter-hour grid): check-in is still open."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = now - dt.timedelta(minutes=now.minute % 15) - dt.timedelta(minutes=90)
    shift = factories.shift(community, duty, start, minutes=120, min_staff=1, location="居委会门口",
                            name="红袖章巡逻")
    roster = Roster.objects.create(community=community, week_start=week_start_of(timezone.localtime(start).date()),
                                   status=Roster.Status.PUBLISHED, version=1)
    return shift, roster


def _small_targets(page) -> list:
    return page.evaluate("""[...document.querySelectorAll('main a.button, main button, main input, main select')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])
        .filter(([_, h]) => h < 44)""")


def test_member_checks_in_by_poster_and_secretary_prints_a_certificate(server, browser):
    community = factories.community(name="幸福里社区", person_in_charge="李主任", contact_phone="021-12345678",
                                    organisation_name="幸福里社区志愿服务队")
    patrol = factories.duty("patrol", name="巡逻")
    me = factories.member(community, name="王建国", volunteer_number="31011520260001")
    shift, roster = _shift_under_way(community, patrol)
    Assignment.objects.create(roster=roster, shift=shift, member=me)
    secretary = factories.secretary(community, username="sec")
    token, _code = login_token_issue(member=me, by=secretary)

    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.goto(f"{server.url}/accounts/login/link/{token}/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")

    poster = f"{server.url}/here/{poster_token(community, '居委会门口')}/"
    page.goto(poster)
    assert "居委会门口" in page.inner_text("main")
    assert_no_horizontal_scroll(page)
    assert _small_targets(page) == []
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('main p')).fontSize)") >= 18
    shot(page, "poster-scan-phone")
    page.click("form[action$='/check-in/'] button")
    page.wait_for_selector("form[action$='/check-out/']")
    record = Attendance.objects.get(member=me, shift=shift)
    assert record.source == Attendance.Source.POSTER and record.check_in is not None
    # The member arrived at the start; the test does not wait an hour and a half for the check-out.
    record.check_in = shift.start
    record.save(update_fields=["check_in"])
    page.click("form[action$='/check-out/'] button")
    page.wait_for_selector(".attendance-state .ok")
    record.refresh_from_db()
    assert record.served and record.served_minutes >= 90
    shot(page, "poster-checked-out-phone")

    page.goto(f"{server.url}/accounts/me/")
    hours = page.inner_text(".my-hours")
    assert f"{round(record.served_minutes / 60, 1)}" in hours
    assert_no_horizontal_scroll(page)
    shot(page, "my-details-hours-phone")
    phone.close()

    desk = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = desk.new_page()
    secretary_log_in(page, server)
    page.click(f"a[href$='/communities/{community.pk}/hours/']")
    assert "王建国" in page.inner_text("main")
    assert_no_horizontal_scroll(page)
    page.click(f"a[href$='/members/{me.pk}/certificate/']")
    day = timezone.localtime(shift.start).date().isoformat()
    page.fill("#id_start", day)
    page.fill("#id_end", day)
    page.fill("#id_handled_by", "陈干事")
    page.click("main button[type=submit]")
    page.wait_for_selector(".certificate")
    certificate = Certificate.objects.get(member=me)
    text = page.inner_text(".certificate")
    for block in (certificate.number, "王建国", "31011520260001", "幸福里社区志愿服务队", "李主任", "陈干事",
                  "021-12345678", f"{certificate.hours}"):
        assert block in text
    assert page.locator(".certificate svg").count() == 1
    page.emulate_media(media="print")
    pdf = page.pdf(path=str(ARTIFACTS / "certificate.pdf"), format="A4")
    # One A4 sheet: the certificate fits and nothing spills onto a second page.
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
    shot(page, "certificate")
    desk.close()

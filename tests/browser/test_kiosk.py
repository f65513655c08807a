"""The kiosk in Chromium at 375 × 740 (issue #27 item 3): the secretary turns the browser into the kiosk, a member
taps four digits on the keypad, taps their name and checks in; every kiosk page is in elder mode (60 px targets,
24 px text, no sideways scrolling, 0 serious axe findings), and a page with a name goes back to the start after
30 seconds with no tap, while the start page never times the typing."""

import datetime as dt

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from shifts.models import Attendance, Roster
from shifts.weeks import week_start_of
from tests import factories as f

from .conftest import requires_chromium, secretary_log_in, shot
from .test_accessibility import _blocking
from .test_sizes import ELDER_PHONE, _elder_problems

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def centre():
    community = f.community(name="幸福里")
    patrol = f.duty("patrol")
    mate = f.member(community, name="李秀英", phone="13900000002")
    f.member(community, name="周桂兰", phone="13800000002")  # the same last four digits
    now = timezone.localtime().replace(second=0, microsecond=0)
    now -= dt.timedelta(minutes=now.minute % 15)  # shifts start on the quarter-hour grid
    shift = f.shift(community, patrol, now - dt.timedelta(minutes=30), minutes=120, location="居委会门口",
                    name="早班巡逻")
    roster = Roster.objects.create(community=community, week_start=week_start_of(timezone.localtime(shift.start)
                                                                                 .date()),
                                   status=Roster.Status.PUBLISHED, version=1)
    roster.assignments.create(shift=shift, member=mate)
    f.secretary(community, username="sec")
    return {"community": community, "mate": mate, "shift": shift}


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_a_member_checks_in_at_the_kiosk_in_elder_sizes(server, browser, centre, locale):
    context = browser.new_context(viewport=ELDER_PHONE, locale=locale)
    page = context.new_page()
    secretary_log_in(page, server)
    page.goto(f"{server.url}/communities/{centre['community'].pk}/kiosk/")
    page.fill("#id_kiosk_name", "活动室")
    page.click("form[action$='/kiosk/open/'] button[type=submit]")
    page.wait_for_url("**/kiosk/")
    assert page.locator("form[action$='/logout/']").count() == 0  # not logged in as the secretary
    axe, problems = Axe(), []

    def check(where):
        problems.extend(_elder_problems(page, where))
        problems.extend(_blocking(axe.run(page), "kiosk", where))
        shot(page, f"kiosk-{where}-{locale}")

    check("home")
    for digit in "0002":
        page.click(f".keypad button[data-digit='{digit}']")
    assert page.input_value("#id_digits") == "0002"
    page.click("button[type=submit].primary")
    page.wait_for_url("**/kiosk/find/")
    assert page.locator(".kiosk-names button").all_inner_texts() == ["周桂兰", "李秀英"]
    assert "13900000002" not in page.content()
    check("names")
    page.click("text=李秀英")
    page.wait_for_url("**/kiosk/member/")
    check("member")
    page.click("button[value=in]")
    page.wait_for_url("**/kiosk/check/")
    assert page.locator(".message.success").count() == 1
    check("checked-in")
    record = Attendance.objects.get(member=centre["mate"], shift=centre["shift"])
    assert record.source == Attendance.Source.KIOSK and record.check_in is not None
    assert page.locator("button[value=out]").count() == 1  # checked in: check-out is offered
    context.close()
    assert not problems, "\n".join(problems)


def test_a_page_with_a_name_goes_home_after_30_seconds_but_typing_is_never_timed(server, browser, centre):
    context = browser.new_context(viewport=ELDER_PHONE, locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    secretary_log_in(page, server)
    page.goto(f"{server.url}/communities/{centre['community'].pk}/kiosk/")
    page.click("form[action$='/kiosk/open/'] button[type=submit]")
    page.wait_for_url("**/kiosk/")
    page.click(".keypad button[data-digit='0']")
    page.clock.run_for(120_000)  # two minutes' pause while typing: the digit stays
    assert page.input_value("#id_digits") == "0"
    for digit in "002":
        page.click(f".keypad button[data-digit='{digit}']")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/kiosk/find/")
    page.clock.run_for(20_000)
    page.mouse.click(5, 400)  # a tap restarts the 30 seconds
    page.clock.run_for(20_000)
    assert page.url.endswith("/kiosk/find/")
    page.clock.run_for(11_000)
    page.wait_for_url("**/kiosk/")
    assert page.locator("#id_digits").input_value() == ""
    context.close()

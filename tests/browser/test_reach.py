"""On a 375 px phone: a member logs out, gets back in with a code typed in full-width digits, sees a notice of a
swap request, confirms their week with one tap; then a relative logs in with their own code and reports
"I can't come" for another member, which is audited as done by the relative for the member."""

import datetime as dt

import pytest

from shifts.models import Assignment, MemberNotice, Roster, SwapRequest, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from shifts.swaps.messages import swap_messages_send
from tests.site_week import build_site
from volunteers.models import AuditEntry, Unavailability
from volunteers.services.logins import login_token_issue
from volunteers.services.proxies import proxy_add

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, shot
from .test_journeys import next_monday

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def week(settings):
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    site = build_site(next_monday())
    me, mate = site.members[0], site.members[1]
    for member, phone in ((me, "13800000001"), (mate, "13800000002")):
        member.phone = phone
        member.save()
    roster = Roster.objects.create(community=site.community, week_start=site.week_start,
                                   status=Roster.Status.PUBLISHED, version=1)
    Assignment.objects.create(roster=roster, shift=site.shifts[0], member=me)
    mate_holds = Assignment.objects.create(roster=roster, shift=site.shifts[1], member=mate)
    confirmations_request(roster=roster)
    swap = SwapRequest.objects.create(kind=SwapRequest.Kind.COVER, requester=mate, assignment=mate_holds,
                                      expires_at=site.shifts[1].start - dt.timedelta(hours=2))
    swap.invited.add(me)
    swap_messages_send(swap_id=swap.pk, kind="swaps/offered")
    return site, me, mate, swap


def _phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-US", extra_http_headers={"Accept-Language": "en"},
                                  is_mobile=True, has_touch=True)
    return context, context.new_page()


def test_logout_code_login_notice_confirm_and_a_relative_cant_come(server, browser, week):
    site, me, mate, swap = week
    token, _code = login_token_issue(member=me, by=site.secretary)
    context, page = _phone(browser)
    page.goto(f"{server.url}/accounts/login/link/{token}/")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")

    # 退出登录 lives in My details, behind a question.
    assert page.locator("header form[action$='/logout/']").count() == 0
    page.click("nav a[href$='/accounts/me/']")
    page.click("#logout-start")
    page.wait_for_url("**/logout/confirm/")
    assert_no_horizontal_scroll(page)
    page.click("#logout-confirm")
    page.wait_for_url("**/accounts/login/**")

    # Back in with a code from the secretary, typed as a Chinese input method types digits.
    _token, code = login_token_issue(member=me, by=site.secretary)
    big = page.locator("#code-login")
    assert big.bounding_box()["height"] >= 44
    big.click()
    page.fill("#id_code", f"{code[:4]} {code[4:]}".translate(FULL_WIDTH))
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")

    # The swap request waits as a notice; opening it marks it read.
    notice = page.locator("a.notice", has_text=mate.name)
    assert notice.count() == 1
    assert_no_horizontal_scroll(page)
    shot(page, "reach-notices-phone")
    notice.click()
    page.wait_for_url(f"**/swaps/#offer-{swap.pk}")
    assert page.locator(f"#offer-{swap.pk}").is_visible()
    assert MemberNotice.objects.get(member=me, kind="swap_request").read_at is not None

    # One tap confirms the week.
    page.goto(f"{server.url}/me/")
    page.click("#confirm button[value=yes]")
    page.wait_for_url("**/me/")
    assert WeekConfirmation.objects.get(member=me).state == "confirmed"
    assert page.locator("#confirm").count() == 0
    context.close()

    # A relative of the mate, with consent, logs in with their own code and says the mate can't come.
    relative = proxy_add(member=mate, by=site.secretary, name="李小红", phone="13900000002", relation="child",
                         consent_note="电话中同意", forward_messages=False)
    _token, relative_code = login_token_issue(member=mate, by=site.secretary, proxy=relative)
    context, page = _phone(browser)
    page.goto(f"{server.url}/accounts/login/")
    page.click("#code-login")
    page.fill("#id_code", relative_code)
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    assert "李小红" in page.locator(".proxy-banner").inner_text()
    assert page.locator("#feed-link").count() == 0  # the member's private calendar link stays theirs
    assert_no_horizontal_scroll(page)
    shot(page, "reach-relative-phone")
    page.click("#confirm a.button")  # 我来不了 opens the page that lists what it cancels and asks why
    page.check("input[name=reason][value=illness]")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/me/")
    confirmation = WeekConfirmation.objects.get(member=mate)
    assert confirmation.state == "declined" and confirmation.via == "proxy"
    assert Unavailability.objects.filter(member=mate, start=site.shifts[1].start).exists()
    relative.refresh_from_db()
    acted = AuditEntry.objects.get(action="volunteers.proxy.acted")
    assert acted.actor_id == relative.user_id and acted.object_id == str(mate.pk)
    context.close()

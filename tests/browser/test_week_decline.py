"""On a phone (375 px): 我来不了 for a whole week, from My shifts and from the text message's link, shows the shifts
it cancels and asks why before anything is cancelled; 我又能来了 puts the member back."""

import re

import pytest
from django.conf import settings as django_settings

from shifts.models import OutboxMessage, Roster, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from tests.site_week import build_site
from volunteers.services.logins import login_token_issue

from .conftest import PHONE, assert_no_horizontal_scroll, requires_chromium, shot

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def _published_week(settings, week_start):
    """A published week of the three template shifts (``week_start``: a coming week with no 25th, whose study
    morning would be a fourth shift, and no holiday)."""
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    site = build_site(week_start)
    for i, member in enumerate(site.members):
        member.phone = f"1380000000{i}"
        member.save(update_fields=["phone"])
    monday, wednesday, thursday = site.shifts
    m = site.members
    roster = site.roster(Roster.Status.PUBLISHED, [(monday, m[0]), (monday, m[1]), (wednesday, m[0]),
                                                   (wednesday, m[2]), (thursday, m[3])])
    Roster.objects.filter(pk=roster.pk).update(published_at=roster.created_at)
    confirmations_request(roster=roster)
    return site, roster


def _held(roster, member):
    return roster.assignments.filter(member=member).count()


def test_week_decline_asks_first_and_can_be_undone_on_a_phone(server, browser, held_queue, settings, week_start):
    site, roster = _published_week(settings, week_start)
    member = site.members[0]
    token, _code = login_token_issue(member=member, by=site.secretary)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{server.url}/accounts/login/link/{token}/")
    phone.click("main button[type=submit]")
    phone.wait_for_url("**/me/")
    phone.goto(f"{server.url}/me/")
    card = phone.locator("section.confirm")
    card.get_by_role("link", name="我来不了").click()
    phone.wait_for_url("**/cant-come/")
    assert_no_horizontal_scroll(phone)
    assert phone.locator("#shifts-to-cancel li").count() == 2
    assert "这会取消您下面这 2 个班" in phone.inner_text("main")
    assert _held(roster, member) == 2  # nothing cancelled by the tap
    shot(phone, "week-decline-phone")
    phone.get_by_label("家里有事").check()
    phone.get_by_role("button", name="确定，这周来不了").click()
    phone.wait_for_url("**/me/")
    assert _held(roster, member) == 0
    assert WeekConfirmation.objects.get(member=member).state == "declined"
    undo = phone.get_by_role("button", name="我又能来了")
    assert undo.is_visible()
    assert_no_horizontal_scroll(phone)
    shot(phone, "week-declined-undo-phone")
    undo.click()
    phone.wait_for_url("**/me/")
    assert "您这周的班已经恢复了" in phone.inner_text("body")
    assert _held(roster, member) == 2
    assert WeekConfirmation.objects.get(member=member).state == "confirmed"


def test_text_message_link_asks_why_and_offers_the_undo_on_a_phone(server, browser, held_queue, settings, week_start):
    site, roster = _published_week(settings, week_start)
    member = site.members[0]
    text = OutboxMessage.objects.filter(notification__member=member,
                                        notification__kind="confirm_request").latest("pk").text
    path = re.search(r"https?://\S+?(/c/\S+/)", text).group(1)
    phone = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True).new_page()
    phone.context.add_cookies([{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans",
                                "url": server.url}])
    phone.goto(f"{server.url}{path}")
    phone.get_by_role("link", name="我来不了").click()
    phone.wait_for_url("**/no/")
    assert_no_horizontal_scroll(phone)
    assert phone.locator("#shifts-to-cancel li").count() == 2
    assert _held(roster, member) == 2
    phone.get_by_label("生病").check()
    phone.get_by_role("button", name="确定，这周来不了").click()
    phone.wait_for_selector("text=我又能来了")
    assert _held(roster, member) == 0
    shot(phone, "week-declined-link-phone")
    phone.get_by_role("button", name="我又能来了").click()
    phone.wait_for_selector("text=您这周的班已经恢复了")
    assert _held(roster, member) == 2

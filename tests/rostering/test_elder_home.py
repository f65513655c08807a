"""长辈模式's simplified home (issue #27): the front door opens on it at the largest size, three big buttons (My
shifts, I can't come, call the secretary) and the next shift in words; and the secretary's number it dials."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from scheduler_site.middleware import TEXT_SIZE_COOKIE
from shifts.models import Assignment, Roster
from shifts.rostering.confirmations import confirmations_request
from shifts.rostering.readmodels.member_shifts import shift_in_words
from tests import factories
from volunteers.models import StaffProfile, Unavailability
from volunteers.selectors import community_secretary_phone
from volunteers.services.logins import login_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(site):
    monday, wednesday = site.shifts[0], site.shifts[1]  # Monday 9:00-11:00 at the gate, Wednesday 19:00 at 东门
    return site.roster(Roster.Status.PUBLISHED, pairs=[(monday, site.members[0]), (wednesday, site.members[0])])


@pytest.fixture
def me(client, site):
    client.force_login(factories.member_login(site.members[0]))
    return client


def _secretary_phone(site, number):
    profile = StaffProfile.objects.get(user=site.secretary)
    profile.phone = number
    profile.save()


@pytest.mark.parametrize(("size", "lands_on"), [("xlarge", "member_home"), ("large", "my_shifts"),
                                                 (None, "my_shifts")])
def test_the_front_door_opens_the_simplified_home_only_in_elder_mode(me, size, lands_on):
    if size:
        me.cookies[TEXT_SIZE_COOKIE] = size
    assert me.get("/")["Location"] == reverse(lands_on)


def test_the_simplified_home_has_three_big_buttons_and_the_next_shift_in_words(me, site, published):
    _secretary_phone(site, "13700000000")
    me.cookies[TEXT_SIZE_COOKIE] = "xlarge"
    page = me.get(reverse("member_home")).content.decode()
    monday = Assignment.objects.get(roster=published, shift=site.shifts[0])
    assert page.count('class="button huge') == 3
    assert f'href="{reverse("my_shifts")}">我的值班' in page
    assert f'href="{reverse("cant_come", args=[monday.pk])}">我来不了' in page
    assert 'href="tel:+8613700000000">给书记打电话<span class="button-note">137 0000 0000</span>' in page
    assert "上午9:00到11:00：巡逻。在社区服务中心门口集合。" in page
    assert 'class="text-xlarge elder"' in page and "长辈模式" in page
    assert "等您处理" not in page  # nothing waits yet


def test_what_waits_on_my_shifts_is_counted_on_its_button(me, site, published, settings):
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    site.members[0].phone = "13800000001"
    site.members[0].save()
    confirmations_request(roster=published)  # a confirmation card and its notice
    page = me.get(reverse("member_home")).content.decode()
    assert '<span class="button-note">有2件事等您处理</span>' in page


def test_a_shift_the_member_cannot_come_to_is_not_the_next_one(me, site, published):
    monday = site.shifts[0]
    Unavailability.objects.create(member=site.members[0], start=monday.start, end=monday.end)
    wednesday = Assignment.objects.get(roster=published, shift=site.shifts[1])
    page = me.get(reverse("member_home")).content.decode()
    assert "晚上19:00到21:00：巡逻。在东门集合。" in page and "门口集合" not in page
    assert f'href="{reverse("cant_come", args=[wednesday.pk])}"' in page


def test_with_no_shift_and_no_phone_the_home_says_so_and_offers_time_away(me, site):
    page = me.get(reverse("member_home")).content.decode()
    assert "未来四周您没有值班。" in page
    assert f'href="{reverse("absence_period")}">我来不了' in page
    assert "tel:" not in page and "您的社区还没有留下电话号码" in page


def test_the_secretary_number_is_a_secretarys_own_phone_else_the_communitys(site):
    assert community_secretary_phone(site.community) is None
    site.community.contact_phone = "021-1234 5678"
    site.community.save()
    assert community_secretary_phone(site.community) == ("021-1234 5678", "02112345678")
    _secretary_phone(site, "13700000000")
    assert community_secretary_phone(site.community) == ("137 0000 0000", "+8613700000000")
    # Another community's secretary is never dialled.
    profile = StaffProfile.objects.get(user=site.outsider)
    profile.phone = "13900000000"
    profile.save()
    assert community_secretary_phone(site.other) == ("139 0000 0000", "+8613900000000")
    assert community_secretary_phone(site.community)[1] == "+8613700000000"


def test_the_next_shift_in_words_says_today_tomorrow_or_the_date(site):
    monday = site.shifts[0]  # 9:00-11:00, 巡逻, 社区服务中心门口
    day = monday.start.date()
    with translation.override("zh-hans"):
        assert shift_in_words(monday, today=day).startswith("今天，")
        assert shift_in_words(monday, today=day - dt.timedelta(days=1)).startswith("明天，")
        assert shift_in_words(monday, today=day - dt.timedelta(days=2)).startswith("后天，")
        far = shift_in_words(monday, today=day - dt.timedelta(days=5))
        assert far.startswith(f"{day.month}月{day.day}日，星期一，上午9:00到11:00")
    with translation.override("en"):
        words = shift_in_words(monday, today=day - dt.timedelta(days=1))
        assert words.startswith("Tomorrow, ") and "Monday, in the morning from 9:00 to 11:00: Patrol." in words


def test_no_time_out_while_an_elder_fills_a_form(client, site, settings):
    """A member logged in by their link stays logged in for MEMBER_SESSION_DAYS, and the form's CSRF cookie lasts at
    least as long: a form left half done for hours (the staff's 12-hour session) is still accepted."""
    token, _code = login_token_issue(member=site.members[0], by=site.secretary)
    client.cookies[TEXT_SIZE_COOKIE] = "xlarge"
    response = client.post(reverse("member_link_login", args=[token]))
    assert response["Location"] == reverse("home")
    assert client.get("/")["Location"] == reverse("member_home")
    day = 24 * 3600
    assert client.session.get_expiry_age() == settings.MEMBER_SESSION_DAYS * day > settings.SESSION_COOKIE_AGE
    assert settings.CSRF_COOKIE_AGE >= settings.MEMBER_SESSION_DAYS * day and not settings.CSRF_USE_SESSIONS

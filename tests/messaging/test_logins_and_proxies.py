"""The way back in (code login page, full-width digits, lockout by device/target/address, logout behind a
question, the secretary's login card) and relatives acting for a member (consent, acting, audit, revocation)."""

import pytest
from django.urls import reverse

from shifts.models import Roster, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from tests import factories
from tests.site_week import build_site
from volunteers.models import AuditEntry, Unavailability
from volunteers.services.logins import login_token_issue
from volunteers.services.proxies import proxy_add, proxy_revoke

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.fixture
def site(week_start, outbox_sms):
    site = build_site(week_start)
    site.members[0].phone = "13800000000"
    site.members[0].save()
    return site


def test_login_page_has_a_large_code_button(client):
    page = client.get(reverse("login")).content.decode()
    assert 'id="code-login"' in page and reverse("member_code_login") in page and "big" in page


def test_full_width_code_logs_in(client, site):
    _token, code = login_token_issue(member=site.members[0], by=site.secretary)
    response = client.post(reverse("member_code_login"), {"code": f"{code[:4]}　{code[4:]}".translate(FULL_WIDTH)})
    assert response.status_code == 302
    assert client.get(reverse("my_shifts")).status_code == 200


def test_wrong_codes_lock_one_device_not_everyone_behind_the_address(site, settings):
    from django.test import Client
    _token, code = login_token_issue(member=site.members[1], by=site.secretary)
    mistyping = Client(REMOTE_ADDR="10.0.0.9")
    url = reverse("member_code_login")
    statuses = [mistyping.post(url, {"code": "99999999" if code != "99999999" else "11111111"}).status_code
                for _ in range(settings.CODE_LOGIN_DEVICE_LIMIT)]
    assert statuses[-1] == 429 and statuses[0] == 400
    neighbour = Client(REMOTE_ADDR="10.0.0.9")  # another elder on the same community Wi-Fi
    assert neighbour.post(url, {"code": code}).status_code == 302


def test_lockout_many_wrong_codes_from_one_address_never_block_a_correct_code(site, settings):
    from django.test import Client
    settings.CODE_LOGIN_ADDRESS_LIMIT = 3
    url = reverse("member_code_login")
    for n in range(3):
        Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(url, {"code": f"1234567{n}"})
    assert Client(REMOTE_ADDR="10.0.0.7").post(url, {"code": "12345679"}).status_code == 429  # the range is busy
    _token, code = login_token_issue(member=site.members[1], by=site.secretary)
    assert Client(REMOTE_ADDR="10.0.0.7").post(url, {"code": code}).status_code == 302


def test_lockout_stale_codes_count_against_their_owner_in_that_address_range(site, settings):
    from django.test import Client
    _token, old = login_token_issue(member=site.members[2], by=site.secretary)
    _token, _new = login_token_issue(member=site.members[2], by=site.secretary)  # the old code is revoked
    url = reverse("member_code_login")
    for n in range(settings.CODE_LOGIN_DEVICE_LIMIT):
        Client(REMOTE_ADDR=f"10.1.0.{n}").post(url, {"code": old})
    assert Client(REMOTE_ADDR="10.1.0.200").post(url, {"code": _new}).status_code == 429
    _token, fresh = login_token_issue(member=site.members[2], by=site.secretary)  # a new code unlocks
    assert Client(REMOTE_ADDR="10.1.0.200").post(url, {"code": fresh}).status_code == 302


def test_logout_sits_in_my_details_behind_a_question(client, site):
    client.force_login(factories.member_login(site.members[0]))
    assert reverse("logout") not in client.get(reverse("my_shifts")).content.decode()
    details = client.get(reverse("my_data")).content.decode()
    assert reverse("logout_confirm") in details
    question = client.get(reverse("logout_confirm")).content.decode()
    assert reverse("logout") in question and client.get(reverse("my_shifts")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("my_shifts")).status_code == 302


def test_secretary_login_card_has_code_place_copy_qr_and_print(client, site, django_capture_on_commit_callbacks):
    client.force_login(site.secretary)
    with django_capture_on_commit_callbacks(execute=True):  # the text message is queued, sent after the request
        page = client.post(reverse("member_login_link_issue", args=[site.members[0].pk]), {"send": "sms"})
    html = page.content.decode()
    assert "<svg" in html and "data-copy-target" in html and "data-print" in html
    assert reverse("member_code_login") in html and 'id="login-code"' in html
    from shifts.models import OutboxMessage
    sms = OutboxMessage.objects.get(notification__kind="login_code")
    assert sms.phone == "+8613800000000" and sms.params[0].isdigit() and len(sms.params[0]) == 8


def _proxy(site, **extra):
    return proxy_add(member=site.members[0], by=site.secretary, name="王小明", phone="13900000001",
                     relation="child", consent_note="电话中同意", forward_messages=extra.get("forward", True))


def test_no_consent_no_proxy(site):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError) as caught:
        proxy_add(member=site.members[0], by=site.secretary, name="王小明", phone="13900000001",
                  relation="child", consent_note=" ", forward_messages=False)
    assert "consent_note" in caught.value.message_dict


def test_relative_gets_messages_if_chosen_acts_with_own_login_and_is_audited(client, site,
                                                                             django_capture_on_commit_callbacks):
    proxy = _proxy(site)
    roster = site.roster(Roster.Status.PUBLISHED, [(shift, site.members[0]) for shift in site.shifts])
    confirmations_request(roster=roster)
    from shifts.models import Notification
    copy = Notification.objects.get(proxy=proxy, kind="confirm_request")
    assert copy.status == "sent" and copy.address == "+8613900000001"
    _token, code = login_token_issue(member=site.members[0], by=site.secretary, proxy=proxy)
    assert client.post(reverse("member_code_login"), {"code": code}).status_code == 302
    proxy.refresh_from_db()
    assert proxy.user_id and proxy.user_id != site.members[0].user_id
    page = client.get(reverse("my_shifts")).content.decode()
    assert "王小明" in page and client.get(reverse("my_data")).status_code == 404  # no health details
    confirmation = WeekConfirmation.objects.get(member=site.members[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("confirm_decline", args=[confirmation.pk]), {"reason": "family"})
    confirmation.refresh_from_db()
    assert confirmation.state == "declined" and confirmation.via == "proxy"
    assert Unavailability.objects.filter(member=site.members[0]).count() == len(site.shifts)
    acted = AuditEntry.objects.filter(action="volunteers.proxy.acted", object_id=str(site.members[0].pk))
    assert acted.count() == 1 and acted.get().actor == proxy.user and acted.get().data["proxy"] == proxy.pk
    declined = AuditEntry.objects.get(action="shifts.confirmation.declined")
    assert declined.actor == proxy.user and declined.data["proxy"] == proxy.pk


def test_revoking_takes_effect_at_once(client, site):
    proxy = _proxy(site)
    _token, code = login_token_issue(member=site.members[0], by=site.secretary, proxy=proxy)
    client.post(reverse("member_code_login"), {"code": code})
    assert client.get(reverse("my_shifts")).status_code == 200
    _token, unused = login_token_issue(member=site.members[0], by=site.secretary, proxy=proxy)
    staff = __import__("django.test", fromlist=["Client"]).Client()
    staff.force_login(site.secretary)
    staff.post(reverse("member_proxy_revoke", args=[site.members[0].pk, proxy.pk]))
    assert client.get(reverse("my_shifts")).status_code in (302, 404)  # the open session no longer works
    assert client.post(reverse("member_code_login"), {"code": unused}).status_code == 400
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None
    assert AuditEntry.objects.filter(action="volunteers.proxy.revoked").count() == 1
    from shifts.messaging.notify import notify_member
    notify_member(member=site.members[0], kind="welfare_check", dedupe_key="after", context={"when": None})
    from shifts.models import Notification
    assert not Notification.objects.filter(proxy=proxy, dedupe_key__startswith="after").exists()


def test_revoke_is_idempotent(site):
    proxy = _proxy(site)
    proxy_revoke(proxy=proxy, by=site.secretary)
    proxy_revoke(proxy=proxy, by=site.secretary)
    proxy.refresh_from_db()
    assert proxy.revoked_at is not None

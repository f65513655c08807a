"""Code-login lockout (issue 28): the limits are kept in the database and keyed on the address range and the
code's owner, so a client that drops its cookies or hops addresses inside its range gains nothing; the address
limit never refuses a correct code; X-Forwarded-For is believed only from a proxy named in TRUSTED_PROXIES."""

import pytest
from django.test import Client
from django.urls import reverse

from scheduler_site.addresses import address_range, client_address
from tests.site_week import build_site
from volunteers.models import CodeLoginFailure
from volunteers.services.logins import login_token_issue

pytestmark = pytest.mark.django_db

URL = "member_code_login"


@pytest.fixture
def site(week_start):
    return build_site(week_start)


def _stale_and_live(site, member_index=0):
    """An old (revoked) code of a member and their live one."""
    _token, old = login_token_issue(member=site.members[member_index], by=site.secretary)
    _token, live = login_token_issue(member=site.members[member_index], by=site.secretary)
    return old, live


def test_lockout_dropping_the_cookie_does_not_reset_the_device_limit(site, settings):
    old, live = _stale_and_live(site)
    for _attempt in range(settings.CODE_LOGIN_DEVICE_LIMIT):
        cookieless = Client(REMOTE_ADDR="10.3.0.5")  # a new client each time: no session, no cookie
        cookieless.post(reverse(URL), {"code": old})
    assert Client(REMOTE_ADDR="10.3.0.5").post(reverse(URL), {"code": live}).status_code == 429
    assert CodeLoginFailure.objects.filter(target=site.members[0]).count() == settings.CODE_LOGIN_DEVICE_LIMIT


def test_lockout_hopping_addresses_inside_an_ipv6_range_counts_as_one_device(site, settings):
    old, live = _stale_and_live(site)
    for n in range(settings.CODE_LOGIN_DEVICE_LIMIT):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}").post(reverse(URL), {"code": old})
    assert Client(REMOTE_ADDR="2001:db8:1:2::ffff").post(reverse(URL), {"code": live}).status_code == 429
    # Another /64 is another household: the member is not locked out everywhere by someone else's guesses.
    response = Client(REMOTE_ADDR="2001:db8:1:3::1").post(reverse(URL), {"code": live})
    assert response.status_code == 302


def test_lockout_someone_elses_failures_never_lock_a_member_out_from_their_own_range(site, settings):
    old, live = _stale_and_live(site)
    for _attempt in range(settings.CODE_LOGIN_DEVICE_LIMIT + 2):
        Client(REMOTE_ADDR="203.0.113.9").post(reverse(URL), {"code": old})
    assert Client(REMOTE_ADDR="198.51.100.20").post(reverse(URL), {"code": live}).status_code == 302


def test_lockout_address_limit_counts_failures_only_and_lets_a_correct_code_in(site, settings):
    settings.CODE_LOGIN_ADDRESS_LIMIT, settings.CODE_LOGIN_DEVICE_LIMIT = 4, 100
    _token, live = login_token_issue(member=site.members[1], by=site.secretary)
    statuses = [Client(REMOTE_ADDR="10.4.0.1").post(reverse(URL), {"code": f"5555555{n}"}).status_code
                for n in range(5)]  # elders on one Wi-Fi, each mistyping once
    assert statuses == [400, 400, 400, 429, 429]
    busy = Client(REMOTE_ADDR="10.4.0.1").post(reverse(URL), {"code": "55555558"})
    assert busy.status_code == 429 and 'name="code"' in busy.content.decode()  # the form stays for the next elder
    assert Client(REMOTE_ADDR="10.4.0.1").get(reverse(URL)).status_code == 200  # the page is not locked
    assert Client(REMOTE_ADDR="10.4.0.1").post(reverse(URL), {"code": live}).status_code == 302
    assert CodeLoginFailure.objects.count() == 6  # the correct code was not counted


def test_lockout_forwarded_header_is_ignored_without_a_trusted_proxy(site, settings):
    settings.TRUSTED_PROXIES = ()
    old, live = _stale_and_live(site)
    for n in range(settings.CODE_LOGIN_DEVICE_LIMIT):  # a fresh forged client address each time
        Client(REMOTE_ADDR="10.5.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").post(reverse(URL), {"code": old})
    assert set(CodeLoginFailure.objects.values_list("address_range", flat=True)) == {"10.5.0.0/24"}
    response = Client(REMOTE_ADDR="10.5.0.1", HTTP_X_FORWARDED_FOR="192.0.2.77").post(reverse(URL), {"code": live})
    assert response.status_code == 429


def test_lockout_behind_a_trusted_proxy_each_client_is_counted_on_its_own(site, settings):
    settings.TRUSTED_PROXIES = ("127.0.0.1", "10.9.0.0/16")
    old, live = _stale_and_live(site)
    for _attempt in range(settings.CODE_LOGIN_DEVICE_LIMIT):
        # The forger prepends addresses of their own; the proxy appends the one it saw.
        Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.50, 10.9.1.1").post(
            reverse(URL), {"code": old})
    assert set(CodeLoginFailure.objects.values_list("address_range", flat=True)) == {"203.0.113.0/24"}
    elder = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.18.7.7")  # the same member, at home
    assert elder.post(reverse(URL), {"code": live}).status_code == 302


def test_client_address_reads_the_header_from_the_right_and_only_from_trusted_proxies(settings):
    settings.TRUSTED_PROXIES = ("10.9.0.0/16",)
    forwarded = {"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7, 10.9.0.3"}
    assert client_address(forwarded) == "203.0.113.7"
    assert client_address({**forwarded, "REMOTE_ADDR": "198.51.100.2"}) == "198.51.100.2"
    assert client_address({"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "junk, 203.0.113.7"}) == "203.0.113.7"
    assert client_address({"REMOTE_ADDR": "10.9.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.7, junk"}) == "10.9.0.2"
    assert client_address({"REMOTE_ADDR": "10.9.0.2"}) == "10.9.0.2"
    assert address_range("::ffff:203.0.113.7") == "203.0.113.0/24"
    assert address_range("") == "?"


def test_lockout_django_axes_counts_the_client_behind_a_trusted_proxy(client, settings, world):
    from axes.models import AccessAttempt

    settings.TRUSTED_PROXIES = ("127.0.0.1",)
    client.post(reverse("login"), {"username": "nobody", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.8"]

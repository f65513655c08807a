"""Logins: django-axes locks after 5 failures; one-time member links and codes store only hashes, expire,
work once, and give a long session; secretaries issue them only for their own members; deploy checks pass."""

import datetime as dt
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests import factories
from volunteers.models import AuditEntry, CaregivingWindow, MemberLoginToken
from volunteers.services.logins import login_token_issue, login_token_redeem

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def _axes_clean(db):
    from axes.models import AccessAttempt
    AccessAttempt.objects.all().delete()


def test_five_wrong_passwords_lock_the_login_even_with_the_right_one(client, world):
    url = reverse("login")
    for _attempt in range(5):
        response = client.post(url, {"username": "sec-A", "password": "wrong"})
        assert response.status_code in (200, 429)
    locked = client.post(url, {"username": "sec-A", "password": PASSWORD})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_four_wrong_passwords_then_the_right_one_logs_in(client, world):
    url = reverse("login")
    for _attempt in range(4):
        client.post(url, {"username": "sec-A", "password": "wrong"})
    response = client.post(url, {"username": "sec-A", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.a.secretary.pk)


def test_link_stores_only_hashes_and_logs_in_once(client, world):
    token, code = login_token_issue(member=world.a.mate, by=world.a.secretary)
    row = MemberLoginToken.objects.get(member=world.a.mate)
    assert token not in (row.token_hash, row.code_hash) and code not in (row.token_hash, row.code_hash)
    url = reverse("member_link_login", args=[token])
    page = client.get(url)  # a link preview fetching the URL must not use it up
    assert page.status_code == 200 and "A队友乙" in page.content.decode()
    assert MemberLoginToken.objects.get(pk=row.pk).used_at is None
    response = client.post(url)
    assert response.status_code == 302
    world.a.mate.refresh_from_db()
    assert client.session["_auth_user_id"] == str(world.a.mate.user_id)
    assert client.session.get_expiry_age() > 100 * 24 * 3600  # stays logged in on the member's phone
    assert not world.a.mate.user.has_usable_password()
    again = client.__class__().post(url)
    assert again.status_code == 404
    assert client.__class__().get(url).status_code == 404


def test_code_logs_in_once(client, world):
    _token, code = login_token_issue(member=world.a.member, by=world.a.secretary)
    url = reverse("member_code_login")
    response = client.post(url, {"code": f"{code[:4]} {code[4:]}"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.a.member_user.pk)
    other = client.__class__()
    assert other.post(url, {"code": code}).status_code == 400
    assert "_auth_user_id" not in other.session


def test_expired_link_does_not_work(client, world):
    token, code = login_token_issue(member=world.a.member, by=world.a.secretary)
    MemberLoginToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.post(reverse("member_link_login", args=[token])).status_code == 404
    assert login_token_redeem(code=code) is None


def test_new_link_revokes_the_older_one(world):
    first, first_code = login_token_issue(member=world.a.member, by=world.a.secretary)
    second, _code = login_token_issue(member=world.a.member, by=world.a.secretary)
    assert login_token_redeem(token=first) is None and login_token_redeem(code=first_code) is None
    assert login_token_redeem(token=second) == world.a.member


def test_inactive_member_link_does_not_work(world):
    token, _code = login_token_issue(member=world.a.member, by=world.a.secretary)
    world.a.member.active = False
    world.a.member.save()
    assert login_token_redeem(token=token) is None


def test_wrong_codes_are_throttled_and_a_correct_code_still_logs_in(client, world):
    _token, code = login_token_issue(member=world.a.member, by=world.a.secretary)
    url = reverse("member_code_login")
    wrong = "00000000" if code != "00000000" else "11111111"
    statuses = [client.post(url, {"code": wrong}).status_code for _attempt in range(5)]
    assert statuses == [400, 400, 400, 400, 429]  # the fifth failure locks codes that were never anyone's
    assert client.post(url, {"code": wrong}).status_code == 429
    assert client.post(url, {"code": code}).status_code == 302  # issue 28: the wrong ones were not this member's


def test_secretary_issues_a_link_for_own_member_only(client, world):
    client.force_login(world.a.secretary)
    url = reverse("member_login_link_issue", args=[world.a.member.pk])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 200 and "/accounts/login/link/" in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    assert AuditEntry.objects.filter(action="volunteers.member.login_link_issued").count() == 1
    foreign = reverse("member_login_link_issue", args=[world.b.member.pk])
    assert client.get(foreign).status_code == 404 and client.post(foreign).status_code == 404
    assert not MemberLoginToken.objects.filter(member=world.b.member).exists()


def test_member_cannot_issue_links(client, world):
    client.force_login(world.a.member_user)
    assert client.post(reverse("member_login_link_issue", args=[world.a.mate.pk])).status_code == 404


def test_login_link_command_prints_link_and_code(world, capsys):
    call_command("login_link", "--member", str(world.a.member.pk))
    out = capsys.readouterr().out
    token = out.split("/accounts/login/link/")[1].split("/")[0]
    assert login_token_redeem(token=token) == world.a.member


def test_login_link_command_rejects_unknown_member(world):
    from django.core.management import CommandError
    with pytest.raises(CommandError, match="member"):
        call_command("login_link", "--member", "999999")


def test_staff_session_is_short(client, world, settings):
    client.post(reverse("login"), {"username": "sec-A", "password": PASSWORD})
    assert client.session.get_expiry_age() <= 24 * 3600


def test_security_headers_on_pages(client, world):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced_on_login_forms(world):
    from django.test import Client
    strict = Client(enforce_csrf_checks=True)
    token, _code = login_token_issue(member=world.a.member, by=world.a.secretary)
    assert strict.post(reverse("member_link_login", args=[token])).status_code == 403
    assert strict.post(reverse("member_code_login"), {"code": "12345678"}).status_code == 403
    assert strict.post(reverse("login"), {"username": "sec-A", "password": PASSWORD}).status_code == 403


def production_env() -> dict:
    """The production-like environment `manage.py check --deploy` is run with (also in CI)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "PYTEST_VERSION", "DJANGO_SETTINGS_MODULE")}
    env.update({"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "yure.example.org",
                "SECURE_HSTS_PRELOAD": "1", "DJANGO_SETTINGS_MODULE": "scheduler_site.settings"})
    return env


def test_check_deploy_passes_with_production_settings():
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=root, env=production_env(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


# ------------------------------------------------------------------ a member's own details

def test_member_sees_own_details_and_the_read_is_audited(client, world):
    client.force_login(world.a.member_user)
    response = client.get(reverse("my_data"))
    body = response.content.decode()
    assert response.status_code == 200 and "A成员甲" in body and "07:00–08:30" in body
    assert "A队友乙" not in body
    assert AuditEntry.objects.filter(action="volunteers.member.sensitive_viewed",
                                     object_id=str(world.a.member.pk)).exists()


def test_member_corrects_phone_and_caregiving_stays(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.a.member_user)
    before = [(w.weekdays, w.start, w.end, w.applies) for w in world.a.member.caregiving.all()]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("my_data"), {"phone": "139 0000 1111", "email": "", "language": "zh-hans"})
    assert response.status_code == 302
    world.a.member.refresh_from_db()
    assert world.a.member.phone == "139 0000 1111"
    assert [(w.weekdays, w.start, w.end, w.applies) for w in world.a.member.caregiving.all()] == before
    assert AuditEntry.objects.filter(action="volunteers.member.self_updated").exists()


def test_member_adds_caregiving_with_pickers(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.a.member_user)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("my_caregiving"), {"weekdays": ["tue", "thu"], "start": "16:00",
                                                          "end": "17:30", "label": "接孙子", "applies": "school_days"})
    assert response.status_code == 302
    assert ("tue,thu", dt.time(16)) in [(w.weekdays, w.start) for w in world.a.member.caregiving.all()]
    assert callbacks  # availability_changed after commit: published weeks get re-planned
    assert AuditEntry.objects.filter(action="volunteers.caregiving.added").exists()


def test_member_bad_caregiving_names_the_field(client, world):
    client.force_login(world.a.member_user)
    response = client.post(reverse("my_caregiving"), {"weekdays": [], "start": "16:00", "end": "15:00"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["weekdays"] and errors["end"]
    assert world.a.member.caregiving.count() == 1


def test_member_removes_caregiving_after_a_confirmation_page(client, world):
    client.force_login(world.a.member_user)
    window = world.a.member.caregiving.get()
    url = reverse("my_caregiving_remove", args=[window.pk])
    assert client.get(url).status_code == 200 and world.a.member.caregiving.exists()
    assert client.post(url).status_code == 302
    assert not world.a.member.caregiving.exists()


def test_member_cannot_remove_anothers_caregiving(client, world):
    other = factories.caregiving(world.b.member)
    client.force_login(world.a.member_user)
    assert client.post(reverse("my_caregiving_remove", args=[other.pk])).status_code == 404
    assert CaregivingWindow.objects.filter(pk=other.pk).exists()


def test_staff_without_member_row_get_404_on_my_data(client, world):
    client.force_login(world.a.secretary)
    assert client.get(reverse("my_data")).status_code == 404


def test_an_overlong_username_is_refused_plainly_and_counts_towards_the_lockout(client, world):
    from axes.models import AccessAttempt

    url = reverse("login")
    stem = "x" * 150
    for n in range(5):  # five guesses that differ only past the 150 characters a username can have
        response = client.post(url, {"username": stem + "y" * (150 + n), "password": "nope"})
        assert response.status_code in (200, 429)
    assert client.post(url, {"username": stem + "z" * 200, "password": "nope"}).status_code == 429
    assert all(len(a.username) <= 150 for a in AccessAttempt.objects.all())

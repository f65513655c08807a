"""The site as a whole: migrations in step with models, the admin works, bad configuration fails clearly."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)


@pytest.mark.django_db
def test_admin_pages_render_for_a_superuser(client, django_user_model):
    call_command("seed_demo", "--communities", "1", "--members-min", "5", "--members-max", "5", "--households", "1")
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw-long-enough-123")
    client.force_login(admin)
    for name in ("volunteers_member", "volunteers_community", "volunteers_visittarget", "shifts_duty",
                 "shifts_shifttemplate", "shifts_shift", "shifts_roster", "volunteers_auditentry"):
        response = client.get(reverse(f"admin:{name}_changelist"))
        assert response.status_code == 200, name
    response = client.get(reverse("admin:volunteers_member_changelist"), {"q": "王", "age_band": "70-74"})
    assert response.status_code == 200
    member = factories.member(factories.community())
    assert client.get(reverse("admin:volunteers_member_change", args=[member.pk])).status_code == 200


@pytest.mark.django_db
def test_admin_shows_a_secretary_only_their_community(client):
    mine, other = factories.community(), factories.community()
    factories.member(mine, name="自己人")
    factories.member(other, name="外人")
    login = factories.secretary(mine)
    login.is_staff = True
    login.save()
    from django.contrib.auth.models import Permission
    login.user_permissions.add(Permission.objects.get(codename="view_member"))
    client.force_login(login)
    body = client.get(reverse("admin:volunteers_member_changelist")).content.decode()
    assert "自己人" in body and "外人" not in body


def run_manage(env_overrides: dict) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PYTEST_VERSION")}
    env.update({"DEBUG": "1"}, **env_overrides)
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("variable, value", [
    ("DATABASE_URL", "postgres://:::not a url"),
    ("DATABASE_URL", "nosuchengine://host/db"),
    ("REDIS_URL", "http://localhost:6379"),
    ("DEBUG", "maybe"),
    ("TIME_ZONE", "Mars/Olympus"),
    ("ROSTER_WEIGHTS", "{fairness: 2}"),
    ("ROSTER_RULES", "[1]"),
    ("STUDY_SESSION_START", "9h"),
    ("SOLVE_STALE_SECONDS", "soon"),
    ("TRUSTED_PROXIES", "127.0.0.1,10.0.0.0/33"),
    ("QUEUE_TIMEOUT_MS", "500"),  # shorter than a worker's 1 s wait for the next task
])
def test_bad_configuration_fails_at_start_up_with_one_line(variable, value):
    result = run_manage({variable: value})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Yure configuration error: " + variable)


def test_missing_secret_key_outside_debug_fails_clearly():
    result = run_manage({"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert result.stderr.strip() == "Yure configuration error: SECRET_KEY: must be set when DEBUG is off"


def test_a_month_and_day_in_chinese_is_not_zero_padded():
    """Django's zh_Hans MONTH_DAY_FORMAT wrote 01月4日 for a January date; people write 1月4日."""
    import datetime as dt

    from django.utils import translation
    from django.utils.formats import date_format

    with translation.override("zh-hans"):
        assert date_format(dt.date(2027, 1, 4), "MONTH_DAY_FORMAT") == "1月4日"
        assert date_format(dt.date(2026, 12, 7), "MONTH_DAY_FORMAT") == "12月7日"
        assert date_format(dt.date(2027, 1, 4), "DATE_FORMAT") == "2027年1月4日"  # Django's own, unchanged

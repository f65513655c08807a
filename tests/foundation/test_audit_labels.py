"""Audit labels: one translated table (volunteers.services.audit.ACTION_LABELS) names every action code the
code records, and the admin's audit list shows those words instead of the code."""

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

import shifts
import volunteers
from tests import factories
from volunteers.services.audit import ACTION_LABELS, action_label, audit_log


def _recorded_actions() -> tuple[set[str], set[str]]:
    """(codes passed literally to audit_log, constant prefixes of codes built with an f-string)."""
    codes, prefixes = set(), set()
    for package in (shifts, volunteers):
        for path in Path(package.__file__).resolve().parent.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "audit_log"):
                    continue
                action = next((k.value for k in node.keywords if k.arg == "action"), None)
                if isinstance(action, ast.Constant):
                    codes.add(action.value)
                elif isinstance(action, ast.JoinedStr) and isinstance(action.values[0], ast.Constant):
                    prefixes.add(action.values[0].value)
    return codes, prefixes


def test_every_recorded_action_has_a_label():
    codes, prefixes = _recorded_actions()
    assert len(codes) > 40  # the scan sees the real calls
    assert sorted(codes - set(ACTION_LABELS)) == []
    assert sorted(p for p in prefixes if not any(code.startswith(p) for code in ACTION_LABELS)) == []


def test_labels_are_translated():
    with translation.override("zh-hans"):
        assert action_label("shifts.roster.published") == "排班表已发布"
        untranslated = [code for code, label in ACTION_LABELS.items()
                        if not any("\u4e00" <= ch <= "\u9fff" for ch in str(label))]
    assert untranslated == []
    assert action_label("some.unknown.code") == "some.unknown.code"


@pytest.mark.django_db
def test_the_admin_audit_list_shows_the_label(client, django_user_model):
    community = factories.community()
    audit_log(action="volunteers.absence.reported", community=community)
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.org", "pw-long-enough-123"))
    with translation.override("zh-hans"):
        expected = action_label("volunteers.absence.reported")
    response = client.get(reverse("admin:volunteers_auditentry_changelist"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert expected in response.content.decode()

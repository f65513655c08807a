"""Retention: deactivating or deleting keeps roster history; anonymisation after the configured time."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from shifts.models import Assignment
from tests import factories
from volunteers.models import AuditEntry, CaregivingWindow, Member, MemberLoginToken
from volunteers.services.logins import login_token_issue, login_token_redeem
from volunteers.services.retention import (
    member_anonymise,
    member_deactivate,
    member_delete,
    members_due_for_anonymisation,
    retention_run,
)


def _age(member, days):
    Member.objects.filter(pk=member.pk).update(updated_at=timezone.now() - dt.timedelta(days=days))


def test_deactivate_keeps_history_and_revokes_links(world, django_capture_on_commit_callbacks):
    token, _code = login_token_issue(member=world.a.member, by=world.a.secretary)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        member_deactivate(member=world.a.member, by=world.a.secretary, reason="moved away")
    assert callbacks  # availability_changed announced after commit
    # Past shifts would stay as history; the published shift ahead is withdrawn at once, so nobody counts on her.
    assert not Assignment.objects.filter(member=world.a.member, roster__status="published").exists()
    assert AuditEntry.objects.filter(action="shifts.assignment.withdrawn", data__member=world.a.member.pk).exists()
    assert login_token_redeem(token=token) is None
    assert AuditEntry.objects.filter(action="volunteers.member.deactivated", reason="moved away").exists()


def test_delete_without_history_removes_the_row(world):
    newcomer = factories.member(world.a.community, name="新人")
    assert member_delete(member=newcomer, by=world.a.secretary) is None
    assert not Member.objects.filter(pk=newcomer.pk).exists()


def test_delete_with_history_keeps_roster_and_removes_login(world):
    user_id = world.a.member.user_id
    kept = member_delete(member=world.a.member, by=world.a.secretary)
    assert kept is not None and not kept.active and kept.user_id is None
    from django.contrib.auth import get_user_model
    assert not get_user_model().objects.filter(pk=user_id).exists()
    assert Assignment.objects.filter(member=world.a.member).count() == 2  # the re-plan runs after commit
    assert kept.name == "A成员甲"  # anonymised later, not at once
    assert members_due_for_anonymisation() == []


def test_anonymise_removes_personal_data_but_keeps_assignments(world):
    member = world.a.member
    member.usual_households.add(world.a.target)
    login_token_issue(member=member, by=world.a.secretary)
    feed_version = member.feed_version
    member_anonymise(member=member)
    member.refresh_from_db()
    assert member.name == f"已匿名 #{member.pk}" and member.phone == "" and member.email == ""
    assert member.birth_date == dt.date(1900, 1, 1) and member.health == "good"
    assert member.anonymised_at is not None and member.feed_version == feed_version + 1
    assert member.user_id is None and not member.active
    assert not CaregivingWindow.objects.filter(member=member).exists()
    assert not MemberLoginToken.objects.filter(member=member).exists()
    assert member.skills.count() == 0 and member.usual_households.count() == 0
    assert Assignment.objects.filter(member=member).count() == 2


def test_due_only_after_the_configured_time(world, settings):
    settings.ANONYMISE_AFTER_DAYS = 30
    member_deactivate(member=world.a.member)
    assert members_due_for_anonymisation() == []
    _age(world.a.member, 29)
    assert members_due_for_anonymisation() == []
    _age(world.a.member, 31)
    assert members_due_for_anonymisation() == [world.a.member]
    _age(world.a.mate, 400)  # active members are never due however old their row
    assert retention_run() == 1
    assert retention_run() == 0  # idempotent
    world.a.member.refresh_from_db()
    world.a.mate.refresh_from_db()
    assert world.a.member.anonymised_at is not None and world.a.mate.anonymised_at is None


def test_command_dry_run_and_run(world, capsys):
    member_deactivate(member=world.b.member)
    _age(world.b.member, 10)
    call_command("anonymise_members", "--after-days", "5", "--dry-run")
    assert "1 member(s) due" in capsys.readouterr().out
    world.b.member.refresh_from_db()
    assert world.b.member.anonymised_at is None
    call_command("anonymise_members", "--after-days", "5")
    assert "anonymised 1" in capsys.readouterr().out
    world.b.member.refresh_from_db()
    assert world.b.member.anonymised_at is not None


def test_command_rejects_bad_days(world):
    from django.core.management import CommandError
    with pytest.raises(CommandError, match="after-days"):
        call_command("anonymise_members", "--after-days", "0")


def test_anonymised_members_are_not_matched_by_import(world, skills):
    from tests.trust.test_imports import HEADER, xlsx
    from volunteers.services.import_plan import member_import_plan
    phone, birth = str(world.a.member.phone), world.a.member.birth_date
    member_anonymise(member=world.a.member)
    plan = member_import_plan(user=world.a.secretary, community=world.a.community,
                              data=xlsx([HEADER, ["A成员甲", phone, birth.isoformat(), "良好", "", "", ""]]))
    assert plan.count("create") == 1

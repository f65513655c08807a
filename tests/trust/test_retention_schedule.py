"""Retention runs by itself every day: the schedule exists and its task does the work."""

import datetime as dt

import pytest
from django.utils import timezone
from django_q.models import Schedule

from tests import factories
from volunteers.models import Member, MemberLoginToken
from volunteers.tasks import retention_daily

pytestmark = pytest.mark.django_db


def test_the_migration_schedules_retention_daily():
    schedule = Schedule.objects.get(name="yure.retention")
    assert schedule.func == "volunteers.tasks.retention_daily"
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1


def test_the_daily_task_anonymises_due_members_once(settings):
    settings.ANONYMISE_AFTER_DAYS = 30
    long_gone = factories.member(factories.community(), name="早已退出", active=False)
    Member.objects.filter(pk=long_gone.pk).update(updated_at=timezone.now() - dt.timedelta(days=40))
    still_here = factories.member(long_gone.community, name="还在")
    now = timezone.now()
    MemberLoginToken.objects.create(member=still_here, token_hash="a" * 64, expires_at=now - dt.timedelta(days=40))
    fresh = MemberLoginToken.objects.create(member=still_here, token_hash="b" * 64,
                                            expires_at=now + dt.timedelta(days=2))
    first = retention_daily()
    assert first["anonymised"] == 1
    long_gone.refresh_from_db()
    assert long_gone.anonymised_at is not None and long_gone.name != "早已退出"
    assert Member.objects.get(pk=still_here.pk).name == "还在"
    assert list(MemberLoginToken.objects.all()) == [fresh]  # the spent link is purged, the live one kept
    assert retention_daily() == {"anonymised": 0, "purged": 0, "imports": 0}

"""The re-plan found nobody: where shifts.roster.replan_unchanged is written for a published week with a short
shift, the secretary is messaged at once, saying which shift is short and that a call-down started (within
COVER_CALL_HOURS) or only that it is short (further ahead). Real solve, run by the queue's code path."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import CoverCall, Notification
from shifts.rostering.absences import absence_report
from tests import factories as f
from volunteers.models import AuditEntry

from .cover_helpers import build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cover_on")]


def _replan_nobody(run_on_commit, days_ahead: int):
    week = build(members=2, min_staff=2, on_shift=2)
    if days_ahead > 1:
        later = week.shift.start + dt.timedelta(days=days_ahead - 1)
        week.shift.start, week.shift.end = later, later + dt.timedelta(hours=2)
        week.shift.save()
        week.week_start = None
        from shifts.weeks import week_start_of
        f.published_roster(week.community, week_start_of(timezone.localtime(later).date()),
                           {week.shift: week.members[:2]}, override_reason="人手不足")
    gone = week.members[0]
    run_on_commit(absence_report, member=gone, start=week.shift.start, end=week.shift.end, reason="illness")
    assert AuditEntry.objects.filter(action="shifts.roster.replan_unchanged").exists()
    return week


def test_the_re_plan_found_nobody_messages_the_secretary_and_a_call_down_starts(run_on_commit):
    week = _replan_nobody(run_on_commit, 1)
    [note] = Notification.objects.filter(kind="cover_replan_short")
    assert note.user == week.secretary and note.urgent and note.status == Notification.Status.SENT
    assert "巡逻" in note.body and "已开始找人接班" in note.body
    call = CoverCall.objects.get(shift=week.shift)
    assert call.cause == CoverCall.Cause.ILL
    # nobody else serves this community: the secretary also hears that nobody is left to ask
    assert Notification.objects.filter(kind="cover_exhausted", user=week.secretary).exists()
    assert "生病" not in note.body  # health stays out of messages


def test_further_ahead_the_message_says_it_is_short_and_no_one_is_asked_yet(run_on_commit):
    week = _replan_nobody(run_on_commit, 4)
    [note] = Notification.objects.filter(kind="cover_replan_short")
    assert "暂未询问" in note.body
    assert not CoverCall.objects.filter(shift=week.shift).exists()

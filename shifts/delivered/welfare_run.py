"""The welfare ladder's periodic check (schedule yure.welfare_ladder, every minute): flag no-shows, start a ladder
for each new no-show and each patrol member not checked out PATROL_OVERDUE_MINUTES after the round, and take every
due step. Set-based throughout: a handful of queries whatever the number of shifts; only the calls that go out cost
a row each (their message jobs). Idempotent: ladders are unique per shift, member and trigger."""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from shifts.delivered.no_show import LOOK_BACK, no_show_checks_run
from shifts.delivered.welfare_ladder import first_step_at, welfare_ladders_advance
from shifts.models import Attendance, NoShowCheck, WelfareLadder

logger = logging.getLogger(__name__)


def welfare_ladders_run(now: dt.datetime | None = None) -> dict:
    """One pass of the periodic check; returns what it did (for the task's result and the benchmark)."""
    now = now or timezone.now()
    flagged = no_show_checks_run(now=now)
    started = ladders_for_no_shows(now) + ladders_for_overdue_patrols(now)
    calls, unreachable = welfare_ladders_advance(now)
    return {"no_shows": flagged, "started": started, "calls": calls, "unreachable": unreachable}


def _start(rows: list[WelfareLadder], now: dt.datetime) -> int:
    for row in rows:
        row.next_at = max(first_step_at(row.due_at), now)
    with transaction.atomic():
        WelfareLadder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def ladders_for_no_shows(now: dt.datetime) -> int:
    """A ladder for each recent no-show check nobody has answered and no ladder follows yet."""
    after = dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    checks = (NoShowCheck.objects.filter(outcome="", ladder__isnull=True, shift__start__gt=now - LOOK_BACK,
                                         shift__start__lte=now - after)
              .values_list("pk", "shift_id", "member_id", "shift__start"))
    return _start([WelfareLadder(shift_id=shift_id, member_id=member_id, trigger=WelfareLadder.Trigger.NO_SHOW,
                                 no_show_id=pk, due_at=start + after)
                   for pk, shift_id, member_id, start in checks], now)


def ladders_for_overdue_patrols(now: dt.datetime) -> int:
    """A ladder for each member of a patrol who checked in and has not checked out PATROL_OVERDUE_MINUTES after
    the round's end (the team leader checking the team out answers for everyone)."""
    overdue = dt.timedelta(minutes=settings.PATROL_OVERDUE_MINUTES)
    rows = (Attendance.objects.filter(shift__duty__code=settings.PATROL_DUTY_CODE, check_in__isnull=False,
                                      check_out__isnull=True, shift__end__lte=now - overdue,
                                      shift__end__gt=now - LOOK_BACK)
            .exclude(Exists(WelfareLadder.objects.filter(shift_id=OuterRef("shift_id"), member_id=OuterRef("member_id"),
                                                         trigger=WelfareLadder.Trigger.OVERDUE)))
            .values_list("shift_id", "member_id", "shift__end"))
    return _start([WelfareLadder(shift_id=shift_id, member_id=member_id, trigger=WelfareLadder.Trigger.OVERDUE,
                                 due_at=end + overdue) for shift_id, member_id, end in rows], now)


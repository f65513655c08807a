"""Where a call-down starts by itself, besides the periodic job: where the re-plan's outcome is known.

    cover_after_withdraw  shifts.rostering.follow: a member was taken off published shifts (an absence, a no-show
                          "ill", a member no longer active) of a community whose re-plans wait for the
                          secretary's approval (or no re-plan could be queued): time counts, the call-down starts
                          at once; where re-plans apply directly, the re-plan's outcome decides (below)
    cover_after_replan    shifts.rostering.solving: the re-plan of a published week found nobody
                          (shifts.roster.replan_unchanged); the secretary is messaged at once, saying which
                          shifts are short and for which a call-down started (outside COVER_CALL_HOURS: only
                          that it is short)

Both run after the fact committed, write rows and queue messages; an error is logged, never raised to the
caller (the absence or the solve already happened)."""

import logging

from django.db import transaction
from django.utils import timezone

from shifts.messaging.jobs import message_job_queue
from shifts.models import CoverCall, Roster, SolveRun
from shifts.rostering.cover.calldown import TASKS, cause_of, cover_call_start, cover_shifts_start
from shifts.rostering.problem import unrostered_duty_codes
from shifts.weeks import week_bounds

logger = logging.getLogger(__name__)


def cover_after_withdraw(*, shift_ids, reason: str = "", active: bool = True) -> list[CoverCall]:
    try:
        return cover_shifts_start(shift_ids=shift_ids, cause=cause_of(reason, active=active))
    except Exception:
        logger.exception("could not start call-downs for shifts %s", sorted(shift_ids))
        return []


def cover_after_replan(roster_id: int, run_id: int) -> list[int]:
    """The re-plan of the published roster `roster_id` (run `run_id`) changed nothing: start call-downs for its
    short shifts within the window and message the secretary. Returns the shifts found short."""
    try:
        with transaction.atomic():
            return _after_replan(roster_id, run_id)
    except Exception:
        logger.exception("cover after re-plan %s: failed", run_id)
        return []


def _after_replan(roster_id: int, run_id: int) -> list[int]:
    roster = Roster.objects.select_related("community").filter(pk=roster_id).first()
    run = SolveRun.objects.filter(pk=run_id).first()
    if roster is None or roster.status != Roster.Status.PUBLISHED:
        return []
    now = timezone.now()
    start, end = week_bounds(roster.week_start)
    staffed = {}
    for shift_id in roster.assignments.values_list("shift_id", flat=True):
        staffed[shift_id] = staffed.get(shift_id, 0) + 1
    shifts = (roster.community.shifts.filter(start__gte=max(start, now), start__lt=end, min_staff__gt=0)
              .exclude(duty__code__in=unrostered_duty_codes()).select_related("community", "duty"))
    short = [s for s in shifts if staffed.get(s.pk, 0) < s.min_staff]
    if not short:
        return []
    cause = cause_of((run.cause or {}).get("reason", "") if run else "")
    started = [s.pk for s in short if cover_call_start(shift=s, cause=cause, now=now) is not None]
    message_job_queue(task=TASKS + "cover_replan_short_send",
                      args=[roster.pk, run_id, started, [s.pk for s in short if s.pk not in started]],
                      key=f"cover:replan-short:{run_id}")
    return [s.pk for s in short]

"""Starting a call-down for a short published shift, asking in waves, telling the secretary, stopping it.

A call-down is one CoverCall row per short shift (one open at a time: a partial unique constraint). Every step
takes the call's row lock and re-checks its state, so the periodic job, a hook and an answer racing each other
change it once. Nothing here sends a message itself: each message is a MessageJob (shifts.messaging.jobs)
committed with the step and sent from the queue (shifts.rostering.cover.notices).

    started    cover_call_start: by the re-plan's outcome (shifts.rostering.follow, solving), or the periodic job
               for any published shift short within COVER_CALL_HOURS of its start
    asked      cover_call_advance: the next COVER_WAVE_SIZE best candidates, when the last wave was asked
               COVER_WAVE_MINUTES ago or everyone asked has answered
    exhausted  nobody is left to ask and nobody asked is still to answer: the secretary is messaged (a late yes
               still books)
    reasked    an exhausted call-down ranks again on each tick; when someone never asked can take the shift now,
               it is open again (rounds + 1), the secretary hears "asking again" and they are asked
    soon       the shift starts within COVER_ALERT_HOURS and is unfilled: the secretary is messaged once
    filled     enough people said yes (shifts.rostering.cover.answers), or the shift is no longer short
    stopped    the secretary stopped it;  lapsed: the shift began unfilled
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.messaging.jobs import message_job_queue
from shifts.models import CoverAsk, CoverCall, Roster, Shift
from shifts.rostering.cover.ranking import already_asked, cover_rank
from shifts.rostering.problem import unrostered_duty_codes
from shifts.rostering.selectors import roster_for_week
from shifts.weeks import week_start_of
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

LIVE = (CoverCall.State.OPEN, CoverCall.State.EXHAUSTED)  # a yes still books
TASKS = "shifts.tasks."


def window(now: dt.datetime | None = None) -> tuple[dt.datetime, dt.datetime]:
    now = now or timezone.now()
    return now, now + dt.timedelta(hours=settings.COVER_CALL_HOURS)


def published_roster(shift: Shift) -> Roster | None:
    return roster_for_week(shift.community, week_start_of(timezone.localtime(shift.start).date()),
                           Roster.Status.PUBLISHED)


def places_short(shift: Shift, roster: Roster | None = None) -> int:
    """How many people the shift lacks on its week's published roster (0 without a published roster)."""
    roster = roster or published_roster(shift)
    if roster is None:
        return 0
    return max(shift.min_staff - roster.assignments.filter(shift=shift).count(), 0)


def short_shifts(*, now: dt.datetime | None = None, community_ids=None, shift_ids=None) -> list[Shift]:
    """Published rostered shifts starting within the window that lack people (a few queries for any number)."""
    start, end = window(now)
    rows = (Shift.objects.filter(start__gt=start, start__lte=end, min_staff__gt=0)
            .exclude(duty__code__in=unrostered_duty_codes())
            .annotate(staffed=Count("assignments", filter=Q(assignments__roster__status=Roster.Status.PUBLISHED))))
    if community_ids is not None:
        rows = rows.filter(community_id__in=community_ids)
    if shift_ids is not None:
        rows = rows.filter(pk__in=shift_ids)
    rows = [s for s in rows.select_related("community", "duty") if s.staffed < s.min_staff]
    published = set(Roster.objects.filter(status=Roster.Status.PUBLISHED,
                                          community_id__in={s.community_id for s in rows})
                    .values_list("community_id", "week_start"))
    return [s for s in rows if (s.community_id, week_start_of(timezone.localtime(s.start).date())) in published]


def cover_call_start(*, shift: Shift, cause: str = CoverCall.Cause.SHORT, now: dt.datetime | None = None,
                     restart: bool = True) -> CoverCall | None:
    """Start a call-down for a published shift that is short and starts within COVER_CALL_HOURS; idempotent (the
    open one is returned). `restart` False: not for a shift whose call-down the secretary stopped. The first
    wave is asked from the queue, once this commits."""
    now = now or timezone.now()
    start, end = window(now)
    if not start < shift.start <= end or places_short(shift) == 0:
        return None
    live = CoverCall.objects.filter(shift=shift, state__in=LIVE).first()
    if live is not None:
        return live
    if not restart and CoverCall.objects.filter(shift=shift, state=CoverCall.State.STOPPED).exists():
        return None
    try:
        with transaction.atomic():
            call = CoverCall.objects.create(shift=shift, community_id=shift.community_id, cause=cause,
                                            started_at=now, next_wave_at=now)
    except IntegrityError:  # started at the same moment by another entrance
        return CoverCall.objects.filter(shift=shift, state__in=LIVE).first()
    audit_log(action="shifts.cover.started", community=shift.community, obj=call,
              data={"shift": shift.pk, "cause": cause, "short": places_short(shift)})
    message_job_queue(task=TASKS + "cover_call_advance", args=[call.pk], key=f"cover:{call.pk}:advance:0")
    logger.info("cover call-down %s started for shift %s (%s)", call.pk, shift.pk, cause)
    return call


def cover_shifts_start(*, shift_ids, cause: str = CoverCall.Cause.SHORT, now=None) -> list[CoverCall]:
    """Start call-downs for those of these shifts that are short within the window."""
    return [c for c in (cover_call_start(shift=s, cause=cause, now=now)
                        for s in short_shifts(now=now, shift_ids=set(shift_ids))) if c is not None]


def _close(call: CoverCall, state: str, now) -> None:
    call.state, call.closed_at, call.next_wave_at = state, now, None
    call.save(update_fields=["state", "closed_at", "next_wave_at"])


def cover_call_advance(*, call_id: int, now: dt.datetime | None = None) -> int:
    """One step of an open call-down (under its row lock): close it if the shift began or is no longer short,
    message the secretary if it starts soon unfilled, ask the next wave when it is due, or say nobody is left.
    Returns how many members it asked. Safe to run twice and at any time."""
    now = now or timezone.now()
    with transaction.atomic():
        call = (CoverCall.objects.select_for_update(of=("self",)).select_related("shift__community", "shift__duty")
                .filter(pk=call_id, state__in=LIVE).first())
        if call is None:
            return 0
        shift = call.shift
        if shift.start <= now:
            _close(call, CoverCall.State.LAPSED, now)
            audit_log(action="shifts.cover.lapsed", community=shift.community, obj=call, data={"shift": shift.pk})
            return 0
        roster = published_roster(shift)
        if places_short(shift, roster) == 0:
            _close(call, CoverCall.State.FILLED, now)
            audit_log(action="shifts.cover.filled", community=shift.community, obj=call,
                      data={"shift": shift.pk, "by": "roster"})
            return 0
        if not call.soon_alerted and shift.start - now <= dt.timedelta(hours=settings.COVER_ALERT_HOURS):
            call.soon_alerted = True
            call.save(update_fields=["soon_alerted"])
            audit_log(action="shifts.cover.soon", community=shift.community, obj=call, data={"shift": shift.pk})
            message_job_queue(task=TASKS + "cover_staff_send", args=[call.pk, "cover_soon"],
                              key=f"cover:{call.pk}:soon")
        if call.state == CoverCall.State.EXHAUSTED:
            return _ask_again(call, roster, now)
        waiting = call.asks.filter(answer=CoverAsk.Answer.WAITING).exists()
        if call.waves and waiting and call.next_wave_at and now < call.next_wave_at:
            return 0
        ranked = cover_rank(roster=roster, shift=shift, skip=already_asked(call))[:settings.COVER_WAVE_SIZE]
        if not ranked:
            if waiting and call.next_wave_at and now < call.next_wave_at:
                return 0
            _exhaust(call)
            return 0
        return _ask_wave(call, ranked, now)


def _exhaust(call: CoverCall) -> None:
    """Nobody is left to ask: tell the secretary (each round once; a late yes still books)."""
    call.state, call.next_wave_at = CoverCall.State.EXHAUSTED, None
    call.save(update_fields=["state", "next_wave_at"])
    audit_log(action="shifts.cover.exhausted", community=call.shift.community, obj=call,
              data={"shift": call.shift_id, "asked": call.asks.count(), "round": call.rounds})
    message_job_queue(task=TASKS + "cover_staff_send", args=[call.pk, "cover_exhausted", call.rounds],
                      key=_round_key(call, "exhausted"))


def _ask_again(call: CoverCall, roster: Roster, now) -> int:
    """An exhausted call-down ranks again on each tick: someone who could not take the shift before may now
    (an absence ended, a member joined, a load dropped). Only members never asked on this call-down."""
    ranked = cover_rank(roster=roster, shift=call.shift, skip=already_asked(call))[:settings.COVER_WAVE_SIZE]
    if not ranked:
        return 0
    call.state, call.rounds = CoverCall.State.OPEN, call.rounds + 1
    call.save(update_fields=["state", "rounds"])
    audit_log(action="shifts.cover.reasked", community=call.shift.community, obj=call,
              data={"shift": call.shift_id, "round": call.rounds, "members": [r.member.pk for r in ranked]})
    message_job_queue(task=TASKS + "cover_staff_send", args=[call.pk, "cover_reasked", call.rounds, len(ranked)],
                      key=_round_key(call, "reasked"))
    return _ask_wave(call, ranked, now)


def _round_key(call: CoverCall, what: str) -> str:
    # the first round keeps the key it always had, so a job queued before an upgrade is not sent twice
    return f"cover:{call.pk}:{what}" + (f":r{call.rounds}" if call.rounds else "")


def _ask_wave(call: CoverCall, ranked, now) -> int:
    """Ask the next wave: one CoverAsk each (one per member per call-down: a unique constraint) and a message
    job each, committed with the step."""
    call.waves += 1
    call.next_wave_at = now + dt.timedelta(minutes=settings.COVER_WAVE_MINUTES)
    call.save(update_fields=["waves", "next_wave_at"])
    base = call.asks.count()
    asks = CoverAsk.objects.bulk_create([CoverAsk(call=call, member=r.member, wave=call.waves, rank=base + i,
                                                  asked_at=now) for i, r in enumerate(ranked)])
    audit_log(action="shifts.cover.asked", community=call.shift.community, obj=call,
              data={"shift": call.shift_id, "wave": call.waves, "members": [r.member.pk for r in ranked]})
    for ask in CoverAsk.objects.filter(call=call, wave=call.waves):
        message_job_queue(task=TASKS + "cover_ask_send", args=[ask.pk], key=f"cover:ask:{ask.pk}")
    return len(asks)


def cover_calls_run(*, now: dt.datetime | None = None) -> dict:
    """The periodic job: start call-downs for short shifts in the window that have none (not one the secretary
    stopped), then advance every live call-down. Idempotent."""
    now = now or timezone.now()
    started = 0
    for shift in short_shifts(now=now):
        if not CoverCall.objects.filter(shift=shift, state__in=(*LIVE, CoverCall.State.STOPPED)).exists():
            started += cover_call_start(shift=shift, now=now, restart=False) is not None
    asked = 0
    for pk in CoverCall.objects.filter(state__in=LIVE).values_list("pk", flat=True):
        try:
            asked += cover_call_advance(call_id=pk, now=now)
        except Exception:  # one call-down's failure must not stop the others
            logger.exception("cover call-down %s could not advance", pk)
    return {"started": started, "asked": asked}


def cover_call_stop(*, call: CoverCall, by, now: dt.datetime | None = None) -> CoverCall:
    """The secretary stops a call-down: nobody more is asked, and a yes after this is told it is no longer
    needed. The periodic job does not start another for the shift."""
    now = now or timezone.now()
    with transaction.atomic():
        call = CoverCall.objects.select_for_update(of=("self",)).select_related("community").get(pk=call.pk)
        if call.state not in LIVE:
            raise ValidationError(_("This call-down has already ended."))
        _close(call, CoverCall.State.STOPPED, now)
        call.stopped_by = by if getattr(by, "is_authenticated", False) else None
        call.save(update_fields=["stopped_by"])
        audit_log(action="shifts.cover.stopped", actor=by, community=call.community, obj=call,
                  data={"shift": call.shift_id})
    return call


def cause_of(reason: str, *, active: bool = True) -> str:
    """The call-down's cause for an availability change (shifts.rostering.follow)."""
    if not active or reason == "inactive":
        return CoverCall.Cause.REMOVED
    if reason in ("illness", "hospital"):
        return CoverCall.Cause.ILL
    return CoverCall.Cause.ABSENCE

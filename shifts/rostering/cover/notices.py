"""The call-down's messages, sent from the queue (shifts.tasks) once the step that owes them committed. Each is
deduplicated on its key, so a retried task never sends twice. No health, caregiving or address goes in them:
an ask names a home visit only as 入户探访 (the member is not its visitor yet)."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff
from shifts.models import CoverAsk, CoverCall, Roster, Shift
from shifts.rostering.cover.answers import ask_token
from shifts.weeks import week_start_of

logger = logging.getLogger(__name__)


def ask_link(ask: CoverAsk) -> str:
    return f"{settings.SITE_URL}{reverse('cover_answer', args=[ask_token(ask)])}"


def week_path(shift: Shift) -> str:
    week = week_start_of(timezone.localtime(shift.start).date())
    return reverse("roster_week", args=[shift.community_id, week.isoformat()]) + f"#shift-{shift.pk}"


def cover_ask_send(*, ask_id: int) -> None:
    """Ask one member, by their channel (notify_member: text message, e-mail; the voice branch places a call)."""
    ask = CoverAsk.objects.select_related("member", "call__shift__duty", "call__shift__community").get(pk=ask_id)
    if (ask.call.state not in (CoverCall.State.OPEN, CoverCall.State.EXHAUSTED) or ask.answer
            or ask.call.shift.start <= timezone.now()):
        return  # taken, stopped or begun before the queue got to it: nobody is asked for nothing
    notify_member(member=ask.member, kind="cover_ask", dedupe_key=f"cover-ask:{ask.pk}", urgent=True,
                  context={"shift": shift_line(ask.call.shift), "link": ask_link(ask), "ask_id": ask.pk,
                           "call_id": ask.call_id})


def cover_taken_send(*, call_id: int) -> int:
    """已有人接了，谢谢: to everyone asked who did not say no, except who took it."""
    call = CoverCall.objects.select_related("shift__duty", "shift__community").get(pk=call_id)
    told = 0
    asks = (call.asks.exclude(answer__in=[CoverAsk.Answer.YES, CoverAsk.Answer.NO, CoverAsk.Answer.OPT_OUT])
            .exclude(member_id=call.filled_by_id).select_related("member"))
    for ask in asks:
        notify_member(member=ask.member, kind="cover_taken", dedupe_key=f"cover-taken:{ask.pk}",
                      context={"shift": shift_line(call.shift)})
        told += 1
    return told


def cover_staff_send(*, call_id: int, kind: str, round_no: int = 0, new: int = 0) -> None:
    """cover_exhausted (nobody left to ask), cover_reasked (someone new can take it: asking again, `new` of
    them) or cover_soon (starts within COVER_ALERT_HOURS unfilled). Each round of a call-down that asked again
    (`round_no`) has its own messages."""
    call = CoverCall.objects.select_related("shift__duty", "shift__community").get(pk=call_id)
    asks = list(call.asks.values_list("answer", flat=True))
    key = f"{kind}:{call.pk}" + (f":r{round_no}" if round_no else "")
    notify_staff(community=call.shift.community, kind=kind, dedupe_key=key, urgent=True,
                 context={"shift": shift_line(call.shift, private=True), "asked": len(asks), "new": new,
                          "declined": sum(1 for a in asks if a in (CoverAsk.Answer.NO, CoverAsk.Answer.OPT_OUT)),
                          "unanswered": sum(1 for a in asks if a == CoverAsk.Answer.WAITING),
                          "hours": settings.COVER_ALERT_HOURS, "path": week_path(call.shift)})


def cover_replan_short_send(*, roster_id: int, run_id: int, started: list[int], short: list[int]) -> None:
    """The re-plan found nobody: which shifts are short, and for which a call-down started."""
    roster = Roster.objects.select_related("community").get(pk=roster_id)
    shifts = sorted(Shift.objects.filter(pk__in=set(started) | set(short)).select_related("duty", "community"),
                    key=lambda s: (s.start, s.pk))
    rows = [{"shift": shift_line(s, private=True), "calling": s.pk in started} for s in shifts]
    if not rows:
        return
    notify_staff(community=roster.community, kind="cover_replan_short", dedupe_key=f"replan-short:{run_id}",
                 urgent=True, context={"week_start": roster.week_start, "shifts": rows,
                                       "calling": sum(1 for r in rows if r["calling"]),
                                       "window_hours": settings.COVER_CALL_HOURS,
                                       "path": week_path(shifts[0])})

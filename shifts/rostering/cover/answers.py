"""A member's answer to a cover ask (the link in the message, or key 1 on a voice call): the first yes wins.

Race-safe: every answer takes the call-down's row lock first (then the ask's), and re-checks under it that the
call-down is live, the shift still short and not begun, and that the member still keeps every rule for the shift
(shifts.rostering.review.assignment_rule_violations, the one rule). The winner is booked by republishing the
week (roster_publish on a copy of the published version with the winner added): the version rises, calendars
take the shift (SEQUENCE), feeds get assignments_changed, the winner is asked to confirm and teammates hear
their partner changed (shifts.rostering.messages). The others asked are told "已有人接了，谢谢" from the queue.
"""

import datetime as dt
import logging

from django.core import signing
from django.db import transaction
from django.utils import timezone

from shifts.messaging.jobs import message_job_queue
from shifts.models import Assignment, CoverAsk, CoverCall, CoverOptOut, Roster
from shifts.rostering.cover.calldown import LIVE, TASKS, places_short, published_roster
from shifts.rostering.review import assignment_rule_violations
from shifts.rostering.rosters import PublishConflicts, roster_publish
from shifts.weeks import week_start_of
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

_SALT = "yure.shifts.cover_ask"

YES, NO, OPT_OUT = CoverAsk.Answer.YES, CoverAsk.Answer.NO, CoverAsk.Answer.OPT_OUT

# What an answer came to (the page and the voice branch say it in words).
BOOKED = "booked"  # you took it
TAKEN = "taken"  # someone else took it first (or it is no longer needed)
DECLINED = "declined"  # noted: not this time / not this week
CANNOT = "cannot"  # a rule stops it now (another shift at the time, an absence recorded since)
CLOSED = "closed"  # the secretary stopped the call-down, or the shift has begun


def ask_token(ask: CoverAsk) -> str:
    return signing.Signer(salt=_SALT).sign(f"{ask.pk}.{ask.member_id}")


def ask_by_token(token: str) -> CoverAsk | None:
    """The ask a link is for, if its signature is right (member and ask both signed)."""
    try:
        pk, member_pk = signing.Signer(salt=_SALT).unsign(token).split(".", 1)
        pk, member_pk = int(pk), int(member_pk)
    except (signing.BadSignature, ValueError):
        return None
    return (CoverAsk.objects.select_related("call__shift__duty", "call__shift__community", "member")
            .filter(pk=pk, member_id=member_pk).first())


def cover_answer(*, ask: CoverAsk, answer: str, via: str = "link", now: dt.datetime | None = None) -> str:
    """Record a member's answer; returns BOOKED, TAKEN, CLOSED, DECLINED or CANNOT. Idempotent: a second yes of the
    winner is BOOKED again, a yes after another's is TAKEN (and the page says 已有人接了)."""
    if answer not in (YES, NO, OPT_OUT):
        raise ValueError(f"cover answer: {answer!r}")
    now = now or timezone.now()
    with transaction.atomic():
        call = (CoverCall.objects.select_for_update(of=("self",)).select_related("shift__community", "shift__duty")
                .get(pk=ask.call_id))
        ask = CoverAsk.objects.select_for_update(of=("self",)).select_related("member").get(pk=ask.pk)
        shift = call.shift
        if ask.answer == YES:
            return BOOKED if call.filled_by_id == ask.member_id or _on_shift(call, ask.member_id) else TAKEN
        if answer != YES:
            return _decline(call, ask, answer, via, now)
        if call.state not in LIVE or shift.start <= now:
            return _late(call, ask, now)
        roster = published_roster(shift)
        if roster is None or places_short(shift, roster) == 0:
            return _late(call, ask, now)
        member = ask.member
        violations = (["inactive"] if not member.active else
                      assignment_rule_violations(roster=roster, shift=shift, member=member))
        if violations or _on_shift(call, member.pk):
            ask.answer, ask.answered_at = NO, now
            ask.save(update_fields=["answer", "answered_at"])
            audit_log(action="shifts.cover.declined", community=shift.community, obj=call,
                      data={"shift": shift.pk, "member": member.pk, "via": via, "rules": violations})
            return CANNOT
        _book(call, roster, member)
        ask.answer, ask.answered_at = YES, now
        ask.save(update_fields=["answer", "answered_at"])
        still_short = places_short(shift) > 0
        if not still_short:
            call.state, call.closed_at, call.next_wave_at = CoverCall.State.FILLED, now, None
        call.filled_by = member
        call.save(update_fields=["state", "closed_at", "next_wave_at", "filled_by"])
        audit_log(action="shifts.cover.taken", community=shift.community, obj=call,
                  data={"shift": shift.pk, "member": member.pk, "via": via, "filled": not still_short})
        if not still_short:
            message_job_queue(task=TASKS + "cover_taken_send", args=[call.pk], key=f"cover:{call.pk}:taken")
    return BOOKED


def _on_shift(call: CoverCall, member_id: int) -> bool:
    return Assignment.objects.filter(shift_id=call.shift_id, member_id=member_id,
                                     roster__status=Roster.Status.PUBLISHED).exists()


def _decline(call, ask, answer, via, now) -> str:
    if ask.answer in (NO, OPT_OUT) and answer == ask.answer:
        return DECLINED
    ask.answer, ask.answered_at = answer, now
    ask.save(update_fields=["answer", "answered_at"])
    if answer == OPT_OUT:
        CoverOptOut.objects.get_or_create(member_id=ask.member_id,
                                          week_start=week_start_of(timezone.localtime(call.shift.start).date()))
    audit_log(action="shifts.cover.declined", community=call.shift.community, obj=call,
              data={"shift": call.shift_id, "member": ask.member_id, "via": via, "answer": answer})
    if call.state == CoverCall.State.OPEN and not call.asks.filter(answer=CoverAsk.Answer.WAITING).exists():
        # everyone asked so far said no: the next wave need not wait for its time
        message_job_queue(task=TASKS + "cover_call_advance", args=[call.pk],
                          key=f"cover:{call.pk}:advance:{ask.pk}")
    return DECLINED


def _late(call, ask, now) -> str:
    if ask.answer == CoverAsk.Answer.WAITING:
        ask.answer, ask.answered_at = CoverAsk.Answer.LATE, now
        ask.save(update_fields=["answer", "answered_at"])
    if call.state in (CoverCall.State.STOPPED, CoverCall.State.LAPSED) or call.shift.start <= now:
        return CLOSED
    return TAKEN


def _book(call: CoverCall, published: Roster, member) -> Roster:
    """Book the member on the shift by publishing a new version: the published one plus this assignment."""
    published = Roster.objects.select_for_update().get(pk=published.pk)
    copy = Roster(community=published.community, week_start=published.week_start, status=Roster.Status.PROPOSAL,
                  based_on=published, unfilled=published.unfilled, reason=f"代班 / cover: {member.name}"[:300],
                  cause={"kind": "cover", "member": member.pk, "name": member.name, "shift": call.shift_id,
                         "reason": "cover"})
    copy.save()
    rows = [Assignment(roster=copy, shift_id=a.shift_id, member_id=a.member_id, pinned=a.pinned, source=a.source,
                       override_reason=a.override_reason, created_by_id=a.created_by_id)
            for a in published.assignments.all()]
    # pinned: a later re-plan of the week keeps the member who said yes
    rows.append(Assignment(roster=copy, shift_id=call.shift_id, member=member, pinned=True,
                           source=Assignment.Source.COVER))
    Assignment.objects.bulk_create(rows)
    try:
        with transaction.atomic():
            return roster_publish(roster=copy, by=None)
    except PublishConflicts as exc:
        # The new booking keeps every rule (checked above): what the check finds was on the published version
        # already. Publishing it again changes nothing of that, and the audit records it.
        logger.warning("cover call-down %s: the published roster already had %d problems", call.pk, len(exc.lines))
        return roster_publish(roster=copy, by=None, override_reason="代班：已发布排班原有的问题未改变 / cover: "
                                                                    "problems already on the published roster")

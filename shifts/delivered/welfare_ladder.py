"""The welfare ladder: a member who did not arrive (a no-show) or a patrol member not checked out after the round
(overdue) is called, step by step, until someone answers.

settings.WELFARE_LADDER_STEPS says when each call goes out, counted from the moment the member became missing or
overdue (default: +15 min the member, +30 their relative — 亲属代办 — or, without one, the community's welfare
contact, or without that its secretaries, +60 the secretaries). Each step goes out only if nobody answered the one
before; WELFARE_UNREACHABLE_MINUTES after the last call unanswered, the member is unreachable (and, living alone
or over 80, the welfare contact is told as the no-show check always did).

Every call is a notification of kind `welfare_call` (the voice channel places it as a voice call at any hour);
its text names only who and which shift, and the keys: 1 on the way / all well, 2 ill, 3 safe at home.

The ladder stops at the first answer, whichever comes first: a key press (shifts.signals.call_answered), the
secretary's button on the dashboard, or the member checking in (a no-show) or out (an overdue patrol). "Ill"
records an absence through absence_report, so the re-plan (and the cover call-down) follow. Each answer is one row
lock, its state re-checked under the lock; a second answer changes nothing.

The periodic check that starts ladders and advances them is shifts.delivered.welfare_run.
"""

import datetime as dt
import logging
import re
from collections import defaultdict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _

from shifts.messaging.jobs import message_job_queue
from shifts.messaging.labels import shift_title
from shifts.messaging.notify import notify_member, notify_proxy, notify_staff, notify_user
from shifts.models import NoShowCheck, Notification, WelfareLadder
from shifts.rostering.absences import absence_report
from volunteers.models import Member, Unavailability
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

KIND = "welfare_call"
ESCALATE_AGE = 80
Outcome = WelfareLadder.Outcome
# A key pressed on a welfare call, and what it answers.
KEY_OUTCOMES = {"1": Outcome.ON_WAY, "2": Outcome.ILL, "3": Outcome.SAFE_HOME}
ANSWERS = (Outcome.ON_WAY, Outcome.ILL, Outcome.SAFE_HOME)
# The no-show check's own record follows the ladder's outcome (the monthly report counts it).
NO_SHOW_OUTCOME = {Outcome.ON_WAY: NoShowCheck.Outcome.REACHED, Outcome.ILL: NoShowCheck.Outcome.ILL,
                   Outcome.SAFE_HOME: NoShowCheck.Outcome.SAFE_HOME, Outcome.UNREACHABLE: NoShowCheck.Outcome.NO_ANSWER}
DEDUPE = re.compile(r"^welfare:(\d+):s\d+:")
BATCH = 50  # calls per message job


def must_escalate(member: Member, on: dt.date) -> bool:
    return member.lives_alone or member.age_on(on) >= ESCALATE_AGE


# --------------------------------------------------------------------------- the steps

def first_step_at(due_at: dt.datetime) -> dt.datetime:
    return due_at + dt.timedelta(minutes=settings.WELFARE_LADDER_STEPS[0][0])


def _wait_after(step: int) -> dt.timedelta:
    """How long step `step` (1-based) waits for an answer before the next step (or "unreachable")."""
    plan = settings.WELFARE_LADDER_STEPS
    if step < len(plan):
        return dt.timedelta(minutes=plan[step][0] - plan[step - 1][0])
    return dt.timedelta(minutes=settings.WELFARE_UNREACHABLE_MINUTES)


def welfare_ladders_advance(now: dt.datetime | None = None) -> tuple[int, int]:
    """Take the next step of every open ladder that is due: set-based (one locked read, one update per step
    number), the calls themselves queued as message jobs. Returns (calls queued, ladders now unreachable).
    Idempotent: a ladder's step number moves once per due time, under its row lock, and each call is sent once
    (its notification's dedupe key names the ladder and the step)."""
    now = now or timezone.now()
    last = len(settings.WELFARE_LADDER_STEPS)
    fired: list[tuple[int, int]] = []
    with transaction.atomic():
        due = (WelfareLadder.objects.select_for_update(skip_locked=True)
               .filter(outcome="", next_at__lte=now).values_list("pk", "step"))
        by_step: dict[int, list[int]] = defaultdict(list)
        for pk, step in due:
            by_step[step].append(pk)
        unreachable = by_step.pop(last, []) + [pk for step, ids in by_step.items() if step > last for pk in ids]
        for step, ids in sorted(by_step.items()):
            if step > last:
                continue
            WelfareLadder.objects.filter(pk__in=ids).update(step=step + 1, step_at=now,
                                                            next_at=now + _wait_after(step + 1))
            fired += [(pk, step + 1) for pk in ids]
        if unreachable:
            WelfareLadder.objects.filter(pk__in=unreachable).update(
                outcome=Outcome.UNREACHABLE, outcome_at=now, outcome_via=WelfareLadder.Via.TIMEOUT, next_at=None)
            NoShowCheck.objects.filter(ladder__pk__in=unreachable, outcome="").update(
                outcome=NoShowCheck.Outcome.NO_ANSWER, outcome_at=now)
            for ladder in WelfareLadder.objects.filter(pk__in=unreachable).select_related("shift__community"):
                audit_log(action="shifts.welfare.unreachable", community=ladder.shift.community, obj=ladder,
                          data={"member": ladder.member_id, "shift": ladder.shift_id, "step": ladder.step})
        # The pass's calls go to the queue in batches (one message job each, keyed by its first call, which this
        # pass alone took): a catch-up after an outage queues a few jobs, not hundreds.
        items = [[pk, step] for pk, step in fired] + [[pk, 0] for pk in unreachable]
        for at in range(0, len(items), BATCH):
            batch = items[at:at + BATCH]
            message_job_queue(task="shifts.tasks.welfare_calls_send", args=[batch],
                              key=f"welfare:{batch[0][0]}:s{batch[0][1]}:batch")
    if fired or unreachable:
        logger.info("welfare ladder: %d calls queued, %d unreachable", len(fired), len(unreachable))
    return len(fired), len(unreachable)


def _context(ladder: WelfareLadder) -> dict:
    """Who and which shift, nothing more: no phone, address, health or household (the text may be read aloud)."""
    shift = ladder.shift
    overdue = ladder.trigger == WelfareLadder.Trigger.OVERDUE
    # The title is rendered in each recipient's language (a home visit is "入户探访", never the household).
    return {"missing_name": ladder.member.name, "when": shift.end if overdue else shift.start,
            "shift": lazy(shift_title, str)(shift), "overdue": overdue}


def welfare_step_send(*, ladder_id: int, step: int) -> list[Notification]:
    """Place step `step`'s calls (runs on the queue as a message job). Nothing goes out once the ladder is
    answered, and each call is deduplicated on its ladder and step, so a retried job calls nobody twice."""
    with transaction.atomic():
        ladder = (WelfareLadder.objects.select_for_update(of=("self",))
                  .select_related("shift__duty", "shift__community", "member__community").get(pk=ladder_id))
        if not ladder.is_open or step > len(settings.WELFARE_LADDER_STEPS):
            return []
        whom = settings.WELFARE_LADDER_STEPS[step - 1][1]
        recipients = ladder_recipients(ladder, whom)
        if not any(c.get("step") == step for c in ladder.calls):
            ladder.calls = [*ladder.calls, {"step": step, "whom": recipients[0], "names": recipients[1],
                                            "at": timezone.now().isoformat()}]
            ladder.save(update_fields=["calls"])
    return _call(ladder, step, recipients)


def ladder_recipients(ladder: WelfareLadder, whom: str) -> tuple[str, list[str], list]:
    """(role, names, targets) for a step: targets are ("member", m), ("proxy", p), ("user", u) or ("staff", c)."""
    member = ladder.member
    if whom == "member":
        return "member", [member.name], [("member", member)]
    if whom == "relative":
        proxies = list(member.proxies.filter(revoked_at__isnull=True, consent_at__isnull=False).order_by("pk"))
        if proxies:
            return "relative", [p.name for p in proxies], [("proxy", p) for p in proxies]
        contact = member.community.welfare_contact
        if contact is not None:
            return "welfare", [contact.get_full_name() or contact.get_username()], [("user", contact)]
        return "secretary", _secretary_names(member.community), [("staff", member.community)]
    return "secretary", _secretary_names(ladder.shift.community), [("staff", ladder.shift.community)]


def _secretary_names(community) -> list[str]:
    from volunteers.models import StaffProfile

    profiles = (StaffProfile.objects.filter(communities=community, role=StaffProfile.Role.SECRETARY,
                                            user__is_active=True).select_related("user").order_by("pk"))
    return [p.user.get_full_name() or p.user.get_username() for p in profiles]


def _call(ladder: WelfareLadder, step: int, recipients) -> list[Notification]:
    role, _names, targets = recipients
    context = {**_context(ladder), "to_member": role == "member"}
    key = f"welfare:{ladder.pk}:s{step}:{role}"
    sent = []
    for kind_of, target in targets:
        if kind_of == "member":
            sent.append(notify_member(member=target, kind=KIND, dedupe_key=key, context=context, urgent=True,
                                      forward=False))
        elif kind_of == "proxy":
            sent.append(notify_proxy(proxy=target, kind=KIND, dedupe_key=f"{key}:p{target.pk}", context=context))
        elif kind_of == "user":
            sent.append(notify_user(user=target, kind=KIND, dedupe_key=key, context=context, urgent=True))
        else:
            sent += notify_staff(community=target, kind=KIND, dedupe_key=key, context=context, urgent=True)
    return sent


def welfare_calls_send(*, items: list) -> int:
    """A pass's calls, [ladder id, step] each (step 0: the ladder went unreachable); runs on the queue. Each call
    is deduplicated on its ladder and step, so a retried batch calls nobody twice; returns the messages sent."""
    sent = 0
    for ladder_id, step in items:
        if step:
            sent += len(welfare_step_send(ladder_id=ladder_id, step=step))
        else:
            welfare_unreachable_send(ladder_id=ladder_id)
    return sent


def welfare_unreachable_send(*, ladder_id: int) -> None:
    """Nobody answered any step: for a member living alone or over 80 the welfare contact (or, without one, the
    secretaries) is told to look in today, as the no-show check always did. Runs on the queue."""
    ladder = WelfareLadder.objects.select_related("shift__duty", "shift__community", "member__community").get(
        pk=ladder_id)
    if ladder.outcome != Outcome.UNREACHABLE or not must_escalate(ladder.member, timezone.localdate()):
        return
    from shifts.messaging.labels import shift_line

    context = {"shift": shift_line(ladder.shift), "missing_name": ladder.member.name,
               "missing_phone": ladder.member.phone, "site_path": "/dashboard/"}
    contact = ladder.member.community.welfare_contact
    if contact is not None:
        notify_user(user=contact, kind="no_show_welfare", dedupe_key=f"welfare:{ladder.pk}:unreachable",
                    context=context, urgent=True)
    else:
        notify_staff(community=ladder.member.community, kind="no_show_welfare",
                     dedupe_key=f"welfare:{ladder.pk}:unreachable", context=context, urgent=True)


# --------------------------------------------------------------------------- answers

def welfare_answer(*, ladder: WelfareLadder, outcome: str, via: str, by=None, answered_by: str = "",
                   now: dt.datetime | None = None) -> tuple[WelfareLadder, bool]:
    """Record the first answer and stop the ladder; returns (ladder, whether this answer was the one recorded).
    A ladder already answered keeps its answer; "unreachable" gives way to any later answer."""
    if outcome not in ANSWERS:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    now = now or timezone.now()
    with transaction.atomic():
        ladder = (WelfareLadder.objects.select_for_update(of=("self",))
                  .select_related("shift__community", "member").get(pk=ladder.pk))
        if ladder.outcome and ladder.outcome != Outcome.UNREACHABLE:
            return ladder, False
        ladder.outcome, ladder.outcome_at, ladder.outcome_by, ladder.outcome_via = outcome, now, by, via
        ladder.answered_by, ladder.next_at = answered_by[:80], None
        ladder.save(update_fields=["outcome", "outcome_at", "outcome_by", "outcome_via", "answered_by", "next_at"])
        audit_log(action=f"shifts.welfare.{outcome}", actor=by, community=ladder.shift.community, obj=ladder,
                  data={"member": ladder.member_id, "shift": ladder.shift_id, "via": via, "step": ladder.step})
        if ladder.no_show_id is not None:
            NoShowCheck.objects.filter(pk=ladder.no_show_id).update(
                outcome=NO_SHOW_OUTCOME[outcome], outcome_at=now, outcome_by=by)
        if outcome == Outcome.ILL:
            shift = ladder.shift
            start = shift.end if ladder.trigger == WelfareLadder.Trigger.OVERDUE else shift.start
            absence_report(member=ladder.member, start=start,
                           end=start + dt.timedelta(days=settings.NO_SHOW_ILL_ABSENCE_DAYS),
                           reason=Unavailability.Reason.ILLNESS, by=by, note=_("Ill (welfare call)"))
    return ladder, True


def welfare_answer_by_key(*, notification_id: int, digit: str) -> WelfareLadder | None:
    """A key pressed on a welfare call (shifts.signals.call_answered): the ladder the call belongs to."""
    outcome = KEY_OUTCOMES.get(str(digit))
    notification = (Notification.objects.filter(pk=notification_id, kind=KIND)
                    .select_related("member", "proxy", "user").first())
    match = DEDUPE.match(notification.dedupe_key) if notification is not None else None
    if outcome is None or match is None:
        return None
    ladder = WelfareLadder.objects.filter(pk=int(match.group(1))).first()
    if ladder is None:
        return None
    who = notification.member or notification.proxy
    name = who.name if who is not None else (notification.user.get_full_name() or notification.user.get_username()
                                            if notification.user is not None else "")
    return welfare_answer(ladder=ladder, outcome=outcome, via=WelfareLadder.Via.KEY, answered_by=name)[0]


def welfare_answer_by_attendance(*, shift_id: int, member: Member, check_in: bool, check_out: bool,
                                 by=None) -> int:
    """The member checked in (answers a no-show) or out (answers an overdue patrol): "on the way, all well"."""
    triggers = ([WelfareLadder.Trigger.NO_SHOW] if check_in else []) + (
        [WelfareLadder.Trigger.OVERDUE] if check_out else [])
    if not triggers:
        return 0
    ladders = list(WelfareLadder.objects.filter(shift_id=shift_id, member=member, trigger__in=triggers,
                                                outcome__in=["", Outcome.UNREACHABLE]))
    return sum(welfare_answer(ladder=ladder, outcome=Outcome.ON_WAY, via=WelfareLadder.Via.ATTENDANCE, by=by,
                              answered_by=member.name)[1] for ladder in ladders)


def welfare_ladder_hurry(*, ladder: WelfareLadder, by) -> WelfareLadder:
    """The secretary called and nobody answered: the next step is due now (the periodic check takes it within a
    minute) instead of at its time."""
    with transaction.atomic():
        ladder = WelfareLadder.objects.select_for_update(of=("self",)).select_related("shift__community").get(
            pk=ladder.pk)
        if ladder.is_open:
            ladder.next_at = timezone.now()
            ladder.save(update_fields=["next_at"])
            audit_log(action="shifts.welfare.hurried", actor=by, community=ladder.shift.community, obj=ladder,
                      data={"member": ladder.member_id, "shift": ladder.shift_id, "step": ladder.step})
    return ladder

"""The welfare check on no-shows. NO_SHOW_AFTER_MINUTES after a shift starts, each assigned member who has
neither checked in nor reported an absence goes on the dashboard's 需要联系 list; the team leader (if they
checked in themselves) and the secretary get a message. The secretary then records what the call found:

    reached    all well
    forgot     all well, forgot
    ill        an absence is recorded (NO_SHOW_ILL_ABSENCE_DAYS) and the member's remaining shifts re-planned
    no answer  for a member living alone or over 80, the community's welfare contact is told at once
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.delivered.attendance import is_team_leader, team_members
from shifts.messaging.jobs import message_job_queue
from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff, notify_user
from shifts.models import Assignment, Attendance, NoShowCheck, Roster, Shift
from shifts.rostering.absences import absence_report
from volunteers.models import Member, Unavailability
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


# Shifts that began longer ago than this are not checked any more (a queue outage must not flood the list).
LOOK_BACK = dt.timedelta(hours=6)
ESCALATE_AGE = 80


def no_show_checks_run(now: dt.datetime | None = None) -> int:
    """Flag every missing member of shifts that began NO_SHOW_AFTER_MINUTES ago; idempotent. Runs on the queue."""
    now = now or timezone.now()
    latest_start = now - dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    assigned = (Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift__start__lte=latest_start,
                                          shift__start__gt=now - LOOK_BACK, shift__end__gt=latest_start)
                .values_list("shift_id", "member_id"))
    pairs = set(assigned)
    if not pairs:
        return 0
    shift_ids = {s for s, _m in pairs}
    checked_in = set(Attendance.objects.filter(shift_id__in=shift_ids, check_in__isnull=False)
                     .values_list("shift_id", "member_id"))
    flagged = set(NoShowCheck.objects.filter(shift_id__in=shift_ids).values_list("shift_id", "member_id"))
    shifts = {s.pk: s for s in Shift.objects.filter(pk__in=shift_ids).select_related("duty", "community")}
    created = 0
    for shift_id, member_id in sorted(pairs - checked_in - flagged):
        shift = shifts[shift_id]
        if Unavailability.objects.filter(member_id=member_id, start__lt=shift.end, end__gt=shift.start).exists():
            continue
        try:
            with transaction.atomic():
                check = NoShowCheck.objects.create(shift=shift, member_id=member_id)
                transaction.on_commit(partial(_tell_leader_and_secretary, check.pk))
        except IntegrityError:  # another run flagged it first
            continue
        created += 1
    logger.info("no-show check: %d members to contact", created)
    return created


def _context(check: NoShowCheck) -> dict:
    member = check.member
    return {"shift": shift_line(check.shift), "missing_name": member.name, "missing_phone": member.phone,
            "site_path": reverse("dashboard")}


def _tell_leader_and_secretary(check_id: int) -> None:
    check = NoShowCheck.objects.select_related("shift__duty", "shift__community", "member").get(pk=check_id)
    context = _context(check)
    # Only a leader who is there can look round for the missing member: one missing too is not told.
    present = set(Attendance.objects.filter(shift=check.shift, check_in__isnull=False)
                  .values_list("member_id", flat=True))
    for mate in team_members(check.shift):
        if mate.pk != check.member_id and mate.pk in present and is_team_leader(member=mate, shift=check.shift):
            notify_member(member=mate, kind="no_show_leader", dedupe_key=f"noshow:{check.pk}:leader:m{mate.pk}",
                          context=context)
    notify_staff(community=check.shift.community, kind="no_show", dedupe_key=f"noshow:{check.pk}:staff",
                 context=context)


def must_escalate(member: Member, on: dt.date) -> bool:
    return member.lives_alone or member.age_on(on) >= ESCALATE_AGE


def no_show_outcome(*, check: NoShowCheck, outcome: str, by=None) -> NoShowCheck:
    """Record what the call found and act on it (see the module docstring)."""
    if outcome not in NoShowCheck.Outcome.values:
        raise ValidationError({"outcome": _("Choose one of the outcomes.")})
    with transaction.atomic():
        check = NoShowCheck.objects.select_for_update().select_related("shift__community", "shift__duty",
                                                                       "member__community").get(pk=check.pk)
        if check.outcome and check.outcome != NoShowCheck.Outcome.NO_ANSWER:
            raise ValidationError({"outcome": _("An outcome was already recorded for this call.")})
        check.outcome, check.outcome_at, check.outcome_by = outcome, timezone.now(), by
        check.save(update_fields=["outcome", "outcome_at", "outcome_by"])
        audit_log(action=f"shifts.no_show.{outcome}", actor=by, community=check.shift.community, obj=check,
                  data={"member": check.member_id, "shift": check.shift_id})
        if outcome == NoShowCheck.Outcome.ILL:
            start = check.shift.start
            absence_report(member=check.member, start=start,
                           end=start + dt.timedelta(days=settings.NO_SHOW_ILL_ABSENCE_DAYS),
                           reason=Unavailability.Reason.ILLNESS, by=by, note=_("Ill (no-show call)"))
        elif outcome == NoShowCheck.Outcome.NO_ANSWER and check.escalated_at is None \
                and must_escalate(check.member, timezone.localdate()):
            check.escalated_at = timezone.now()
            check.save(update_fields=["escalated_at"])
            message_job_queue(task="shifts.tasks.no_show_welfare_send", args=[check.pk],
                              key=f"noshow:{check.pk}:welfare")
    return check


def no_show_welfare_send(*, check_id: int) -> None:
    """Runs on the queue (shifts.tasks), queued by no_show_outcome as a message job: never in the request."""
    check = NoShowCheck.objects.select_related("shift__duty", "shift__community", "member").get(pk=check_id)
    contact = check.shift.community.welfare_contact
    if check.member.community_id != check.shift.community_id:
        contact = check.member.community.welfare_contact  # the member's home community looks after them
    context = _context(check)
    if contact is not None:
        notify_user(user=contact, kind="no_show_welfare", dedupe_key=f"noshow:{check.pk}:welfare",
                    context=context, urgent=True)
    else:  # nobody named: the secretaries must act themselves
        notify_staff(community=check.member.community, kind="no_show_welfare",
                     dedupe_key=f"noshow:{check.pk}:welfare", context=context, urgent=True)

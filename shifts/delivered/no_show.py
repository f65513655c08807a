"""The no-show check. NO_SHOW_AFTER_MINUTES after a shift starts, each assigned member who has neither checked in
nor reported an absence is flagged (a NoShowCheck); a team leader who checked in themselves is asked to look round
for them. The welfare ladder (shifts.delivered.welfare_ladder) then calls the member, their relative or the welfare
contact, and the secretary, until someone answers; the dashboard shows the open ladders first, and the secretary
records what a call found there (on the way, ill → an absence and the re-plan, safe at home).

no_show_checks_run is called by the ladder's periodic check (shifts.delivered.welfare_run).
"""

import datetime as dt
import logging

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import is_team_leader, team_members
from shifts.messaging.jobs import message_job_queue
from shifts.messaging.labels import shift_line
from shifts.messaging.notify import notify_member, notify_staff, notify_user
from shifts.models import Assignment, Attendance, NoShowCheck, Roster, Shift
from volunteers.models import Unavailability

logger = logging.getLogger(__name__)


# Shifts that began longer ago than this are not checked any more (a queue outage must not flood the list).
LOOK_BACK = dt.timedelta(hours=6)


def no_show_checks_run(now: dt.datetime | None = None) -> int:
    """Flag every missing member of shifts that began NO_SHOW_AFTER_MINUTES ago; idempotent, set-based (a few
    queries whatever the number of shifts). Runs on the queue."""
    now = now or timezone.now()
    latest_start = now - dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    window = Q(shift__start__lte=latest_start, shift__start__gt=now - LOOK_BACK, shift__end__gt=latest_start)
    # The anti-joins run in the database: only the few missing pairs come back, however many shifts began.
    here = Attendance.objects.filter(shift_id=OuterRef("shift_id"), member_id=OuterRef("member_id"),
                                     check_in__isnull=False)
    flagged = NoShowCheck.objects.filter(shift_id=OuterRef("shift_id"), member_id=OuterRef("member_id"))
    pairs = set(Assignment.objects.filter(window, roster__status=Roster.Status.PUBLISHED)
                .exclude(Exists(here)).exclude(Exists(flagged)).values_list("shift_id", "member_id"))
    if not pairs:
        return 0
    spans = Shift.objects.filter(pk__in={s for s, _m in pairs}).values_list("pk", "start", "end")
    times, ends = {pk: start for pk, start, _e in spans}, {pk: end for pk, _s, end in spans}
    away: dict[int, list[tuple]] = {}
    for member_id, start, end in (Unavailability.objects.filter(member_id__in={m for _s, m in pairs},
                                                                start__lt=max(ends.values()),
                                                                end__gt=min(times.values()))
                                  .values_list("member_id", "start", "end")):
        away.setdefault(member_id, []).append((start, end))
    missing = [(s, m) for s, m in sorted(pairs)
               if not any(start < ends[s] and end > times[s] for start, end in away.get(m, ()))]
    NoShowCheck.objects.bulk_create([NoShowCheck(shift_id=s, member_id=m) for s, m in missing],
                                    batch_size=1000, ignore_conflicts=True)
    # The team leader's message, one job per 50 new checks; its task looks for a leader who is there, and each
    # message is sent once (its dedupe key names the check and the leader).
    created = sorted(pk for pk, shift_id, member_id in NoShowCheck.objects.filter(
        shift_id__in={s for s, _m in missing}, outcome="").values_list("pk", "shift_id", "member_id")
        if (shift_id, member_id) in pairs)
    for at in range(0, len(created), 50):
        batch = created[at:at + 50]
        message_job_queue(task="shifts.tasks.no_show_leader_send", args=[batch], key=f"noshow:{batch[0]}:leader")
    logger.info("no-show check: %d members missing", len(missing))
    return len(missing)


def _context(check: NoShowCheck) -> dict:
    member = check.member
    return {"shift": shift_line(check.shift), "missing_name": member.name, "missing_phone": member.phone,
            "site_path": reverse("dashboard")}


def no_show_leader_send(*, check_ids: list[int]) -> None:
    """Ask each team leader who is there to look round for the missing member (runs on the queue). The
    secretary is called by the welfare ladder's last step and sees the member on the dashboard at once."""
    for check in NoShowCheck.objects.filter(pk__in=check_ids).select_related("shift__duty", "shift__community",
                                                                             "member"):
        _tell_leader(check)


def _tell_leader(check: NoShowCheck) -> None:
    # Only a leader who is there can look round for the missing member: one missing too is not told.
    present = set(Attendance.objects.filter(shift=check.shift, check_in__isnull=False)
                  .values_list("member_id", flat=True))
    for mate in team_members(check.shift):
        if mate.pk != check.member_id and mate.pk in present and is_team_leader(member=mate, shift=check.shift):
            notify_member(member=mate, kind="no_show_leader", dedupe_key=f"noshow:{check.pk}:leader:m{mate.pk}",
                          context=_context(check))


def no_show_welfare_send(*, check_id: int) -> None:
    """Kept for message jobs queued before the welfare ladder (the ladder's own is welfare_unreachable_send)."""
    check = NoShowCheck.objects.select_related("shift__duty", "shift__community", "member__community").get(
        pk=check_id)
    contact = check.member.community.welfare_contact
    if contact is not None:
        notify_user(user=contact, kind="no_show_welfare", dedupe_key=f"noshow:{check.pk}:welfare",
                    context=_context(check), urgent=True)
    else:
        notify_staff(community=check.member.community, kind="no_show_welfare",
                     dedupe_key=f"noshow:{check.pk}:welfare", context=_context(check), urgent=True)

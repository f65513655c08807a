"""A member can't come, or their availability rules changed: record it, and make every roster it touches follow."""

import datetime as dt
import logging
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shifts import signals
from shifts.messaging.notify import notify_member
from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SolveRun
from shifts.rostering.repair import cause_summary, repair_request
from shifts.rostering.rosters import exclusion_record, roster_generate
from shifts.weeks import week_start_of
from volunteers.models import Community, Member, Unavailability
from volunteers.services.audit import audit_log
from volunteers.services.availability import AVAILABILITY_SPAN

logger = logging.getLogger(__name__)

TOUCHED_STATUSES = (Roster.Status.DRAFT, Roster.Status.PROPOSAL, Roster.Status.PUBLISHED)


def absence_report(*, member: Member, start: dt.datetime, end: dt.datetime, reason: str, by=None,
                   note: str = "") -> Unavailability:
    """Record that the member cannot come in [start, end); after commit the rosters it touches follow it
    (member_availability_changed) and the member gets a confirmation.

    Idempotent: an absence of the member that already covers the whole of [start, end) is the answer, so a
    double tap, a repeated link or a provider's retried reply records one absence per shift, however often it is
    sent. The member's row lock makes "look, then write" one step when two such requests arrive together."""
    absence = Unavailability(member=member, start=start, end=end, reason=reason, note=note)
    absence.full_clean()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=member.pk).first()
        covering = (Unavailability.objects.filter(member=member, start__lte=start, end__gte=end)
                    .order_by("pk").first())
        if covering is not None:
            logger.info("absence of member %s for %s already recorded (%s)", member.pk, start, covering.pk)
            if _still_booked(member, start, end):  # booked again since (a secretary's reasoned override)
                transaction.on_commit(partial(_replan_after_absence, member.pk, start, end, reason))
            return covering
        absence.save()
        audit_log(action="volunteers.absence.reported", actor=by, community=member.community, obj=absence,
                  data={"member": member.pk, "start": start.isoformat(), "end": end.isoformat(), "reason": reason})
        transaction.on_commit(partial(_replan_after_absence, member.pk, start, end, reason))
        transaction.on_commit(partial(_confirm_absence, absence.pk))
    return absence


def _still_booked(member: Member, start: dt.datetime, end: dt.datetime) -> bool:
    return Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lt=end,
                                     shift__end__gt=start, shift__start__gt=timezone.now()).exists()


def _replan_after_absence(member_id: int, start: dt.datetime, end: dt.datetime, reason: str) -> None:
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return
    try:
        member_availability_changed(member=member, start=start, end=end, reason=reason)
    except Exception:  # the absence is recorded and committed; a failed re-plan must not turn it into a 500
        logger.exception("could not queue a re-plan after an absence of member %s", member_id)


def _confirm_absence(absence_id: int) -> None:
    absence = Unavailability.objects.select_related("member").get(pk=absence_id)
    notify_member(member=absence.member, kind="absence_recorded", dedupe_key=f"absence:{absence.pk}",
                  context={"start": absence.start, "end": absence.end})


def member_availability_changed(*, member: Member, start: dt.datetime | None = None,
                                end: dt.datetime | None = None, reason: str = "", by=None) -> list[SolveRun]:
    """Make every roster that the change touches follow it, for shifts in [start, end) that have not begun.

    A recorded absence, or a member no longer active, takes the member off those shifts of the published roster at
    once (their feed and their teammates' change now), and a re-plan looks for cover. Drafts that book the member
    there are solved again on the queue, keeping pins; re-plan proposals are made again. A change of health,
    caregiving or limits re-plans the published weeks and re-solves the drafts the member is on.
    Returns the runs queued.
    """
    now = timezone.now()
    start = max(start or now, now)
    end = end or now + AVAILABILITY_SPAN
    if end <= start:
        return []
    touched = (Assignment.objects.filter(member=member, roster__status__in=TOUCHED_STATUSES,
                                         shift__start__lt=end, shift__end__gt=start, shift__start__gt=now)
               .values_list("roster__community_id", "roster__week_start", "roster__status").distinct())
    weeks: dict[tuple[int, dt.date], set[str]] = defaultdict(set)
    for community_id, week_start, status in touched:
        weeks[(community_id, week_start_of(week_start))].add(status)
    absent = reason in Unavailability.Reason.values or not member.active
    if absent:
        published_withdraw(member=member, start=start, end=end, by=by)
    runs = []
    for (community_id, week_start), statuses in sorted(weeks.items()):
        community = Community.objects.get(pk=community_id)
        cause = replan_cause(member=member, reason=reason, community=community)
        # The published week first: while its repair runs, a draft re-solve request returns that run, and the
        # follow-up of the run re-solves the draft if it still books the member (shifts.rostering.solving).
        if statuses & {Roster.Status.PUBLISHED, Roster.Status.PROPOSAL}:
            runs.append(repair_request(community=community, week_start=week_start, cause=cause, by=by))
        if Roster.Status.DRAFT in statuses:
            runs.append(roster_generate(community=community, week_start=week_start, by=by,
                                        kind=SolveRun.Kind.RESOLVE, cause=cause, reason=cause_summary(cause)))
    runs = list(dict.fromkeys(r for r in runs if r is not None))
    logger.info("availability of member %s changed: %d runs queued", member.pk, len(runs))
    return runs


def replan_cause(*, member: Member, reason: str, community: Community) -> dict:
    """Why a re-plan is made, as data for Roster.cause_display. The reason (e.g. illness) is health information:
    only the member's home community keeps it; others see that the member is unavailable."""
    shown = reason if community.pk == member.community_id else "unavailable"
    return {"kind": "availability", "member": member.pk, "name": member.name, "reason": shown}


def published_withdraw(*, member: Member, start: dt.datetime, end: dt.datetime, by=None) -> list[tuple[int, int]]:
    """Take the member off the published shifts in [start, end) that have not begun, at once.

    What a member says binds at once: the published roster no longer books someone who told us they cannot come.
    The shifts' SEQUENCE rises and, after commit, feeds change; the re-plan finds cover. Returns the pairs removed.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = list(Assignment.objects.select_for_update()
                    .filter(member=member, roster__status=Roster.Status.PUBLISHED, shift__start__gt=now,
                            shift__start__lt=end, shift__end__gt=start).select_related("roster__community", "shift"))
        if not rows:
            return []
        pairs = sorted({(a.shift_id, a.member_id) for a in rows})
        shift_ids = {a.shift_id for a in rows}
        Assignment.objects.filter(pk__in=[a.pk for a in rows]).delete()
        for a in rows:  # kept so the member's page still shows the shift, and no plan puts them back on it
            exclusion_record(shift=a.shift, member=member, cause=ShiftExclusion.Cause.ABSENT, by=by)
        Shift.objects.filter(pk__in=shift_ids).update(sequence=F("sequence") + 1, updated_at=now)
        community_ids = {a.roster.community_id for a in rows}
        teammates = set(Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift_id__in=shift_ids)
                        .values_list("member_id", flat=True))
        by_roster = defaultdict(list)
        for a in rows:
            by_roster[a.roster].append(a.shift_id)
        for roster, shifts in by_roster.items():
            audit_log(action="shifts.assignment.withdrawn", actor=by, community=roster.community, obj=roster,
                      data={"member": member.pk, "shifts": sorted(shifts)})
        transaction.on_commit(partial(signals.assignments_changed.send, sender=Assignment,
                                      member_ids=teammates | {member.pk}, shift_ids=shift_ids,
                                      community_ids=community_ids))
    return pairs

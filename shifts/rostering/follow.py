"""Make the plans follow the facts: plans_follow is the one service every entrance calls.

What people tell Yure binds every plan of the weeks it touches. The entrances:

    an absence (one shift) or an away period   shifts.rostering.absences.absence_report, once it commits
    (also a declined week, a no-show "ill")     (shifts.rostering.confirmations, shifts.delivered.no_show)
    a profile change, a deactivation            volunteers' availability_changed signal (shifts.rostering.receivers)
    a removal by the secretary                  shifts.rostering.review.assignment_remove, once it commits
    a swap applied                              shifts.swaps.apply, once it commits
    a solve that could not see the newest facts shifts.rostering.solving, when a run ends

What it does, for each version of a week:

    published   the member is taken off their shifts not yet begun at once (an absence, or a member no longer
                active), and a minimal-change re-plan looks for cover (a proposal, or a publish when the
                community applies re-plans directly)
    proposal    made again from the current facts when it still books someone against them
    draft       solved again on the queue, keeping pins, when it books someone against the facts

Everything slow (the solving, the messages) runs on the queue; this module only records and queues.
"""

import datetime as dt
import logging
from collections import defaultdict
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shifts import signals
from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SolveRun
from shifts.rostering.cover.starting import cover_after_withdraw
from shifts.rostering.repair import cause_summary
from shifts.rostering.rosters import exclusion_record, roster_generate
from shifts.rostering.rules import roster_conflicts
from shifts.rostering.selectors import roster_for_week
from shifts.weeks import week_start_of
from volunteers.models import Community, Member, Unavailability
from volunteers.services.audit import audit_log
from volunteers.services.availability import AVAILABILITY_SPAN

logger = logging.getLogger(__name__)

TOUCHED_STATUSES = (Roster.Status.DRAFT, Roster.Status.PROPOSAL, Roster.Status.PUBLISHED)


def plans_follow(*, cause: str = "", member: Member | None = None, start: dt.datetime | None = None,
                 end: dt.datetime | None = None, community: Community | None = None,
                 week_start: dt.date | None = None, after: SolveRun | None = None, by=None) -> list[SolveRun]:
    """Make every plan that a new fact touches follow it; returns the solve runs queued. Say what changed:

    - `member` (with `start`, `end`: default now to AVAILABILITY_SPAN ahead): the member's availability changed.
      `cause` is an absence reason (Unavailability.Reason: the member is taken off the published shifts at
      once) or "profile", "caregiving", "import", "inactive" (an inactive member is taken off too).
    - `community` and `week_start`: a decision on the week (`cause` "removed", "swap"): its draft and re-plan
      proposal are made again if they book someone against it.
    - `after`: a solve run that ended; what it could not see (facts newer than its start) is planned again.
    """
    if after is not None:
        return _after_run(after)
    if member is not None:
        return _member_changed(member=member, start=start, end=end, reason=cause, by=by)
    if community is not None and week_start is not None:
        return _open_versions_follow(community=community, week_start=week_start_of(week_start))
    raise ValueError("plans_follow: say what changed (member, community and week_start, or after)")


# ------------------------------------------------------------------ a member's availability

def _member_changed(*, member: Member, start: dt.datetime | None, end: dt.datetime | None, reason: str,
                    by) -> list[SolveRun]:
    """For shifts in [start, end) that have not begun: a recorded absence, or a member no longer active, takes the
    member off those shifts of the published roster at once (their feed and their teammates' change now), and a
    re-plan looks for cover. Drafts that book the member there are solved again on the queue, keeping pins; re-plan
    proposals are made again. A change of health, caregiving or limits re-plans the published weeks and re-solves
    the drafts the member is on."""
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
    withdrawn = _published_withdraw(member=member, start=start, end=end, by=by) if absent else []
    runs = []
    for (community_id, week_start), statuses in sorted(weeks.items()):
        community = Community.objects.get(pk=community_id)
        cause = _replan_cause(member=member, reason=reason, community=community)
        # The published week first: while its repair runs, a draft re-solve request returns that run, and the
        # follow-up of the run re-solves the draft if it still books the member (_after_run).
        if statuses & {Roster.Status.PUBLISHED, Roster.Status.PROPOSAL}:
            runs.append(_repair(community=community, week_start=week_start, cause=cause, by=by))
        if Roster.Status.DRAFT in statuses:
            runs.append(roster_generate(community=community, week_start=week_start, by=by,
                                        kind=SolveRun.Kind.RESOLVE, cause=cause, reason=cause_summary(cause)))
    runs = list(dict.fromkeys(r for r in runs if r is not None))
    if withdrawn:  # a shift now short: the call-down asks at once unless the re-plan may fill it by itself
        replanned = {r.community_id for r in runs if r.kind == SolveRun.Kind.REPAIR}
        waiting = [s for s, _m in withdrawn if not Shift.objects.filter(
            pk=s, community_id__in=replanned, community__auto_apply_repairs=True).exists()]
        if waiting:
            transaction.on_commit(partial(cover_after_withdraw, shift_ids=waiting, reason=reason,
                                          active=member.active))
    logger.info("availability of member %s changed: %d runs queued", member.pk, len(runs))
    return runs


def _replan_cause(*, member: Member, reason: str, community: Community) -> dict:
    """Why a re-plan is made, as data for Roster.cause_display. The reason (e.g. illness) is health information:
    only the member's home community keeps it; others see that the member is unavailable."""
    shown = reason if community.pk == member.community_id else "unavailable"
    return {"kind": "availability", "member": member.pk, "name": member.name, "reason": shown}


def _published_withdraw(*, member: Member, start: dt.datetime, end: dt.datetime, by=None) -> list[tuple[int, int]]:
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


# ------------------------------------------------------------------ a week's open versions

def _repair(*, community: Community, week_start: dt.date, reason: str = "", cause: dict | None = None,
            by=None) -> SolveRun | None:
    """Queue a minimal-change re-solve of a published week (previous = the published roster).

    None when the week has no published roster (the next draft will see the change anyway). A repair already
    queued picks up the new facts when it runs; one already running is followed by another (_after_run).
    """
    week_start = week_start_of(week_start)
    if roster_for_week(community, week_start, Roster.Status.PUBLISHED) is None:
        return None
    if cause and not reason:
        reason = cause_summary(cause)
    return roster_generate(community=community, week_start=week_start, by=by, kind=SolveRun.Kind.REPAIR,
                           reason=reason, cause=cause)


def _open_versions_follow(*, community: Community, week_start: dt.date, reason: str = "",
                          cause: dict | None = None, trusted: int | None = None) -> list[SolveRun]:
    """Make the week's draft and re-plan proposal follow what people told Yure: a draft that books someone
    against a recorded absence or a decision is solved again (keeping pins), such a proposal is made again.
    Each solve forbids those pairs, so this settles once the facts stop changing. `trusted`: a roster just solved
    from the current facts, left alone (a conflict there would be a defect, and solving again would loop)."""
    runs = []
    for roster in Roster.objects.filter(community=community, week_start=week_start,
                                        status__in=(Roster.Status.DRAFT, Roster.Status.PROPOSAL)).exclude(pk=trusted):
        if not roster_conflicts(roster):
            continue
        if roster.status == Roster.Status.DRAFT:
            runs.append(roster_generate(community=community, week_start=week_start, kind=SolveRun.Kind.RESOLVE,
                                        reason=reason, cause=cause))
        else:
            runs.append(_repair(community=community, week_start=week_start, reason=reason, cause=cause))
    return [r for r in runs if r is not None]


# ------------------------------------------------------------------ after a solve

def _after_run(run: SolveRun) -> list[SolveRun]:
    """Plan again what the run could not see, so that what people told Yure binds every roster of the week.

    A repair reads the facts when it starts, so changes after its start are late; a generate or re-solve
    absorbed a repair request while it waited, so for those every change since the request is late: one more
    repair of the published week follows. And whatever the timing, the week's draft and proposal are made to
    follow absences and decisions (_open_versions_follow); a run that failed is shown to the secretary, not tried
    again and again.
    """
    since = run.started_at if run.kind == SolveRun.Kind.REPAIR else run.requested_at
    if since is None:
        return []
    runs = []
    members = Member.objects.filter(community=run.community)
    late = (Unavailability.objects.filter(member__in=members, created_at__gt=since).exists()
            or members.filter(updated_at__gt=since).exists())
    if late:
        runs.append(_repair(community=run.community, week_start=run.week_start, reason=run.reason, cause=run.cause))
    done = SolveRun.objects.filter(pk=run.pk, status=SolveRun.Status.SUCCEEDED).first()
    if done is not None:
        decided_late = late or ShiftExclusion.objects.filter(shift__community=run.community,
                                                             created_at__gt=since).exists()
        runs.extend(_open_versions_follow(community=run.community, week_start=run.week_start, reason=run.reason,
                                          cause=run.cause, trusted=None if decided_late else done.result_id))
    return list(dict.fromkeys(r for r in runs if r is not None))

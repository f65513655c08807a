"""Queue the solve of a community's weekly roster, and publish it.

The week's shifts are made by shifts.rostering.week_making, the secretary's edits are shifts.rostering.review.

Writes happen here; the optimizer runs on the queue (shifts.tasks -> shifts.rostering.solving). Every change is
audited under a dotted code (shifts.roster.*, shifts.assignment.*) and members see changes only once a roster
is published.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_q import tasks as django_q_tasks

from shifts import signals
from shifts.messaging.jobs import message_job_queue
from shifts.messaging.labels import shift_label
from shifts.models import Roster, Shift, ShiftExclusion, SolveRun
from shifts.rostering.reasons import ReasonWords, reason_sentence
from shifts.rostering.rules import roster_conflicts, roster_rule_breaks
from shifts.rostering.selectors import solve_run_active
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_start_of
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

ACTIVE_RUN = (SolveRun.Status.QUEUED, SolveRun.Status.RUNNING)


# ------------------------------------------------------------------ generate

def roster_generate(*, community: Community, week_start: dt.date, by=None, kind: str = SolveRun.Kind.GENERATE,
                    reason: str = "", cause: dict | None = None, time_limit: float | None = None) -> SolveRun:
    """Queue a solve for the community-week; a second request while one is queued or running returns that run.

    The week's shifts are made first. The task is enqueued after the transaction commits.
    """
    week_start = week_start_of(week_start)
    if kind not in SolveRun.Kind.values:
        raise ValidationError({"kind": f"unknown kind {kind!r}"})
    with transaction.atomic():
        # Serialises concurrent requests for the same community (PostgreSQL); SQLite serialises all writes.
        Community.objects.select_for_update().filter(pk=community.pk).first()
        active = solve_run_active(community, week_start)
        if active is not None:
            return active
        if kind != SolveRun.Kind.REPAIR:
            shifts_make_for_week(community=community, week_start=week_start)
        run, created = solve_run_new(community, week_start, kind, reason, by, time_limit, cause)
        if not created:
            return run  # lost a race: the concurrent run
        audit_log(action=f"shifts.roster.{kind}_requested", actor=by, community=community, obj=run,
                  data={"week_start": week_start.isoformat(), "run": run.pk}, reason=reason)
        transaction.on_commit(partial(enqueue_solve, [run.pk]))
    return run


def _default_time_limit(kind: str) -> float:
    if kind == SolveRun.Kind.REPAIR:
        return float(min(settings.REPAIR_TIME_LIMIT, settings.SOLVER_TIME_LIMIT))
    return float(settings.SOLVER_TIME_LIMIT)


def solve_run_new(community, week_start, kind, reason, by, time_limit, cause=None) -> tuple[SolveRun | None, bool]:
    run = SolveRun(community=community, week_start=week_start, kind=kind, reason=reason[:300], cause=cause or {},
                   requested_by=by if getattr(by, "is_authenticated", False) else None,
                   time_limit=time_limit or _default_time_limit(kind))
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError:
        return solve_run_active(community, week_start), False
    return run, True


def enqueue_solve(run_ids: list[int], *, district_job: str = "", district_run_ids: list[int] | None = None):
    """Put one solve task on the queue for runs solved together (one community, or a connected group)."""
    ids = [int(pk) for pk in run_ids]
    options = {"task_name": "solve-" + "-".join(map(str, ids)), "timeout": settings.Q_CLUSTER.get("timeout")}
    if district_job:
        options["group"] = district_job
    try:
        if len(ids) == 1 and not district_job:
            task_id = django_q_tasks.async_task("shifts.tasks.solve_run", ids[0], **options)
        else:
            task_id = django_q_tasks.async_task("shifts.tasks.solve_group", ids, district_job=district_job,
                                 district_run_ids=district_run_ids or ids, **options)
    except Exception:  # broker down: the run stays queued and solve_runs_recover queues it again later
        logger.exception("could not queue solve runs %s", ids)
        return None
    SolveRun.objects.filter(pk__in=ids, task_id="").update(task_id=str(task_id)[:64])
    return task_id


# ------------------------------------------------------------------ what the review may change

def roster_check_editable(roster: Roster) -> None:
    """Hand edits go to a draft or a re-plan proposal; the refusal says what happened in words, never a state."""
    if roster.status in Roster.EDITABLE:
        return
    if roster.status == Roster.Status.PUBLISHED:
        raise ValidationError({"roster": _("This roster is published; a published week changes only by a re-plan.")})
    raise ValidationError({"roster": STALE_ROSTER_TEXT})


# What a page made from an older version of the week says when it is acted on (谁能接？, 固定, 移出).
STALE_ROSTER_TEXT = _lazy("This roster has been planned again since you opened the page. Please go back to the "
                          "week's roster and look again.")


def exclusion_record(*, shift: Shift, member: Member, cause: str, reason: str = "", by=None) -> ShiftExclusion:
    """Record that the member is not to be planned on the shift again (idempotent: the latest cause wins)."""
    exclusion, _created = ShiftExclusion.objects.update_or_create(
        shift=shift, member=member,
        defaults={"cause": cause, "reason": reason[:300],
                  "created_by": by if getattr(by, "is_authenticated", False) else None})
    return exclusion


# ------------------------------------------------------------------ publish

def roster_pairs(roster: Roster | None) -> set[tuple[int, int]]:
    if roster is None:
        return set()
    return set(roster.assignments.values_list("shift_id", "member_id"))


def roster_diff(old: Roster | None, new_pairs: set[tuple[int, int]]) -> dict:
    old_pairs = roster_pairs(old)
    return {"added": [{"shift": s, "member": m} for s, m in sorted(new_pairs - old_pairs)],
            "removed": [{"shift": s, "member": m} for s, m in sorted(old_pairs - new_pairs)]}


def diff_is_urgent(diff: dict, now: dt.datetime | None = None) -> bool:
    """A change that touches a shift starting within 48 hours."""
    now = now or timezone.now()
    shift_ids = {item["shift"] for key in ("added", "removed") for item in diff.get(key, [])}
    return Shift.objects.filter(pk__in=shift_ids, start__lt=now + dt.timedelta(hours=48),
                                end__gt=now).exists()


class PublishConflicts(ValidationError):
    """Publishing would book people against what they told Yure; `lines` names each person, shift and reason."""

    def __init__(self, lines: list[str]):
        super().__init__({"conflicts": lines})
        self.lines = lines


def conflict_lines(roster: Roster, conflicts: dict, breaks=(), *, reader) -> list[str]:
    """One line per problem, by time: '宋冬梅 · 巡逻 12月7日 周一 09:00–11:00 · 已报告不能来' for a booking against what
    someone told us, then each other broken rule as a sentence ('巡逻 … 没有持急救证的人'). Reasons are said as
    `reader` may read them (ReasonWords); None is the system itself."""
    shift_ids = {s for s, _m in conflicts} | {b.shift_id for b in breaks if b.shift_id}
    shifts = Shift.objects.filter(pk__in=shift_ids).select_related("duty__lead_skill").in_bulk()
    names = dict(Member.objects.filter(pk__in={m for _s, m in conflicts} | {b.member_id for b in breaks
                                                                             if b.member_id})
                 .values_list("pk", "name"))
    ordered = sorted(conflicts.items(), key=lambda item: (shifts[item[0][0]].start, names[item[0][1]]))
    words = ReasonWords(reader, names)
    lines = [f"{names[m]} · {shift_label(shifts[s])} · {words.detail(code, m)}" for (s, m), code in ordered]
    for b in breaks:
        shift = shifts.get(b.shift_id)
        skill = shift.duty.lead_skill.name if shift is not None and shift.duty.lead_skill_id else ""
        lines.append(reason_sentence(b.code, name=names.get(b.member_id, ""), skill=skill,
                                     shift=shift_label(shift) if shift is not None else ""))
    return lines


def roster_publish(*, roster: Roster, by, override_reason: str = "") -> Roster:
    """Make a draft (or an approved proposal) the published version, atomically.

    It never books someone against a recorded absence or a decision (shifts.rostering.rules.roster_conflicts):
    with such a conflict it raises PublishConflicts, unless the secretary gives `override_reason`, which is audited.

    The previous published version becomes superseded; the new one gets version + 1 and the diff against it.
    Shifts whose staffing changed get a higher SEQUENCE so calendars take the change. After commit: the
    assignments_changed signal, and a message to each member whose shifts changed.
    """
    with transaction.atomic():
        roster = Roster.objects.select_for_update().select_related("community").get(pk=roster.pk)
        roster_check_editable(roster)
        conflicts, breaks = roster_conflicts(roster), roster_rule_breaks(roster)
        override_reason = (override_reason or "").strip()
        if (conflicts or breaks) and not override_reason:
            raise PublishConflicts(conflict_lines(roster, conflicts, breaks, reader=by))
        if conflicts or breaks:
            audit_log(action="shifts.roster.published_over_conflicts", actor=by, community=roster.community,
                      obj=roster, reason=override_reason,
                      data={"conflicts": [{"shift": s, "member": m, "code": c} for (s, m), c in conflicts.items()]
                            + [{"shift": b.shift_id, "member": b.member_id, "code": b.code} for b in breaks]})
        previous = (Roster.objects.select_for_update()
                    .filter(community=roster.community, week_start=roster.week_start,
                            status=Roster.Status.PUBLISHED).first())
        diff = roster_diff(previous, roster_pairs(roster))
        last_version = (Roster.objects.filter(community=roster.community, week_start=roster.week_start)
                        .order_by("-version").values_list("version", flat=True).first()) or 0
        if previous is not None:
            previous.status = Roster.Status.SUPERSEDED
            previous.save(update_fields=["status"])
        if roster.status == Roster.Status.PROPOSAL:
            # Applying a re-plan replaces the published version; an older draft stays for the secretary.
            roster.urgent = roster.urgent or diff_is_urgent(diff)
        roster.status = Roster.Status.PUBLISHED
        roster.version = last_version + 1
        roster.diff = diff
        roster.based_on = previous
        roster.published_at = timezone.now()
        roster.published_by = by if getattr(by, "is_authenticated", False) else None
        roster.full_clean()
        roster.save()
        shift_ids = {item["shift"] for key in ("added", "removed") for item in diff[key]}
        member_ids = {item["member"] for key in ("added", "removed") for item in diff[key]}
        Shift.objects.filter(pk__in=shift_ids).update(sequence=F("sequence") + 1, updated_at=timezone.now())
        audit_log(action="shifts.roster.published", actor=by, community=roster.community, obj=roster,
                  data={"week_start": roster.week_start.isoformat(), "version": roster.version,
                        "previous": previous.pk if previous else None,
                        "added": len(diff["added"]), "removed": len(diff["removed"])}, reason=roster.reason)
        transaction.on_commit(partial(_after_publish, roster, diff, by, member_ids, shift_ids))
        if member_ids:  # committed with the publish: a broker that is down delays the messages, never loses them
            message_job_queue(task="shifts.tasks.notify_roster_published", args=[roster.pk],
                              key=f"notify-roster-{roster.pk}")
    return roster


def _after_publish(roster, diff, by, member_ids, shift_ids):
    # One fact, one signal: the feeds sync every shift of the version, and cancel the events of removed pairs.
    shift_ids = set(shift_ids) | set(roster.assignments.values_list("shift_id", flat=True))
    signals.assignments_changed.send(sender=Roster, member_ids=set(member_ids), shift_ids=shift_ids,
                                     community_ids={roster.community_id},
                                     removed=[(row["shift"], row["member"]) for row in diff["removed"]])

"""Generate, review and publish a community's weekly roster.

Writes happen here; the optimizer runs on the queue (shifts.tasks -> shifts.services.solving). Every change is
audited under a dotted code (shifts.roster.*, shifts.assignment.*) and members see changes only once a roster
is published.
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import signals
from shifts.models import Assignment, Duty, Roster, Shift, ShiftExclusion, ShiftTemplate, SolveRun
from shifts.selectors import solve_run_active
from volunteers.calendars import calendar_days
from volunteers.models import Community, Member, VisitTarget
from volunteers.selectors import members_serving
from volunteers.services.audit import audit_log

from .labels import shift_label
from .problem import connected_groups
from .rules import WeekRules, reason_detail, reason_sentence, roster_conflicts, roster_rule_breaks
from .weeks import local_zone, week_bounds, week_start_of

logger = logging.getLogger(__name__)

EDITABLE = (Roster.Status.DRAFT, Roster.Status.PROPOSAL)
ACTIVE_RUN = (SolveRun.Status.QUEUED, SolveRun.Status.RUNNING)


# ------------------------------------------------------------------ shifts of a week

def shifts_make_for_week(*, community: Community, week_start: dt.date) -> list[Shift]:
    """Make the week's shifts from the active templates and one visit per active household; idempotent.

    Returns the shifts created by this call (none when they all exist already).
    """
    week_start = week_start_of(week_start)
    zone = local_zone()
    created = []
    # Everyone is at the monthly study session, so no duty is planned during it.
    study = [study_session_make(community=community, day=day)[0]
             for day in (week_start + dt.timedelta(days=n) for n in range(7)) if day.day == STUDY_DAY]
    for template, day, (min_staff, max_staff) in _template_runs(community, week_start):
        start, end = template.occurrence_on(day, zone)
        if _during_any(study, start, end) or Shift.objects.filter(template=template, start=start).exists():
            continue
        shift = Shift(community=community, duty=template.duty, start=start, end=end, template=template,
                      min_staff=min_staff, max_staff=max_staff, location=template.location,
                      name=template.name, visit_target=template.visit_target)
        if _save_new_shift(shift):
            created.append(shift)
    created.extend(_visit_shifts(community, week_start, busy=study))
    if created:
        logger.info("made %d shifts for %s week %s", len(created), community, week_start)
    return created


def _template_runs(community: Community, week_start: dt.date):
    """(template, date, (people wanted, most people)) for each run of the week, as the calendar says.

    Each date runs the templates of its timetable weekday (a make-up workday has those of the weekday it
    replaces, instead of its own); on a public holiday each template runs, is skipped or has its holiday numbers.
    """
    by_weekday = defaultdict(list)
    for template in ShiftTemplate.objects.filter(community=community, active=True).select_related("duty"):
        by_weekday[template.weekday].append(template)
    days = calendar_days(week_start, week_start + dt.timedelta(days=7))
    for day, info in sorted(days.items()):
        for template in by_weekday[info.timetable_weekday]:
            staff = template.staff_on(holiday=info.is_holiday)
            if staff is not None:
                yield template, day, staff


def _during_any(sessions: list[Shift], start: dt.datetime, end: dt.datetime) -> bool:
    return any(session.start < end and start < session.end for session in sessions)


STUDY_DAY = 25  # the party branch's monthly study day


def study_duty() -> Duty:
    duty, _created = Duty.objects.get_or_create(code="study", defaults={"name": "学习会", "name_en": "Study session"})
    return duty


def study_session_make(*, community: Community, day: dt.date) -> tuple[Shift, bool]:
    """The community's study session (党员学习会) on `day`, made once; returns (shift, created).

    It is a gathering for every member rather than places to fill, so the optimizer leaves it out
    (settings.UNROSTERED_DUTIES) and the week's duties are not planned during it."""
    start = dt.datetime.combine(day, getattr(settings, "STUDY_SESSION_START", dt.time(9, 0)), tzinfo=local_zone())
    minutes = int(getattr(settings, "STUDY_SESSION_MINUTES", 90))
    duty = study_duty()
    existing = Shift.objects.filter(community=community, duty=duty, start=start).first()
    if existing is not None:
        return existing, False
    shift = Shift(community=community, duty=duty, start=start, end=start + dt.timedelta(minutes=minutes),
                  min_staff=0, max_staff=max(members_serving(community).count(), 1), name="党员学习会")
    if _save_new_shift(shift):
        return shift, True
    return Shift.objects.get(community=community, duty=duty, start=start), False


def _save_new_shift(shift: Shift) -> bool:
    shift.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            shift.save()
    except IntegrityError:  # made concurrently by another request: that one counts
        return False
    return True


def _visit_shifts(community: Community, week_start: dt.date, *, busy: list[Shift]) -> list[Shift]:
    targets = (VisitTarget.objects.filter(community=community, active=True)
               .exclude(templates__active=True))  # households with their own template are visited by it
    targets = list(targets)
    if not targets:
        return []
    code = getattr(settings, "VISIT_DUTY_CODE", "visiting")
    duty = Duty.objects.filter(code=code).first()
    if duty is None:
        logger.warning("no duty %r: weekly home visits for %s not made", code, community)
        return []
    zone = local_zone()
    created = []
    for target in targets:
        day = week_start + dt.timedelta(days=target.visit_weekday)
        start = dt.datetime.combine(day, target.visit_start, tzinfo=zone)
        end = start + dt.timedelta(minutes=target.visit_minutes)
        if _during_any(busy, start, end) or Shift.objects.filter(
                visit_target=target, template__isnull=True, start=start).exists():
            continue
        shift = Shift(community=community, duty=duty, start=start, end=end, min_staff=1, max_staff=2,
                      visit_target=target, name=_("Home visit"))
        if _save_new_shift(shift):
            created.append(shift)
    return created


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
        run, created = _new_run(community, week_start, kind, reason, by, time_limit, cause)
        if not created:
            return run  # lost a race: the concurrent run
        audit_log(action=f"shifts.roster.{kind}_requested", actor=by, community=community, obj=run,
                  data={"week_start": week_start.isoformat(), "run": run.pk}, reason=reason)
        transaction.on_commit(partial(enqueue_solve, [run.pk]))
    return run


def _default_time_limit(kind: str) -> float:
    if kind == SolveRun.Kind.REPAIR:
        return float(getattr(settings, "REPAIR_TIME_LIMIT", min(5, settings.SOLVER_TIME_LIMIT)))
    return float(settings.SOLVER_TIME_LIMIT)


def _new_run(community, week_start, kind, reason, by, time_limit, cause=None) -> tuple[SolveRun | None, bool]:
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
    from django_q.tasks import async_task

    ids = [int(pk) for pk in run_ids]
    options = {"task_name": "solve-" + "-".join(map(str, ids)), "timeout": settings.Q_CLUSTER.get("timeout")}
    if district_job:
        options["group"] = district_job
    try:
        if len(ids) == 1 and not district_job:
            task_id = async_task("shifts.tasks.solve_run", ids[0], **options)
        else:
            task_id = async_task("shifts.tasks.solve_group", ids, district_job=district_job,
                                 district_run_ids=district_run_ids or ids, **options)
    except Exception:  # broker down: the run stays queued and solve_runs_recover queues it again later
        logger.exception("could not queue solve runs %s", ids)
        return None
    SolveRun.objects.filter(pk__in=ids, task_id="").update(task_id=str(task_id)[:64])
    return task_id


def district_generate(*, communities, week_start: dt.date, by=None, reason: str = "") -> tuple[str, list[SolveRun]]:
    """Fan out one task per connected group of communities (linked by guest members); a last step collects.

    Communities with a solve already queued or running keep it and are left out. Returns (job, runs).
    """
    week_start = week_start_of(week_start)
    job = f"district-{week_start.isoformat()}-{uuid.uuid4().hex[:8]}"
    planned: list[list[int]] = []
    runs: list[SolveRun] = []
    with transaction.atomic():
        for group in connected_groups(communities):
            ids = []
            for community in group:
                Community.objects.select_for_update().filter(pk=community.pk).first()
                if solve_run_active(community, week_start) is not None:
                    continue
                shifts_make_for_week(community=community, week_start=week_start)
                run, created = _new_run(community, week_start, SolveRun.Kind.GENERATE, reason or job, by, None)
                if created:
                    ids.append(run.pk)
                    runs.append(run)
            if ids:
                planned.append(ids)
        all_ids = [pk for ids in planned for pk in ids]
        audit_log(action="shifts.district.generate_requested", actor=by,
                  data={"job": job, "week_start": week_start.isoformat(), "runs": all_ids, "groups": planned})
        for ids in planned:
            transaction.on_commit(partial(enqueue_solve, ids, district_job=job, district_run_ids=all_ids))
    return job, runs


# ------------------------------------------------------------------ review: pin, remove, add

def _check_editable(roster: Roster) -> None:
    if roster.status not in EDITABLE:
        raise ValidationError({"roster": _("Only a draft or a re-plan proposal can be edited; "
                                           "this roster is %(status)s.") % {"status": roster.get_status_display()}})


def _check_shift(roster: Roster, shift: Shift) -> None:
    start, end = week_bounds(roster.week_start)
    if shift.community_id != roster.community_id or not start <= shift.start < end:
        raise ValidationError({"shift": _("This shift is not in the roster's community and week.")})


def assignment_pin(*, roster: Roster, shift: Shift, member: Member, by, pinned: bool = True) -> Assignment:
    """Keep (or stop keeping) an assignment as is when the roster is solved again."""
    _check_editable(roster)
    try:
        assignment = roster.assignments.get(shift=shift, member=member)
    except Assignment.DoesNotExist:
        raise ValidationError({"member": _("%(member)s is not assigned to this shift.") % {"member": member}})
    if assignment.pinned != pinned:
        assignment.pinned = pinned
        assignment.save(update_fields=["pinned"])
        audit_log(action="shifts.assignment.pinned" if pinned else "shifts.assignment.unpinned", actor=by,
                  community=roster.community, obj=assignment,
                  data={"roster": roster.pk, "shift": shift.pk, "member": member.pk})
    return assignment


def assignment_remove(*, roster: Roster, shift: Shift, member: Member, by, reason: str = "") -> None:
    """Take a member off a shift of a draft or proposal. With a reason, the decision sticks: every later solve and
    re-plan of the week leaves the member off this shift (a ShiftExclusion), until they are added back by hand."""
    _check_editable(roster)
    reason = (reason or "").strip()
    deleted, _detail = roster.assignments.filter(shift=shift, member=member).delete()
    if not deleted:
        raise ValidationError({"member": _("%(member)s is not assigned to this shift.") % {"member": member}})
    if reason:
        exclusion_record(shift=shift, member=member, cause=ShiftExclusion.Cause.REMOVED, reason=reason, by=by)
        # the week's other open version (a re-plan proposal) must follow the decision too
        transaction.on_commit(partial(_follow_decisions, roster.community, roster.week_start))
    audit_log(action="shifts.assignment.removed", actor=by, community=roster.community, obj=roster,
              data={"shift": shift.pk, "member": member.pk, "sticks": bool(reason)}, reason=reason)


def _follow_decisions(community, week_start) -> None:
    from .repair import rosters_follow_decisions  # repair builds on this module: imported when the commit lands

    rosters_follow_decisions(community=community, week_start=week_start)


def exclusion_record(*, shift: Shift, member: Member, cause: str, reason: str = "", by=None) -> ShiftExclusion:
    """Record that the member is not to be planned on the shift again (idempotent: the latest cause wins)."""
    exclusion, _created = ShiftExclusion.objects.update_or_create(
        shift=shift, member=member,
        defaults={"cause": cause, "reason": reason[:300],
                  "created_by": by if getattr(by, "is_authenticated", False) else None})
    return exclusion


def assignment_rule_violations(*, roster: Roster, shift: Shift, member: Member) -> list[str]:
    """Every rule that adding the member to the shift would break, in words (shifts.services.rules)."""
    rules = WeekRules.of_roster(roster, extra_member_ids={member.pk})
    if not rules.knows(shift_id=shift.pk):
        return []  # a gathering such as the study session: open to everyone, no rostering rules
    return [reason_detail(code) for code in dict.fromkeys(r.code for r in rules.can_take(shift.pk, member.pk))]


def assignment_add(*, roster: Roster, shift: Shift, member: Member, by, override_reason: str = "",
                   pinned: bool = True) -> Assignment:
    """Assign by hand. If a rule breaks, an override reason is required and recorded. Adding a member back to a
    shift they were taken off (or gave away) is the secretary's newer decision: the exclusion is lifted."""
    _check_editable(roster)
    _check_shift(roster, shift)
    if not member.active:
        raise ValidationError({"member": _("%(member)s is not active.") % {"member": member}})
    if roster.assignments.filter(shift=shift, member=member).exists():
        raise ValidationError({"member": _("%(member)s is already on this shift.") % {"member": member}})
    violations = assignment_rule_violations(roster=roster, shift=shift, member=member)
    override_reason = (override_reason or "").strip()
    if violations and not override_reason:
        raise ValidationError({"override_reason": _("This assignment breaks a rule (%(rules)s). Give a reason "
                                                    "to override it.") % {"rules": _("; ").join(violations)}})
    assignment = Assignment(roster=roster, shift=shift, member=member, pinned=pinned,
                            source=Assignment.Source.MANUAL, override_reason=override_reason if violations else "",
                            created_by=by if getattr(by, "is_authenticated", False) else None)
    assignment.full_clean()
    assignment.save()
    lifted, _detail = ShiftExclusion.objects.filter(shift=shift, member=member).delete()
    audit_log(action="shifts.assignment.overridden" if violations else "shifts.assignment.added", actor=by,
              community=roster.community, obj=assignment,
              data={"roster": roster.pk, "shift": shift.pk, "member": member.pk, "violations": violations,
                    "exclusion_lifted": bool(lifted)},
              reason=override_reason)
    return assignment


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


def conflict_lines(roster: Roster, conflicts: dict, breaks=()) -> list[str]:
    """One line per problem, by time: '宋冬梅 · 巡逻 12月7日 周一 09:00–11:00 · 已报告不能来' for a booking against what
    someone told us, then each other broken rule as a sentence ('巡逻 … 没有持急救证的人')."""
    shift_ids = {s for s, _m in conflicts} | {b.shift_id for b in breaks if b.shift_id}
    shifts = Shift.objects.filter(pk__in=shift_ids).select_related("duty__lead_skill").in_bulk()
    names = dict(Member.objects.filter(pk__in={m for _s, m in conflicts} | {b.member_id for b in breaks
                                                                             if b.member_id})
                 .values_list("pk", "name"))
    ordered = sorted(conflicts.items(), key=lambda item: (shifts[item[0][0]].start, names[item[0][1]]))
    lines = [f"{names[m]} · {shift_label(shifts[s])} · {reason_detail(code)}" for (s, m), code in ordered]
    for b in breaks:
        shift = shifts.get(b.shift_id)
        skill = shift.duty.lead_skill.name if shift is not None and shift.duty.lead_skill_id else ""
        lines.append(reason_sentence(b.code, name=names.get(b.member_id, ""), skill=skill,
                                     shift=shift_label(shift) if shift is not None else ""))
    return lines


def roster_publish(*, roster: Roster, by, override_reason: str = "") -> Roster:
    """Make a draft (or an approved proposal) the published version, atomically.

    It never books someone against a recorded absence or a decision (shifts.services.rules.roster_conflicts):
    with such a conflict it raises PublishConflicts, unless the secretary gives `override_reason`, which is audited.

    The previous published version becomes superseded; the new one gets version + 1 and the diff against it.
    Shifts whose staffing changed get a higher SEQUENCE so calendars take the change. After commit: the
    assignments_changed and roster_published signals, and a message to each member whose shifts changed.
    """
    with transaction.atomic():
        roster = Roster.objects.select_for_update().select_related("community").get(pk=roster.pk)
        _check_editable(roster)
        conflicts, breaks = roster_conflicts(roster), roster_rule_breaks(roster)
        override_reason = (override_reason or "").strip()
        if (conflicts or breaks) and not override_reason:
            raise PublishConflicts(conflict_lines(roster, conflicts, breaks))
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
    return roster


def _after_publish(roster, diff, by, member_ids, shift_ids):
    from django_q.tasks import async_task

    signals.assignments_changed.send(sender=Roster, member_ids=set(member_ids), shift_ids=set(shift_ids),
                                     community_ids={roster.community_id})
    signals.roster_published.send(sender=Roster, roster=roster, diff=diff, by=by)
    if member_ids:
        try:
            async_task("shifts.tasks.notify_roster_published", roster.pk, task_name=f"notify-roster-{roster.pk}")
        except Exception:  # broker down: the roster is published; the messages follow once it is back
            logger.exception("could not queue notifications for roster %s; shifts.tasks.roster_messages_catch_up "
                             "sends them when the broker is back", roster.pk)

"""District generate. First stage (district_generate): the district's communities are split into groups
linked by guest members (connected_groups), and one solve task is queued per group; a last step collects.

Second stage: each community's draft improved on its own, across queue workers.

A linked district is one connected group, so its first stage is one solve over every community (one task).
Then every community of a group of two or more gets an improvement task: the community alone is solved again
with CP-SAT while its guests' assignments in the neighbouring drafts stay fixed (the problem builder books them
as busy elsewhere and lowers their weekly limits). The result replaces the community's draft only if

- it is cheaper than the draft under the same problem (the checker recomputes the draft's objective), and
- nothing it read has changed since: the community's draft and the draft of every community its members also
  serve must still have the digest they had when the task read them (``draft_digest``). Otherwise the merge is
  refused as stale and the task is queued once more.

Tasks are queued colour class by colour class (communities that share no member together), largest unfilled
count first, so the tasks that queue workers on different machines take at the same time are non-adjacent.
"""

import datetime as dt
import hashlib
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q import tasks as django_q_tasks

import solver
from shifts.models import Assignment, Roster, SolveRun
from shifts.rostering.problem import problem_for_communities
from shifts.rostering.problem_docs import member_key, shift_key
from shifts.rostering.rosters import enqueue_solve, roster_diff, solve_run_new
from shifts.rostering.selectors import roster_for_week, solve_run_active
from shifts.rostering.solution_split import solution_split
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_start_of
from volunteers.models import AuditEntry, Community, Member
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

MAX_STALE_RETRIES = 1


# ------------------------------------------------------------------ first stage: fan out by connected group

def connected_groups(communities) -> list[list[Community]]:
    """Split communities into groups linked by members who serve more than one of them (union-find)."""
    communities = list(communities)
    parent = {c.pk: c.pk for c in communities}

    def find(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    links = Member.objects.filter(active=True, community_id__in=parent,
                                  extra_communities__in=list(parent)).values_list("community_id",
                                                                                  "extra_communities")
    for home, extra in links:
        if extra in parent:
            parent[find(home)] = find(extra)
    groups: dict[int, list[Community]] = defaultdict(list)
    for community in communities:
        groups[find(community.pk)].append(community)
    return sorted(groups.values(), key=lambda group: min(c.pk for c in group))


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
                run, created = solve_run_new(community, week_start, SolveRun.Kind.GENERATE, reason or job, by, None)
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


# ------------------------------------------------------------------ second stage: improve each community


def draft_digest(community_id: int, week_start: dt.date) -> str:
    """A version of the community's draft for the week: its pk and every (shift, member, pinned) it holds."""
    draft = (Roster.objects.filter(community_id=community_id, week_start=week_start, status=Roster.Status.DRAFT)
             .order_by("-pk").first())
    if draft is None:
        return "none"
    rows = sorted(draft.assignments.values_list("shift_id", "member_id", "pinned"))
    return hashlib.sha1(f"{draft.pk}:{rows}".encode()).hexdigest()


def neighbour_ids(community_id: int) -> set[int]:
    """Communities that share an active member with this one (home or extra)."""
    members = Member.objects.filter(active=True)
    homes = members.filter(extra_communities=community_id).values_list("community_id", flat=True)
    extras = members.filter(community_id=community_id).values_list("extra_communities", flat=True)
    return {pk for pk in [*homes, *extras] if pk is not None and pk != community_id}


def improvement_order(community_ids) -> list[list[int]]:
    """Colour classes of the sharing graph (greedy, most-unfilled community first): no two in a class share
    a member."""
    ids = list(community_ids)
    unfilled = {}
    for roster in Roster.objects.filter(community_id__in=ids, status=Roster.Status.DRAFT).order_by("pk"):
        unfilled[roster.community_id] = len(roster.unfilled or [])
    order = sorted(ids, key=lambda pk: (-unfilled.get(pk, 0), pk))
    colour: dict[int, int] = {}
    for pk in order:
        taken = {colour[n] for n in neighbour_ids(pk) if n in colour}
        colour[pk] = next(c for c in range(len(ids) + 1) if c not in taken)
    classes: dict[int, list[int]] = {}
    for pk in order:
        classes.setdefault(colour[pk], []).append(pk)
    return [classes[c] for c in sorted(classes)]


def district_improve_enqueue(*, job: str, week_start: dt.date, community_ids) -> int:
    """Queue one improvement task per community, colour class by colour class. Returns how many."""
    count = 0
    for group in improvement_order(community_ids):
        for pk in group:
            django_q_tasks.async_task("shifts.tasks.district_improve", job, pk, week_start.isoformat(),
                       task_name=f"improve-{job}-{pk}"[:100], group=job)
            count += 1
    return count


@dataclass
class Prepared:
    community: Community
    week_start: dt.date
    digests: dict[int, str]
    before: int | None
    bundle: object = None
    problem: object = None
    solution: object = None
    notes: dict = field(default_factory=dict)


def improve_prepare(*, community: Community, week_start: dt.date, time_limit: float | None = None) -> Prepared | None:
    """Read the drafts (recording their digests) and solve the community alone; writes nothing."""
    draft = roster_for_week(community, week_start, Roster.Status.DRAFT)
    if draft is None:
        return None
    read = sorted({community.pk} | neighbour_ids(community.pk))
    digests = {pk: draft_digest(pk, week_start) for pk in read}
    bundle = problem_for_communities(communities=[community], week_start=week_start,
                                     pins_status=Roster.Status.DRAFT, frozen_before=timezone.now(),
                                     withdrawn_keep_off=True)
    problem = solver.load_problem(bundle.document)
    current = [(shift_key(s), member_key(m)) for s, m in
               draft.assignments.filter(shift_id__in=bundle.shift_ids).values_list("shift_id", "member_id")]
    report = solver.check_solution(problem, current)
    before = report.objective if report.valid else None
    solution = solver.solve(problem, time_limit=time_limit or settings.SOLVER_TIME_LIMIT,
                     workers=settings.SOLVER_WORKERS, seed=0)
    return Prepared(community, week_start, digests, before, bundle, problem, solution)


def improve_merge(prepared: Prepared, *, job: str = "") -> str:
    """Write the improved roster into the community's draft under the version check.

    Returns "merged", "stale" (something read has changed), "not better" or "no roster"."""
    solution, community, week_start = prepared.solution, prepared.community, prepared.week_start
    if solution is None or solution.status not in ("OPTIMAL", "FEASIBLE"):
        return "no roster"
    if prepared.before is not None and solution.objective >= prepared.before:
        return "not better"
    with transaction.atomic():
        # Serialise merges touching these communities (PostgreSQL row locks; SQLite serialises all writes).
        list(Community.objects.select_for_update().filter(pk__in=prepared.digests).order_by("pk"))
        changed = [pk for pk, digest in prepared.digests.items() if draft_digest(pk, week_start) != digest]
        if changed:
            logger.info("district improve %s: community %s not merged, drafts changed meanwhile: %s", job,
                        community.pk, changed)
            audit_log(action="shifts.district.improve_stale", community=community,
                      data={"job": job, "week_start": week_start.isoformat(), "changed": changed})
            return "stale"
        draft = (Roster.objects.select_for_update()
                 .filter(community=community, week_start=week_start, status=Roster.Status.DRAFT).get())
        pairs_by_community, unfilled = solution_split(prepared.bundle, prepared.problem, solution)
        pairs = pairs_by_community[community.pk]
        shift_ids = prepared.bundle.shift_ids
        carry = {(a.shift_id, a.member_id): a for a in draft.assignments.filter(shift_id__in=shift_ids)}
        draft.assignments.filter(shift_id__in=shift_ids).delete()
        Assignment.objects.bulk_create([Assignment(
            roster=draft, shift_id=s, member_id=m,
            pinned=carry[(s, m)].pinned if (s, m) in carry else False,
            source=carry[(s, m)].source if (s, m) in carry else Assignment.Source.SOLVER,
            override_reason=carry[(s, m)].override_reason if (s, m) in carry else "",
            created_by=carry[(s, m)].created_by if (s, m) in carry else None) for s, m in sorted(pairs)])
        published = roster_for_week(community, week_start, Roster.Status.PUBLISHED)
        all_pairs = set(draft.assignments.values_list("shift_id", "member_id"))
        draft.solver_status, draft.objective, draft.bound = solution.status, solution.objective, solution.bound
        draft.breakdown = dict(solution.breakdown)
        draft.unfilled = unfilled[community.pk]
        draft.diff = roster_diff(published, all_pairs)
        draft.save(update_fields=["solver_status", "objective", "bound", "breakdown", "unfilled", "diff"])
        audit_log(action="shifts.district.improved", community=community, obj=draft,
                  data={"job": job, "week_start": week_start.isoformat(), "before": prepared.before,
                        "after": solution.objective, "assignments": len(pairs)})
    return "merged"


def district_improve(*, job: str, community_id: int, week_start: dt.date, attempt: int = 0) -> dict:
    """The queue task's body: prepare, merge, and queue once more if the merge was stale."""
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return {"community": community_id, "result": "gone"}
    prepared = improve_prepare(community=community, week_start=week_start)
    if prepared is None:
        return {"community": community_id, "result": "no draft"}
    result = improve_merge(prepared, job=job)
    if result == "stale" and attempt < MAX_STALE_RETRIES:
            transaction.on_commit(lambda: django_q_tasks.async_task("shifts.tasks.district_improve", job, community_id,
                                                 week_start.isoformat(), attempt + 1,
                                                 task_name=f"improve-{job}-{community_id}-again"[:100], group=job))
    return {"community": community_id, "result": result, "before": prepared.before,
            "after": prepared.solution.objective if prepared.solution else None}


__all__ = ["district_improve", "district_improve_enqueue", "draft_digest", "improve_merge", "improve_prepare",
           "improvement_order", "neighbour_ids"]


# ------------------------------------------------------------------ the end of a district generate

def district_collect_when_done(job: str, run_ids) -> None:
    if SolveRun.objects.filter(pk__in=run_ids, status__in=[SolveRun.Status.QUEUED,
                                                           SolveRun.Status.RUNNING]).exists():
        return
    django_q_tasks.async_task("shifts.tasks.district_collect", job, list(run_ids), task_name=f"collect-{job}",
                              group=job)


def district_collect(job: str, run_ids) -> dict:
    """The last step of a district generate: one summary, recorded once however often it is called."""
    runs = list(SolveRun.objects.filter(pk__in=run_ids).select_related("community", "result").order_by("pk"))
    summary = {"job": job, "runs": [
        {"run": r.pk, "community": r.community.name, "status": r.status, "objective": r.objective,
         "bound": r.bound, "roster": r.result_id, "unfilled": len(r.result.unfilled) if r.result else None,
         "error": r.error} for r in runs]}
    summary["succeeded"] = sum(r.status == SolveRun.Status.SUCCEEDED for r in runs)
    summary["failed"] = sum(r.status == SolveRun.Status.FAILED for r in runs)
    with transaction.atomic():
        if not AuditEntry.objects.filter(action="shifts.district.generate_finished", object_id=job[:40]).exists():
            linked = _linked_communities(job, runs) if settings.SOLVER_DISTRICT_IMPROVE else []
            if linked:
                summary["improving"] = len(linked)
            entry = audit_log(action="shifts.district.generate_finished", data=summary)
            AuditEntry.objects.filter(pk=entry.pk).update(object_type="district_job", object_id=job[:40])
            logger.info("district generate %s finished: %d succeeded, %d failed", job, summary["succeeded"],
                        summary["failed"])
            if linked:
                transaction.on_commit(partial(district_improve_enqueue, job=job, week_start=runs[0].week_start,
                                              community_ids=linked))
    return summary


def _linked_communities(job: str, runs) -> list[int]:
    """Communities of the job solved in a group of two or more whose run succeeded: the second stage
    improves each of them on its own (see services.district)."""
    requested = AuditEntry.objects.filter(action="shifts.district.generate_requested").order_by("-pk")
    groups = next((entry.data.get("groups", []) for entry in requested[:200] if entry.data.get("job") == job), [])
    succeeded = {r.pk: r.community_id for r in runs if r.status == SolveRun.Status.SUCCEEDED}
    return sorted({succeeded[pk] for group in groups if len(group) > 1 for pk in group if pk in succeeded})

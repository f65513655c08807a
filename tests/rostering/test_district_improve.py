"""District generate, second stage: each linked community improved on its own, merged under a version check."""

import datetime as dt

import pytest

from shifts.models import Roster
from shifts.rostering.district import (
    district_generate,
    draft_digest,
    improve_merge,
    improve_prepare,
    improvement_order,
    neighbour_ids,
)
from shifts.rostering.problem import member_key, problem_for_communities, shift_key
from shifts.rostering.review import assignment_remove
from solver import check_solution, load_problem
from tests import factories as f
from tests.rostering.test_district import small_district
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db


def drafts(week_start, communities):
    return {r.community_id: r for r in Roster.objects.filter(status=Roster.Status.DRAFT, week_start=week_start,
                                                           community__in=communities)}


def assert_valid_together(communities, week_start):
    problem = load_problem(problem_for_communities(communities=communities, week_start=week_start,
                                                   pins_status=None).document)
    pairs = [(shift_key(s), member_key(m)) for s, m in
             Roster.objects.filter(status=Roster.Status.DRAFT, week_start=week_start, community__in=communities)
             .values_list("assignments__shift_id", "assignments__member_id") if s is not None]
    report = check_solution(problem, pairs)
    assert report.valid, report.violations


def test_the_linked_communities_are_improved_after_a_district_generate(week_start, run_on_commit):
    communities, guest = small_district(week_start)
    job, runs = run_on_commit(district_generate, communities=communities, week_start=week_start)
    linked = communities[:2]
    # 甲 and 乙 share the guest: different colour classes; 丙 (alone) is not part of the second stage.
    order = improvement_order([c.pk for c in linked])
    assert sorted(len(group) for group in order) == [1, 1]
    assert neighbour_ids(linked[0].pk) == {linked[1].pk}
    finished = AuditEntry.objects.get(action="shifts.district.generate_finished", object_id=job[:40])
    assert finished.data["improving"] == 2
    assert len(drafts(week_start, communities)) == 3
    assert_valid_together(linked, week_start)


def test_an_improvement_is_merged_when_nothing_it_read_changed(week_start, run_on_commit):
    communities, guest = small_district(week_start)
    run_on_commit(district_generate, communities=communities, week_start=week_start)
    community = communities[0]
    draft = drafts(week_start, [community])[community.pk]
    # Empty the draft of 甲 so that solving it again is surely better.
    for a in list(draft.assignments.select_related("shift", "member")):
        assignment_remove(roster=draft, shift=a.shift, member=a.member, by=None)
    prepared = improve_prepare(community=community, week_start=week_start, time_limit=3)
    assert prepared.solution.objective < prepared.before
    assert improve_merge(prepared, job="test") == "merged"
    draft.refresh_from_db()
    assert draft.status == Roster.Status.DRAFT and draft.assignments.count() > 0
    assert draft.objective == prepared.solution.objective
    assert_valid_together(communities[:2], week_start)


def test_a_merge_refuses_a_stale_community(week_start, run_on_commit):
    communities, guest = small_district(week_start)
    run_on_commit(district_generate, communities=communities, week_start=week_start)
    community, neighbour = communities[0], communities[1]
    draft = drafts(week_start, [community])[community.pk]
    for a in list(draft.assignments.select_related("shift", "member")):
        assignment_remove(roster=draft, shift=a.shift, member=a.member, by=None)
    prepared = improve_prepare(community=community, week_start=week_start, time_limit=3)
    assert prepared.solution.objective < prepared.before
    assert set(prepared.digests) == {community.pk, neighbour.pk}
    # Meanwhile the secretary of 乙 (the guest's other community) edits her draft.
    other = drafts(week_start, [neighbour])[neighbour.pk]
    before_digest = draft_digest(neighbour.pk, week_start)
    edited = other.assignments.select_related("shift", "member").first()
    assignment_remove(roster=other, shift=edited.shift, member=edited.member, by=None)
    assert draft_digest(neighbour.pk, week_start) != before_digest
    assert improve_merge(prepared, job="test") == "stale"
    draft.refresh_from_db()
    assert draft.assignments.count() == 0  # untouched
    assert AuditEntry.objects.filter(action="shifts.district.improve_stale").count() == 1


def test_the_improvement_stage_can_be_turned_off(week_start, run_on_commit, settings):
    settings.SOLVER_DISTRICT_IMPROVE = False
    communities, guest = small_district(week_start)
    job, _runs = run_on_commit(district_generate, communities=communities, week_start=week_start)
    finished = AuditEntry.objects.get(action="shifts.district.generate_finished", object_id=job[:40])
    assert "improving" not in finished.data
    assert not AuditEntry.objects.filter(action="shifts.district.improved").exists()


def test_a_community_without_a_draft_is_skipped(week_start):
    community = f.community(name="空社区")
    assert improve_prepare(community=community, week_start=week_start + dt.timedelta(days=7)) is None

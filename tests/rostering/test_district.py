"""District fan-out: one task per connected group of communities, then one collecting step."""

import datetime as dt

import pytest

from shifts.models import Roster, SolveRun
from shifts.rostering.district import district_generate
from shifts.rostering.problem import member_key, problem_for_communities, shift_key
from solver import check_solution, load_problem
from tests import factories as f
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db


def small_district(week_start):
    patrol = f.duty("patrol")
    communities = [f.community(name=n, district="东城") for n in ("甲社区", "乙社区", "丙社区")]
    for community in communities:
        for day in range(3):
            f.template(community, patrol, day, start=dt.time(9, 0), end=dt.time(11, 0), min_staff=1, max_staff=1)
        for i in range(2):
            f.member(community, name=f"{community.name}{i}")
    # One guest serves 甲 and 乙 at the same hours: the two must be solved together.
    guest = f.member(communities[0], name="两边跑", extra=[communities[1]])
    return communities, guest


def test_district_generate_solves_each_connected_group_once_and_collects(week_start, q_sync, run_on_commit):
    communities, guest = small_district(week_start)
    job, runs = run_on_commit(district_generate, communities=communities, week_start=week_start)
    assert len(runs) == 3
    runs = list(SolveRun.objects.filter(pk__in=[r.pk for r in runs]).order_by("pk"))
    assert all(r.status == SolveRun.Status.SUCCEEDED for r in runs), [r.error for r in runs]
    assert len({r.task_id for r in runs}) == 2  # 甲+乙 in one task, 丙 alone
    drafts = Roster.objects.filter(status=Roster.Status.DRAFT, week_start=week_start)
    assert drafts.count() == 3
    linked = communities[:2]
    problem = load_problem(problem_for_communities(communities=linked, week_start=week_start,
                                                   pins_status=None).document)
    pairs = [(shift_key(s), member_key(m)) for s, m in
             drafts.filter(community__in=linked).values_list("assignments__shift_id", "assignments__member_id")]
    report = check_solution(problem, pairs)
    assert report.valid, report.violations  # in particular the guest is never booked twice at once
    finished = AuditEntry.objects.filter(action="shifts.district.generate_finished", object_id=job[:40])
    assert finished.count() == 1 and finished.get().data["succeeded"] == 3

"""RINS (solver/rins.py): a sub-solve guided by the column generation's LP fixes only the pairs on which the LP
and the incumbent roster agree, and returns a valid roster no worse than the incumbent."""

import time

import pytest

from solver import check_solution, load_problem, rins
from solver.bench.generate import generate_problem
from solver.colgen import ColumnGeneration
from solver.heuristic import heuristic_roster
from solver.model import Scope, build_model


@pytest.fixture(scope="module")
def converged():
    problem = load_problem(generate_problem(communities=1, members_per_community=50, seed=6))
    model, handles = build_model(problem, Scope.whole(problem))
    start = heuristic_roster(handles, deadline=time.monotonic() + 0.3, seed=0)
    handles.complete_hint(model, start)
    cg = ColumnGeneration(problem, handles)
    cg.run(time.monotonic() + 60, start)
    assert cg.converged
    return problem, model, handles, cg, set(start)


def assignments(problem, pairs):
    return [(problem.shifts[s].id, problem.members[m].id) for s, m in pairs]


def test_the_lp_values_are_the_weights_of_each_members_patterns(converged):
    problem, _model, handles, cg, _start = converged
    values = rins.lp_pair_values(cg)
    assert values and set(values) <= set(handles.x)
    for m in range(len(problem.members)):
        member_pairs = [v for (s, mm), v in values.items() if mm == m]
        # Each member's patterns are a convex combination, so no shift is held with more than weight 1.
        assert all(-1e-6 <= v <= 1 + 1e-6 for v in member_pairs)


def test_only_pairs_where_the_lp_and_the_incumbent_agree_are_fixed(converged):
    _problem, _model, handles, cg, start = converged
    values = rins.lp_pair_values(cg)
    fixed = rins.neighbourhood(handles, values, start)
    index_of = {var.Index(): pair for pair, var in handles.x.items()}
    for index, value in fixed.items():
        pair = index_of[index]
        assert value == int(pair in start)
        assert abs(values.get(pair, 0.0) - value) <= 1e-6
    free = [pair for pair, var in handles.x.items() if var.Index() not in fixed]
    assert free, "the heuristic roster and the LP disagree somewhere on this week"
    for pair in free:
        assert abs(values.get(pair, 0.0) - (pair in start)) > 1e-6
    assert len(free) < len(handles.x) / 4      # a small neighbourhood, not the whole week


def test_the_sub_solve_returns_a_valid_roster_no_worse_than_its_start(converged):
    problem, model, handles, cg, start = converged
    before = check_solution(problem, assignments(problem, start))
    assert before.valid
    result = rins.improve(model, handles, rins.lp_pair_values(cg), start, time_limit=10)
    assert result is not None and result.pairs
    after = check_solution(problem, assignments(problem, result.pairs))
    assert after.valid, after.violations
    assert after.objective == result.objective
    assert result.objective <= before.objective


def test_the_progress_report_hears_every_better_rins_roster_as_it_is_found(converged):
    """Issue 29, item 5: the progress bar heard CP-SAT's rosters only, never the sub-solve's."""
    from solver.scoped import _rins_report, _Tracker
    from solver.stopping import GapWatch

    problem, model, handles, cg, start = converged
    before = check_solution(problem, assignments(problem, start)).objective
    heard = []
    tracker = _Tracker()
    tracker.best, tracker.pairs = before, start
    watch = GapWatch(gap=0.0, constant=0)
    watch.proved(cg.master_value and int(cg.master_value) - 10**6)
    report = _rins_report(lambda objective, bound, elapsed: heard.append((objective, bound)), watch, tracker,
                          time.monotonic())
    result = rins.improve(model, handles, rins.lp_pair_values(cg), start, time_limit=10, on_roster=report)
    assert result is not None and result.objective < before, "this week's start is improvable"
    assert heard and heard[-1][0] == result.objective
    assert [o for o, _ in heard] == sorted({o for o, _ in heard}, reverse=True)   # each one better
    assert all(bound <= objective for objective, bound in heard)

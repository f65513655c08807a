"""The column generation's pricing (``ColumnGeneration.price``) against brute force on small random weeks.

Every bound of the sweep and of a community week rests on each member's minimum being exact, or a lower
bound of it: the pruning bounds (the minutes limit, the shift count, the fractional relaxation) must
never cut off a better pattern.
"""

import itertools
import random

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from solver import colgen
from solver.colgen import ColumnGeneration
from solver.model import candidate_handles
from tests.solver import factory
from tests.solver.factory import random_document

FAST = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


def brute_force_minimum(cg, info, pair_dual) -> float:
    """min over the member's feasible patterns (pins always held) of cost − duals + the u² term."""
    best = None
    for size in range(len(info.cands) + 1):
        for chosen in itertools.combinations(info.cands, size):
            pattern = frozenset(info.pins) | set(chosen)
            if not cg.feasible(info, pattern):
                continue
            value = cg.pattern_cost(info, pattern) - sum(pair_dual.get((s, info.m), 0.0) for s in pattern)
            best = value if best is None else min(best, value)
    return best


def _week(seed, members, shifts):
    rng = random.Random(seed)
    document = random_document(rng, members=members, shifts=shifts, communities=rng.randint(1, 2))
    problem, handles = factory.perhaps_pinned(rng, document)
    # Some members priced linearly, as the sweep prices those it shares with other groups.
    linear = {m: rng.randint(0, 400) for m in handles.scope.members if rng.random() < 0.3}
    cg = ColumnGeneration(problem, handles, linear=linear)
    duals = {pair: rng.uniform(-50, 400) for pair in handles.x}
    return rng, cg, duals


@pytest.mark.parametrize("bound", ["fractional", "whole shifts"])
@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 9))
def test_the_pricing_finds_each_members_exact_minimum(bound, seed, members, shifts):
    """Both prune bounds: the fractional relaxation, and the knapsack over whole shifts that members with
    many candidates get (``KNAPSACK_FROM``; here from the first candidate on)."""
    _, cg, duals = _week(seed, members, shifts)
    if bound == "whole shifts":
        colgen.KNAPSACK_FROM = 0
    for info in cg.members:
        expected = brute_force_minimum(cg, info, duals)
        value, patterns, exact = cg.price(info, None, float("inf"), pair_dual=duals)
        assert exact
        assert abs(value - expected) <= 1e-6 * max(1.0, abs(expected))
        for pattern_value, pattern in patterns:
            assert cg.feasible(info, pattern)
            assert pattern_value >= expected - 1e-6 * max(1.0, abs(expected))


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 9),
       offset=st.sampled_from([-50.0, -1e-3, 0.0, 1e-3, 50.0]))
@example(seed=3, members=1, shifts=1, offset=1e-3)     # pins alone: their value summed two ways, 6e-14 apart
def test_pricing_below_a_threshold_finds_the_minimum_under_it_or_proves_there_is_none(seed, members, shifts, offset):
    """The column generation prices each member below its convexity dual (``price(below=…)``): a minimum
    under the threshold is found exactly, with its patterns; none under it returns the threshold (less 1e-9),
    still a lower bound of the minimum, and no pattern."""
    _, cg, duals = _week(seed, members, shifts)
    for info in cg.members:
        expected = brute_force_minimum(cg, info, duals)
        below = expected + offset
        value, patterns, exact = cg.price(info, None, float("inf"), pair_dual=duals, below=below)
        assert exact
        assert value <= expected + 1e-9 * max(1.0, abs(expected))
        assert all(pattern_value < below and cg.feasible(info, pattern) for pattern_value, pattern in patterns)
        if offset > 0:
            assert abs(value - expected) <= 1e-6 * max(1.0, abs(expected))
            # its pattern, unless the pins alone are the minimum (a pattern joins only if it beats them)
            pins_alone = cg.pattern_cost(info, frozenset(info.pins)) - sum(duals.get((s, info.m), 0.0)
                                                                          for s in info.pins)
            assert abs((patterns[-1][0] if patterns else pins_alone) - value) <= 1e-9 * max(1.0, abs(value))
        else:
            assert value >= below - 1e-6 and not patterns


@pytest.fixture(autouse=True)
def _restore_threshold():
    threshold = colgen.KNAPSACK_FROM
    yield
    colgen.KNAPSACK_FROM = threshold


@pytest.mark.parametrize("limit", [{"max_minutes": 240}, {"max_shifts": 2}, {"max_minutes": 240, "max_shifts": 3}])
@pytest.mark.parametrize("threshold", [0, 100])
def test_the_limits_bound_the_search_without_hiding_the_best_pair_of_shifts(threshold, limit):
    """A member with 240 minutes (or two shifts): the single best shift (09:00-11:00) overlaps the two that together are
    better (08:00-10:00 and 10:00-12:00). The search takes the single one first; the minutes limit then
    bounds what leaving it can gain by two whole shifts, never by less, so the pair is still found."""
    problem = factory.problem(
        duties=[factory.duty("visiting")],
        members=[factory.member("m0", **limit)],
        shifts=[factory.shift("s1", factory.at(0, "09:00"), factory.at(0, "11:00"), duty_id="visiting"),
                factory.shift("s2", factory.at(0, "08:00"), factory.at(0, "10:00"), duty_id="visiting"),
                factory.shift("s3", factory.at(0, "10:00"), factory.at(0, "12:00"), duty_id="visiting")])
    colgen.KNAPSACK_FROM = threshold      # the whole-shift bound (0) and the fractional one (100)
    cg = ColumnGeneration(problem, candidate_handles(problem))
    duals = {(0, 0): 400.0, (1, 0): 390.0, (2, 0): 390.0}
    (info,) = cg.members
    value, patterns, exact = cg.price(info, None, float("inf"), pair_dual=duals)
    assert exact
    assert value == brute_force_minimum(cg, info, duals) == -780 + 16 ** 2
    assert patterns[-1][1] == frozenset({1, 2})


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 9))
def test_a_pricer_without_a_master_forbids_the_same_pairs_and_finds_the_same_minima(seed, members, shifts):
    """A bound-only sweep piece reprices its Lagrangian without building the master LP (issue 29): the lead
    rule's forbidden pairs, each member's candidates and its exact minimum are the master's."""
    rng = random.Random(seed)
    document = random_document(rng, members=members, shifts=shifts, communities=rng.randint(1, 2))
    problem, handles = factory.perhaps_pinned(rng, document)
    linear = {m: rng.randint(0, 400) for m in handles.scope.members if rng.random() < 0.3}
    cg = ColumnGeneration(problem, handles, linear=linear)
    light = ColumnGeneration(problem, handles, linear=linear, master=False)
    assert light.lp is None and light.forbidden == cg.forbidden
    assert [(i.m, i.pins, i.cands, i.wf) for i in light.members] == [(i.m, i.pins, i.cands, i.wf) for i in cg.members]
    prices = {pair: rng.uniform(-50, 400) for pair in handles.x if pair not in handles.pinned}
    assert light.exact_minima(prices, float("inf")) == cg.exact_minima(prices, float("inf"))

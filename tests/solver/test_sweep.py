"""The district's community sweep (solver/sweep.py): a bound summed over communities, and RINS moves."""

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from solver import check_solution, load_problem, solve
from solver import district as D
from solver.bounds import lagrangian
from solver.heuristic import LocalSearch
from solver.model import Scope, candidate_handles
from solver.sweep import (
    LAGRANGIAN_STEPS,
    STEP_UNITS,
    SweepBound,
    _linearised_minimum,
    _min_linearised,
    group_bound,
    group_lagrangian,
    joint_lift,
    members_by_community,
    price_step,
    shared_prices,
    sweep_bound,
    sweep_groups,
)
from tests.solver.factory import random_document
from tests.solver.test_district_lns import roster_of, small_district, start_state
from tests.solver.test_properties import small_optimum

# The sweep's bounds and moves run column generations for seconds (42 s for the slowest test): the whole
# module is ``slow`` (``-m "not slow"`` skips it locally; CI runs it).
pytestmark = pytest.mark.slow

FAST = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def _small_case(seed: int, members: int, shifts: int):
    """A random two-community week small enough for its optimum, loads anywhere to price at, and its
    candidate pairs: (problem, optimum, units, handles, rng), or None without an optimum."""
    rng = random.Random(seed)
    problem = load_problem(random_document(rng, members=members, shifts=shifts, communities=2))
    optimum = small_optimum(problem)
    if optimum is None:
        return None
    units = {m: problem.members[m].history_minutes // 15 + rng.randint(0, 24) for m in range(len(problem.members))}
    return problem, optimum, units, candidate_handles(problem), rng


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 5))
def test_the_sweep_bound_never_exceeds_the_optimum_whatever_the_prices(seed, members, shifts):
    """Members of both communities are priced linearly at a tangent of u² anywhere (any load):
    the sum over communities plus the members' constants stays a lower bound."""
    case = _small_case(seed, members, shifts)
    if case is None:
        return
    problem, optimum, units, handles, rng = case
    # One group a community: the default grouping pairs two communities that share a member, pricing nobody.
    alone = [(c,) for c in sorted(members_by_community(handles))]
    bound = sweep_bound(problem, handles, units, seconds_each=2, groups=alone)
    assert bound is not None and bound <= optimum
    # Any grouping: here every community in one group (no member priced), as after joins.
    whole = tuple(sorted(members_by_community(handles)))
    if whole:
        assert sweep_bound(problem, handles, units, seconds_each=2, groups=[whole]) <= optimum


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 5))
def test_the_groups_lagrangian_bounds_never_exceed_the_optimum_whatever_the_prices(seed, members, shifts):
    """The cheap bound of groups that fell behind (issue 29): each group's Lagrangian with its shared members
    priced linearly, summed with the members' constants, stays a lower bound, for prices at any load."""
    case = _small_case(seed, members, shifts)
    if case is None:
        return
    problem, optimum, units, handles, rng = case
    members_of = members_by_community(handles)
    for groups in (sweep_groups(members_of), [(c,) for c in sorted(members_of)]):
        members_of_group = {g: set().union(*(members_of[c] for c in g)) for g in groups}
        prices = shared_prices(problem, members_of_group, handles.scope.members, units)
        total = SweepBound(groups, prices, members_of_group)
        for group in groups:
            shifts_in = [s for s in handles.scope.shifts if problem.shifts[s].community in group]
            members_in = sorted(members_of_group[group])
            group_handles = candidate_handles(problem, Scope(shifts_in, members_in))
            held = []
            total.add(group, group_lagrangian(problem, group_handles, prices.for_members(members_in),
                                              time.monotonic() + 2, terms=held), held[0] if held else None)
        assert total.value() is None or total.value() <= optimum
        # … and with its shared members priced over all their groups at the Lagrangian's multipliers
        total.lift(problem)
        assert total.value() is None or total.value() <= optimum


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 6))
def test_pricing_shared_members_over_all_their_groups_lifts_the_bound_and_stays_below_the_optimum(seed, members,
                                                                                                   shifts):
    """Issue 29: each group's share at its master's duals, with every shared member's linear terms swapped for
    its exact minimum over its whole week (``joint_lift``), is a Lagrangian bound of the whole district: at
    most the optimum, whatever the prices, and never below the sweep's own sum."""
    case = _small_case(seed, members, shifts)
    if case is None:
        return
    problem, optimum, units, handles, rng = case
    members_of = members_by_community(handles)
    groups = [(c,) for c in sorted(members_of)]
    prices = shared_prices(problem, {g: members_of[g[0]] for g in groups}, handles.scope.members, units)
    terms = []
    lower = sweep_bound(problem, handles, units, 2, groups, prices=prices, terms=terms)
    assert lower is not None and lower <= optimum
    assert len(terms) == len(groups) or not prices.price
    lifts = joint_lift(problem, terms, prices, time.monotonic() + 5)
    assert set(lifts) <= set(prices.price) and all(lift > 0 for lift in lifts.values())
    assert lower + sum(lifts.values()) <= optimum + 1e-6


@given(w=st.integers(1, 5), base=st.integers(0, 200), nu=st.integers(-100, 4000))
def test_the_linearised_constant_is_the_minimum_over_whole_loads(w, base, nu):
    expected = min(w * (base + y) ** 2 - nu * y for y in range(0, 3000))   # the vertex is at most 2,000
    assert _min_linearised(w, base, nu) == expected
    assert _min_linearised(0, base, 0) == 0     # no fairness weight: every price is 0


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(1, 4), shifts=st.integers(1, 5),
       theta=st.sampled_from([0.5, 1.0, 4.0]))
def test_a_step_on_the_prices_still_gives_a_lower_bound(seed, members, shifts, theta):
    """Issue 29: the sweep bound after a subgradient step from the tangents (any θ, even one that overshoots)
    stays at most the optimum, and the step's prices carry their own constants."""
    case = _small_case(seed, members, shifts)
    if case is None:
        return
    problem, optimum, units, handles, rng = case
    members_of = members_by_community(handles)
    groups = [(c,) for c in sorted(members_of)]    # one a community: the two would pair, and nobody be priced
    tangent = shared_prices(problem, {g: members_of[g[0]] for g in groups}, handles.scope.members, units)
    loads, columns = {}, {}
    lower = sweep_bound(problem, handles, units, 2, groups, prices=tangent, loads=loads, warm=columns)
    assert lower is not None and lower <= optimum and set(loads) == set(tangent.price)
    assert set(columns) == set(groups)
    stepped = price_step(problem, tangent, loads, optimum + rng.randint(1, 500), lower, theta)
    assert stepped.constant - sum(stepped.linearised.values()) == tangent.constant - sum(tangent.linearised.values())
    w = problem.weights.fairness
    assert all(stepped.linearised[m] == _min_linearised(w, problem.members[m].history_minutes // 15, nu)
               for m, nu in stepped.price.items())
    assert sweep_bound(problem, handles, units, 2, groups, prices=stepped) <= optimum
    # … and from the columns the first sweep ended with (a second sweep's warm start)
    assert sweep_bound(problem, handles, units, 2, groups, prices=stepped, warm=columns) <= optimum


def test_a_price_step_raises_the_price_of_a_member_the_lps_load_more_than_its_constant_does():
    """g_m = Σ_g ȳ_m^g − y*_m(ν): above y* the price rises, below it falls, in proportion; never below 0."""
    problem = small_district()
    scope, handles, search = start_state(problem)
    members_of = members_by_community(handles)
    prices = shared_prices(problem, members_of, scope.members, search.units)
    w = problem.weights.fairness
    first, second = sorted(prices.price)[:2]
    star = {m: _linearised_minimum(w, problem.members[m].history_minutes // 15, nu)[1]
            for m, nu in prices.price.items()}
    assert star[first] == search.units[first] - problem.members[first].history_minutes // 15   # tangent: y* = ȳ
    loads = {m: float(star[m]) for m in prices.price}
    loads[first] += 4
    loads[second] = max(0.0, loads[second] - 2)
    drop = star[second] - loads[second]
    # Polyak's step θ·(upper − lower)/‖g‖² is w here: every move within the cap (2·w·STEP_UNITS).
    stepped = price_step(problem, prices, loads, upper=4.0 * w * (16 + drop * drop), lower=0.0, theta=0.25)
    step = w
    assert stepped.price[first] == round(prices.price[first] + 4 * step)
    assert stepped.price[second] == max(0, round(prices.price[second] - drop * step))
    assert all(stepped.price[m] == prices.price[m] for m in prices.price if m not in (first, second))
    assert price_step(problem, prices, loads, upper=10.0, lower=10.0, theta=1.0) is prices   # proven: no step
    # A poor roster makes Polyak's step huge: no price moves more than its tangent over STEP_UNITS units of load.
    far = price_step(problem, prices, loads, upper=1e12, lower=0.0, theta=1.0)
    cap = 2 * w * STEP_UNITS
    assert far.price[first] == prices.price[first] + cap
    assert far.price[second] == max(0, prices.price[second] - cap)


def test_prices_go_to_members_of_two_communities_only():
    problem = small_district()
    scope, handles, search = start_state(problem)
    members_of = members_by_community(handles)
    prices = shared_prices(problem, members_of, scope.members, search.units)     # one group a community
    twice = {m for m in scope.members if sum(m in ms for ms in members_of.values()) > 1}
    assert twice and set(prices.price) == twice
    m = min(twice)
    assert prices.price[m] == 2 * problem.weights.fairness * search.units[m]


def test_groups_pair_communities_that_share_members_and_cover_each_community_once():
    problem = small_district()
    _, handles, _ = start_state(problem)
    members_of = members_by_community(handles)
    groups = sweep_groups(members_of)
    listed = [c for g in groups for c in g]
    assert sorted(listed) == sorted(members_of)
    pairs = [g for g in groups if len(g) == 2]
    assert pairs and all(members_of[a] & members_of[b] for a, b in pairs)
    # The first pair is the one sharing the most members.
    shared = {(a, b): len(members_of[a] & members_of[b]) for a in members_of for b in members_of if a < b}
    assert shared[pairs[0]] == max(shared.values())


def test_the_sweep_bound_is_stronger_than_the_lagrangian_on_a_small_district():
    problem = small_district()
    scope, handles, search = start_state(problem)
    search.improve(time.monotonic() + 2)
    roster = D.scope_objective(search)
    swept = sweep_bound(problem, handles, search.units, seconds_each=30)
    alone = sweep_bound(problem, handles, search.units, seconds_each=30, groups=[(c,) for c in sorted(
        members_by_community(handles))])
    relaxed = lagrangian(problem, handles, {}, deadline=time.monotonic() + 5, max_iterations=LAGRANGIAN_STEPS)
    assert swept is not None and alone is not None
    # Pairs keep their shared members' exact u², so they prove more than communities alone.
    assert relaxed < alone < swept <= roster


def test_sweep_tasks_bound_every_community_join_groups_and_never_worsen_the_roster():
    problem = small_district()
    scope, handles, search = start_state(problem)
    start = D.scope_objective(search)
    lns = D.Neighbourhoods(problem, scope, search, seed=0, sweep=True)
    heard = []
    lns.on_bound = heard.append
    # The sweep, then pairs of its groups joined and second runs, all in this process.
    lns.run(time.monotonic() + 120, slots=1, workers=1, sweep_only=True)
    communities = set(lns.shifts_of)
    groups = sweep_groups(lns.members_of)
    # Every group once, then second runs and joins of pairs of groups.
    assert len(groups) < len(communities) and lns.tasks >= len(groups) + len(lns.refined) + lns.joined
    assert not lns.sweep.missing
    assert lns.outcomes["merged"] >= 1
    after = D.scope_objective(search)
    assert after < start
    report = check_solution(problem, roster_of(problem, search))
    assert report.valid, report.violations
    assert report.objective == after
    # Heard when the sweep completed, then each time a join or a second run raised it.
    assert heard == sorted(heard) and heard[-1] == lns.sweep.value() <= after
    assert lns.sweep_stats()["sweep_communities"] == len(communities)
    # Members shared between groups were priced over all their groups at once (joint_lift).
    assert lns.sweep_stats()["sweep_lifted"] >= 1 and lns.sweep.lifted() == lns.sweep_stats()["sweep_lifted"]
    # Joined groups: each community still counted once, in exactly one group.
    assert lns.joined >= 1 and not lns.joining
    assert sorted(c for g in lns.sweep.parts for c in g) == sorted(communities)
    assert any(len(g) > 2 for g in lns.sweep.parts)


def test_a_members_lift_counts_only_while_each_of_its_groups_keeps_the_share_it_was_lifted_from():
    problem = small_district()
    scope, handles, search = start_state(problem)
    members_of = members_by_community(handles)
    groups = [(c,) for c in sorted(members_of)]
    members_of_group = {g: members_of[g[0]] for g in groups}
    prices = shared_prices(problem, members_of_group, handles.scope.members, search.units)
    total = SweepBound(groups, prices, members_of_group)
    for group in groups:
        shifts = [s for s in handles.scope.shifts if problem.shifts[s].community in group]
        members = sorted(members_of_group[group])
        cg, bound, terms = group_bound(problem, shifts, members, prices.for_members(members), time.monotonic() + 30)
        assert cg.converged and terms is not None and terms.value == bound
        total.add(group, bound, terms)
    plain = total.value()
    lift = total.lift(problem)
    assert lift > 0 and total.value() >= plain + lift and total.value() <= D.scope_objective(search)
    lifted = total.lifted()
    # A join of two groups must beat their shares and their members' lifts, which it drops.
    first, second = next((a, b) for a in groups for b in groups if a < b and any(
        m in total._current() and m in members_of_group[b] for m in members_of_group[a]))
    both = total.parts[first] + total.parts[second]
    assert total._lift_of(first, second) > 1
    assert not total.join(first, second, both + 1, inside=set())
    assert total.lifted() == lifted and total.value() >= plain + lift
    # A larger share for a group, from a bound without terms (its Lagrangian, say), counts only if it is worth
    # more than its members' lifts, which stop counting then, and stay out after the next lift.
    group = next(g for g in groups if total._lift_of(g) > 1)
    share = total.parts[group]
    total.add(group, share + 1)
    assert total.parts[group] == share and total.lifted() == lifted
    total.add(group, share + total._lift_of(group) + 1)
    assert total.terms[group] is None and total.lifted() < lifted
    total.lift(problem)
    assert not any(m in total._current() for m in members_of_group[group] if m in prices.price)
    # A smaller share changes nothing.
    before = (total.value(), dict(total.parts))
    total.add(groups[0], total.parts[groups[0]] - 5)
    assert (total.value(), total.parts) == before


def test_a_stale_sweep_task_still_pays_its_share_of_the_bound():
    problem = small_district()
    scope, handles, search = start_state(problem)
    lns = D.Neighbourhoods(problem, scope, search, seed=0, sweep=True)
    group = sweep_groups(lns.members_of)[0]
    community = group[0]
    task = lns.task_for(group, 5.0)
    assert task.prices is not None
    lns.version[community] += 1          # someone else merged into the community meanwhile
    outcome = D.solve_task(problem, task, 1, 0)
    before = sorted(search.pairs())
    lns._finish(task, outcome, None)
    assert lns.stale == 1 and sorted(search.pairs()) == before
    assert group in lns.sweep.parts and group not in lns.sweep.missing


def test_a_group_whose_column_generation_ran_out_of_time_gets_a_second_longer_run():
    problem = small_district()
    scope, handles, search = start_state(problem)
    lns = D.Neighbourhoods(problem, scope, search, seed=0, sweep=True)
    heard = []
    lns.on_bound = heard.append
    first, *others = list(lns.unvisited)
    # The first group gets too little time to converge; the others get their full share.
    lns._finish(D.Task(first, *_task_parts(lns, first), prices={}), _cut_short(lns, first), None)
    for group in others:
        task = lns.task_for(group, 60.0)
        lns.unvisited.remove(group)
        lns._finish(task, D.solve_task(problem, task, 1, 0), None)
    # First in line (under load another group may also miss convergence and queue behind it).
    assert not lns.sweep.missing and lns.refine[0] == first
    short = lns.sweep.parts[first]
    lns.joins = []                                  # no joins of groups here: second runs only
    assert lns.next_communities(set()) == first and first not in lns.refine
    retry = lns.task_for(first, 60.0)
    assert retry.prices is not None                 # a sweep task again, with its full share of time
    lns._finish(retry, D.solve_task(problem, retry, 1, 0), None)
    assert lns.sweep.parts[first] > short and first in lns.converged
    assert heard[-1] == lns.sweep.value() and len(heard) == 2     # complete, then raised by the second run
    lns._sweep_result(first, None, False)                 # not converged again: no third run
    assert first not in lns.refine


def _task_parts(lns, group):
    task = lns.task_for(group, 0.5)
    lns.unvisited.remove(group)
    return task.shifts, task.members, task.fixed, task.current, task.versions


def _cut_short(lns, group):
    """A sweep result whose column generation stopped after its first round."""
    from solver.sweep import group_bound

    members = sorted(set().union(*(lns.members_of[c] for c in group)))
    shifts = sorted(s for c in group for s in lns.shifts_of[c])
    cg, _, _ = group_bound(lns.p, shifts, members, lns.prices.for_members(members), time.monotonic() + 60)
    first_round = cg.trace[0][1]
    assert cg.converged and first_round < cg.trace[-1][1]
    return "UNKNOWN", None, None, [], first_round, False, 0.5


def test_groups_the_sweep_never_reached_are_bounded_by_their_lagrangian():
    problem = small_district()
    scope, handles, search = start_state(problem)
    lns = D.Neighbourhoods(problem, scope, search, seed=0, sweep=True)
    complete = sweep_bound(problem, handles, search.units, seconds_each=30)
    lns.finish_sweep(time.monotonic() + 60)      # no task ran: every group gets its first round here
    assert not lns.sweep.missing
    rushed = lns.sweep.value()
    # The Lagrangian with the same prices: cheaper and weaker than the column generation, never invalid.
    assert rushed is not None and rushed < complete <= D.scope_objective(search)


@FAST
@given(seed=st.integers(0, 10**6), members=st.integers(6, 10), shifts=st.integers(6, 12))
def test_a_sweep_with_joins_never_exceeds_the_optimum(seed, members, shifts):
    """The whole district machinery on small three-community problems (sweep, second runs and, on
    about a third of them, a join) against CP-SAT's proven optimum."""
    rng = random.Random(seed)
    problem = load_problem(random_document(rng, members=members, shifts=shifts, communities=3))
    solution = solve(problem, time_limit=10, workers=2, gap=0)
    if solution.status != "OPTIMAL":
        return
    optimum = solution.objective
    handles = candidate_handles(problem)
    search = LocalSearch(handles, 0)
    search.construct(None)
    lns = D.Neighbourhoods(problem, handles.scope, search, seed=0, sweep=True)
    lns.run(time.monotonic() + 20, slots=1, workers=1, sweep_only=True)
    assert not lns.sweep.missing
    assert lns.sweep.value() <= optimum


def _recorded_sweep(slowdown: float, seconds: float = 2.5):
    """A sweep of the small district (10 communities) in ``seconds`` by a process that ran ``slowdown`` times
    slower than its CPU time so far (``solve_large`` measures it), and the tasks it made."""
    problem = small_district()
    scope, handles, search = start_state(problem)
    lns = D.Neighbourhoods(problem, scope, search, seed=0, sweep=True)
    lns.slowdown = slowdown
    made = []
    task_for = lns.task_for

    def recording(*args, **kwargs):
        made.append(task_for(*args, **kwargs))
        return made[-1]

    lns.task_for = recording
    lns.run(time.monotonic() + seconds, slots=1, workers=1, sweep_only=True)
    return search, lns, made


def test_a_sweep_on_a_free_core_runs_its_column_generations_first():
    """Issue 29: ~0.24 s a community on a free core is CPU enough for a group's column generation
    (``BOUND_ONLY_BELOW``), so the sweep does not spend it on a Lagrangian bound first."""
    _, _, made = _recorded_sweep(slowdown=1.0)
    assert made and made[0].prices is not None
    assert not made[0].bound_only


def test_a_sweep_that_is_behind_bounds_its_groups_by_their_lagrangian_first_and_completes():
    """Issue 29: with too little CPU time for every group's column generation (a busy machine: the same
    seconds at a quarter of a core), groups get their Lagrangian bound only, so the district bound completes,
    and their column generation comes as a second run."""
    search, lns, made = _recorded_sweep(slowdown=4.0)
    lns.finish_sweep(time.monotonic() + 30)          # whatever the run left: the Lagrangian too
    assert not lns.sweep.missing
    assert lns.sweep.value() <= D.scope_objective(search)
    quick = [task.communities for task in made if task.bound_only]
    assert quick, "a share under BOUND_ONLY_BELOW a community gives bound-only pieces"
    assert all(task.prices is not None for task in made if task.bound_only)
    # Their column generation is still owed: each is queued for a second run (or has had it).
    assert all(group in lns.refine or group in lns.refined for group in quick)
    assert not set(quick) & lns.converged - set(lns.refined)

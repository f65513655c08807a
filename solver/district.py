"""Large components (a district): local search for a full roster, then a community sweep and LNS.

One CP-SAT model over ~9,000 members does not fit the time budget, so the district is
handled as:

1. greedy + local search over all candidate pairs, until its improvement rate drops below
   what the sweep gains (1,000 per second per process);
2. the community sweep (``solver/sweep.py``), every community once, in pairs along the sharing
   graph: each group's Dantzig-Wolfe bound with the members it shares with other groups priced
   linearly, summed into the district's bound, and a RINS sub-solve of its true problem guided
   by that LP (the shared members' outside shifts fixed, ``Scope.fixed``).  Each group gets an
   even share per community of the time left, so the sweep, and with it the bound, completes
   before the deadline; groups whose column generation ran out of time then get a second run;
3. large-neighbourhood search until the deadline: one community, or a pair of communities
   joined by shared members, is re-solved exactly with CP-SAT while the outside shifts of its
   cross-community members stay fixed.  Every community with its partner first, then by the
   last sub-solve's own gap (its roster minus its CP-SAT bound);
4. with an executor (``solver/executor.py``: forked worker processes for ``processes`` > 1, or
   the django-q2 queue that ``shifts`` passes in), neighbourhoods that share no member (so
   neither can change what the other holds fixed) are solved at once as pieces of work; each
   result is merged back only if every community it read is still at the version it read
   (``Neighbourhoods.merge``), and only if it improves the roster as this process (the
   coordinator) evaluates it.  A stale sweep task still pays its share of the bound.
"""

from __future__ import annotations

import logging
import random
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field

from solver.bounds import simple_bound
from solver.executor import ForkExecutor, Piece
from solver.heuristic import LocalSearch, roster_is_valid
from solver.model import Scope, candidate_handles
from solver.problem import Problem
from solver.scoped import ScopeResult, solve_scope
from solver.stopping import DEFAULT_GAP, GapWatch
from solver.sweep import CG_SHARE, SweepBound, improve_group, members_by_community, shared_prices, sweep_groups

log = logging.getLogger(__name__)

RESERVE_SECONDS = 3.0      # kept back for checking and reporting (2.0 ended 1.1 s late at load 8)
LS_CHUNK_SECONDS = 2.0
FINAL_LS_SECONDS = 2.0     # with worker processes: local search over the whole district after the moves
LS_MIN_RATE = 1000.0       # objective units per second and process: below this the local search hands over to
                           # the sweep (~500/s per process on the benchmark district; the local search's first
                           # 2 s gain ~10,000/s, the third chunk under 500/s)
LNS_SECONDS = 3.0          # CP-SAT time per neighbourhood after the sweep (measured at load 5-8: 100-1,200
                           # gained per community; at 2 s in a worker process beside the bound, 0 of 11 improved)
SWEEP_MAX_SECONDS = 3.0    # a community of the sweep: column generation to convergence (0.3-1.6 s quietly) + RINS
SWEEP_MIN_SECONDS = 0.3
BOUND_ONLY_BELOW = 0.12    # CPU seconds a community: a sweep share (wall) over the process's slowdown under this (the
                           # sweep is behind: a busy machine) gives the group's repriced Lagrangian bound only (~0.15 s
                           # a community), its column generation and RINS later as a second run with a full share, so
                           # that the bound completes first. The column generations converge in ~0.18 CPU s a
                           # community (issue 29, session 9). Measured on the 9,000-member district at 60 s, one
                           # process: beside two busy processes (0.66 of a core, shares ~0.3 s) 3.22-3.37 % at the
                           # old rule (0.7 wall seconds: 32 of 55 groups converged) -> 2.44-2.69 % (53-54 converged);
                           # quiet, 1.08-1.26 % either way; beside five (a third of a core, shares ~0.2 s) 6.34-6.53 %
                           # against 5.99-6.69 %, where 0.25 wall seconds, running column generations that could not
                           # converge, gave 7.11 %
SWEEP_SHARE = 0.95         # of an even share of the time left, so that the last group ends in time (0.85 left
                           # 7 s unused at 60 s; the CP-SAT moves after the sweep gain little)
MIN_LNS_SECONDS = 0.5
FALLBACK_SECONDS = 0.05    # a group the sweep never reached: its Lagrangian's first value at the end (finish_sweep;
                           # 0.03-0.07 s quietly), times the slowdown measured
LNS_GAP = 0.0              # a neighbourhood is solved to optimality when time allows

def solve_large(problem: Problem, scope: Scope, *, deadline: float, workers: int, seed: int,
                hint=None, on_solution=None, log_search: bool = False, gap: float = DEFAULT_GAP,
                clock: float | None = None, processes: int = 1, executor=None) -> ScopeResult:
    """``executor`` (``solver/executor.py``) runs the neighbourhoods; without one, ``processes`` ≥ 2
    forks that many worker processes, and one process alternates local search and moves."""
    started, cpu_started = time.monotonic(), time.process_time()
    watch = GapWatch(gap=gap, constant=problem.fairness_constant(scope.members), clock=clock or started)
    handles = candidate_handles(problem, scope)
    log.info("district: %d candidate pairs after %.1fs", len(handles.x), time.monotonic() - started)
    search = LocalSearch(handles, seed)
    search.construct(hint)
    log.info("district: greedy roster after %.1fs", time.monotonic() - started)
    cheap = simple_bound(problem, handles)
    _report(search, on_solution, started, cheap)
    watch.roster(scope_objective(search))
    watch.proved(cheap)

    ls_rate = _local_search(search, deadline - RESERVE_SECONDS, lns_slots=processes)
    log.info("district: local search done after %.1fs", time.monotonic() - started)
    _report(search, on_solution, started, cheap)
    watch.roster(scope_objective(search))

    owned = executor is None and processes >= 2
    if owned:
        executor = ForkExecutor(processes)
    key = _publish(executor, problem)
    if key is None:
        executor = None
    # The sweep's prices are the tangents at the loads of the roster it starts from (solver/sweep.py).
    lns = Neighbourhoods(problem, scope, search, seed, sweep=not scope.fixed)
    # How much slower than its own CPU time this process has run so far (1 on a free core; 7 beside
    # load 8 on 2 cores): the sweep's shares and the time kept back for its fallbacks scale with it.
    lns.slowdown = max(1.0, (time.monotonic() - started) / max(0.1, time.process_time() - cpu_started))

    def on_merge():
        _report(search, on_solution, started, cheap)
        watch.roster(scope_objective(search))

    def on_bound(value):
        watch.proved(value)
        log.info("district: sweep bound %d after %.1fs", value, time.monotonic() - started)

    lns.on_bound = on_bound
    lns.stop = lambda: watch.met      # proven within the target gap: no further moves
    if executor is None:
        _alternate(search, lns, deadline - RESERVE_SECONDS, workers, on_merge, ls_rate)
    else:
        lns.run(deadline - RESERVE_SECONDS - FINAL_LS_SECONDS, executor=executor, key=key, slots=executor.slots,
                workers=1, on_merge=on_merge)
        if owned:
            executor.close()
        lns.finish_sweep(deadline - RESERVE_SECONDS / 2)     # the bound first (groups whose pieces never came back)
        if not watch.met:
            # The sweep's moves hold each group's outside shifts fixed; the local search moves
            # shifts across groups (measured on the 60 s roster: 1,032 in its first 2 s).
            search.improve(deadline - RESERVE_SECONDS)
            on_merge()
    lns.finish_sweep(deadline - RESERVE_SECONDS / 2)
    log.info("district: %d LNS moves of %d (%s), done after %.1fs", lns.moves, lns.tasks, dict(lns.outcomes),
             time.monotonic() - started)
    if not roster_is_valid(handles, search.pairs()):
        return ScopeResult("UNKNOWN", seconds=time.monotonic() - started)
    objective = scope_objective(search)
    watch.roster(objective)
    swept = lns.sweep.value() if lns.sweep is not None else None
    bound = min(objective, max(cheap, swept if swept is not None else cheap))
    stats = dict(handles.stats, pairs=len(handles.x), lns_moves=lns.moves, lns_tasks=lns.tasks,
                 lns_stale=lns.stale, lns_processes=executor.slots if executor is not None else 1,
                 **lns.sweep_stats(), **watch.stats())
    if swept is not None and swept > cheap:
        stats["bound_from"] = "community_sweep"
    return ScopeResult("FEASIBLE", objective, bound, sorted(search.pairs()), {},
                       time.monotonic() - started, stats)


def scope_objective(search: LocalSearch, sub: Scope | None = None) -> int:
    """The objective of the search's roster on its scope, or on ``sub`` (its members' pairs on its shifts)."""
    scope = search.h.scope if sub is None else sub
    in_scope = set(scope.shifts)
    previous = sum(1 for s, _ in search.previous if s in in_scope)
    within = None if sub is None else in_scope
    return search.objective_part(scope.shifts, scope.members, within) + search.w.stability * previous


def _report(search, on_solution, started, cheap=None):
    if on_solution is not None:
        cheap = simple_bound(search.p, search.h) if cheap is None else cheap
        on_solution(scope_objective(search), cheap, time.monotonic() - started)


def _local_search(search: LocalSearch, deadline: float, lns_slots: int) -> float:
    """Local search in chunks until it gains less per CPU second than LNS would (or the deadline);
    returns the last chunk's gain per CPU second."""
    before, rate = scope_objective(search), 0.0
    while time.monotonic() < deadline:
        chunk_start, cpu_start = time.monotonic(), time.process_time()
        search.improve(min(deadline, chunk_start + LS_CHUNK_SECONDS))
        after = scope_objective(search)
        # Per CPU second, as LS_MIN_RATE was measured: on a shared core the wall-clock rate halves and the
        # search handed over too early (beside two busy processes 3.39-3.54 % -> 2.96-3.16 % at 60 s).
        elapsed = max(1e-3, time.process_time() - cpu_start)
        rate = (before - after) / elapsed
        if rate < LS_MIN_RATE * lns_slots:
            break
        before = after
    return rate


LNS_RETRY_CHUNKS = 5        # the moves get another try at least after this many local-search chunks


def _alternate(search: LocalSearch, lns, deadline: float, workers: int, on_merge, ls_rate: float) -> None:
    """One process: local-search chunks or one community move, whichever gained more per second last.

    The hand-over rate (``LS_MIN_RATE``) was measured on a quiet machine; at load 9 the local
    search fell below it, handed over, and the moves then gained nothing (0 of the tasks in 60 s:
    the roster ended 5.7 k above the old solver's, which kept up its local search).  So each
    side's last rate decides, and the moves are retried now and then.
    """
    if lns.sweep is not None:
        # Every community once first: the district bound needs each one's share.
        lns.run(deadline, slots=1, workers=workers, on_merge=on_merge, sweep_only=True)
        # Groups it could not reach (a busy machine): their Lagrangian now, before any further local
        # search (beside load 8 the local search took the time and the bound fell back to the cheap one).
        lns.finish_sweep(deadline)
    lns_rate, since_lns = LS_MIN_RATE, 0
    while deadline - time.monotonic() >= MIN_LNS_SECONDS and not lns.stop():
        before, started = scope_objective(search), time.monotonic()
        if ls_rate > lns_rate and since_lns < LNS_RETRY_CHUNKS:
            search.improve(min(deadline, started + LS_CHUNK_SECONDS))
            ls_rate = (before - scope_objective(search)) / max(1e-3, time.monotonic() - started)
            since_lns += 1
        else:
            tasks = lns.tasks
            lns.run(min(deadline, started + LNS_SECONDS), slots=1, workers=workers, on_merge=on_merge)
            lns_rate = (before - scope_objective(search)) / max(1e-3, time.monotonic() - started)
            since_lns = 0
            if lns.tasks == tasks and ls_rate <= 0:
                break    # nothing left worth solving and the local search has converged
            if lns.tasks == tasks:
                lns_rate = 0.0


# ------------------------------------------------------------------ worker processes

def _publish(executor, problem) -> str | None:
    if executor is None:
        return None
    try:
        return executor.publish(problem)
    except (ValueError, OSError) as exc:
        log.warning("district: the executor cannot take work (%s); improving in this process", exc)
        return None


def _submit(executor, piece: Piece):
    try:
        return executor.submit(piece)
    except (AssertionError, RuntimeError, OSError) as exc:  # e.g. a daemonic process may not fork
        log.warning("district: cannot hand out work (%s); improving in this process", exc)
        return None


@dataclass
class Task:
    """One neighbourhood to re-solve, with what it read (community -> version)."""
    communities: tuple[str, ...]
    shifts: list[int]
    members: list[int]
    fixed: dict[int, list[int]]
    current: list[tuple[int, int]]
    versions: dict[str, int] = field(default_factory=dict)
    seconds: float = LNS_SECONDS
    prices: dict[int, int] | None = None     # set for a sweep task (solver/sweep.py)
    bound_only: bool = False                 # a sweep task that is behind: the group's Lagrangian bound only
    second: bool = False                     # a sweep group's second run (its Lagrangian share already in)
    columns: tuple = ()                      # a second run's warm start: its first run's master columns in use


def solve_task(problem: Problem, task: Task, workers: int, seed: int):
    """Runs wherever the executor puts it (or inline): the neighbourhood's best roster, its objective
    and bound (a sweep task adds the community's share of the district bound)."""
    if task.prices is not None:
        out = improve_group(problem, task.shifts, task.members, task.fixed, task.current, task.prices,
                                task.seconds, seed, bound_only=task.bound_only, second=task.second,
                                columns=task.columns)
        return (out.status, out.objective, None, out.pairs, out.bound, out.converged, out.seconds, out.columns,
                out.terms)
    sub = Scope(task.shifts, task.members, task.fixed)
    result = solve_scope(problem, sub, time_limit=task.seconds, workers=workers, seed=seed,
                         hint=set(task.current), gap=LNS_GAP, presolve=False, heuristic_seconds=0.05)
    return result.status, result.objective, result.bound, result.pairs


class Neighbourhoods:
    """CP-SAT large-neighbourhood search over communities and pairs of communities."""

    def __init__(self, problem: Problem, scope: Scope, search: LocalSearch, seed: int, sweep: bool = False):
        """``sweep``: each community's first visit is a sweep task (solver/sweep.py), and
        ``self.sweep`` sums their bounds; prices come from the roster ``search`` holds now."""
        self.p = problem
        self.search = search
        self.seed = seed
        self.shifts_of = defaultdict(list)
        for s in scope.shifts:
            self.shifts_of[problem.shifts[s].community].append(s)
        self.members_of = members_by_community(search.h)
        self.community_of_shift = {s: problem.shifts[s].community for s in scope.shifts}
        # What a neighbourhood reads: the communities its members can serve.
        self.reach = {c: self._reach(self.members_of[c]) for c in self.shifts_of}
        self.partners = {c: self._partner(c) for c in self.shifts_of}
        self.version = defaultdict(int)
        order = sorted(self.shifts_of)
        self.unpaired = {c for c in order if self.partners[c] is not None}
        # First every community once: alone, or with the sweep in its group (solver/sweep.py).
        groups = sweep_groups(self.members_of) if sweep else [(c,) for c in order]
        random.Random(seed).shuffle(groups)
        self.unvisited: list[tuple[str, ...]] = groups
        self.local_gap: dict[str, int] = {}
        self.single_next = defaultdict(lambda: False)   # alternate a community and its pair
        self.moves = self.tasks = self.stale = 0
        self.outcomes = defaultdict(int)
        self.prices = self.sweep = None
        self.on_bound = None
        self.stop = lambda: False         # no new neighbourhoods once this says so
        self.sweep_done_at = None
        self.converged: set[tuple[str, ...]] = set()
        self.refine: list[tuple[str, ...]] = []      # groups whose column generation ran out of time
        self.refined: set[tuple[str, ...]] = set()   # ... and have had their second run
        self.refining: set[tuple[str, ...]] = set()  # ... scheduled, its task not yet made
        self.lagrangian_only: set[tuple[str, ...]] = set()   # groups whose first piece was bound-only
        self.columns: dict[tuple[str, ...], tuple] = {}     # a group cut short: its master's columns in use
        self._given = self._used = 0.0                # seconds allotted to finished sweep tasks, and taken
        self.joins = None                             # pairs of groups still to bound as one
        self.joining: dict[tuple[str, ...], tuple] = {}
        self.joined = 0
        if sweep:
            members_of_group = {g: self._group_members(g) for g in groups}
            self.prices = shared_prices(problem, members_of_group, scope.members, search.units)
            self.sweep = SweepBound(groups, self.prices, members_of_group)
        self._started = time.monotonic()
        self.slowdown = 1.0

    def sweep_stats(self) -> dict:
        if self.sweep is None:
            return {}
        return {"sweep_communities": sum(len(g) for g in self.sweep.parts),
                "sweep_groups": len(self.sweep.parts) + len(self.sweep.missing),
                "sweep_converged": len(self.converged), "sweep_joined": self.joined,
                "sweep_shared_members": len(self.prices.price), "sweep_seconds": self.sweep_done_at,
                "sweep_lifted": self.sweep.lifted()}

    def _sweep_seconds(self, group, left: float, slots: int) -> float:
        """An even share per community of the time left among the groups the sweep has not started."""
        waiting = sum(len(g) for g in self.unvisited) + len(group)   # ``group`` has just left the list
        # Tasks overrun their share when processes outnumber cores, or by the model building and
        # RINS after the column generation: the shares shrink by the overrun measured so far.
        overrun = self._overrun()
        share = SWEEP_SHARE * left * slots * len(group) / waiting / overrun
        return max(SWEEP_MIN_SECONDS, min(SWEEP_MAX_SECONDS * len(group), share))

    def _overrun(self) -> float:
        """How much longer than their share pieces take: measured on finished sweep pieces, else
        the coordinator's own slowdown (``solve_large`` sets it)."""
        return max(1.0, self._used / self._given) if self._given else max(1.0, self.slowdown)

    def _reach(self, members) -> set[str]:
        communities = set()
        for m in members:
            communities.update(c for c in self.p.members[m].communities if c in self.shifts_of)
        for s, m in self.search.h.pinned:
            if m in members:
                communities.add(self.community_of_shift.get(s, self.p.shifts[s].community))
        return communities

    def _partner(self, community: str) -> str | None:
        shared = defaultdict(int)
        for m in self.members_of[community]:
            for c in self.p.members[m].communities:
                if c != community and c in self.shifts_of:
                    shared[c] += 1
        return max(sorted(shared), key=lambda c: shared[c]) if shared else None

    # ------------------------------------------------------------ scheduling
    def next_communities(self, busy: set[str], sweep_only: bool = False) -> tuple[str, ...] | None:
        """The neighbourhood with the largest gap that reads nothing in-flight work writes, and
        writes nothing in-flight work reads (``sweep_only``: only communities not yet visited)."""
        def usable(group):
            reads = set().union(*(self.reach[c] for c in group))
            return not (reads & busy)

        for i, group in enumerate(self.unvisited):
            if usable(group):
                del self.unvisited[i]
                return group
        if self.sweep is not None and not self.sweep.missing:
            # The column generation of groups bounded by their Lagrangian alone (a sweep that was
            # behind; ~600-2,500 each), then pairs of groups bounded as one, their shared members at
            # their exact u² (~200 each on the benchmark district), then a second run for groups
            # whose column generation ran out of time (the larger bound counts). Second runs before
            # joins were measured worse on a quiet machine (no join fitted at 60 s).
            self.refine = [group for group in self.refine if group in self.sweep.parts]   # not joined since
            for i, group in enumerate(self.refine):
                if group in self.lagrangian_only and usable(group):
                    return self._second_run(i)
            if self.joins is None:
                self.joins = [g for g in sweep_groups({g: self._group_members(g) for g in self.sweep.parts})
                              if len(g) == 2]
            for i, (first, second) in enumerate(self.joins):
                group = first + second
                if usable(group):
                    del self.joins[i]
                    self.joining[group] = (first, second)
                    return group
            for i, group in enumerate(self.refine):
                if usable(group):
                    return self._second_run(i)
        if sweep_only:
            return None
        # Then every community once with its partner (shared members may move between the two).
        for community in sorted(self.unpaired, key=lambda c: (-self.local_gap.get(c, 0), c)):
            group = (community, self.partners[community])
            if usable(group):
                self.unpaired.discard(community)
                self.single_next[community] = True
                return group
        for community in sorted(self.local_gap, key=lambda c: (-self.local_gap[c], c)):
            if self.local_gap[community] <= 0:
                break
            partner = self.partners[community]
            group = (community,) if self.single_next[community] or partner is None else (community, partner)
            if usable(group):
                self.single_next[community] = not self.single_next[community]
                return group
            if usable((community,)):
                return (community,)
        return None

    def _second_run(self, i: int) -> tuple[str, ...]:
        group = self.refine.pop(i)
        self.refined.add(group)
        self.refining.add(group)
        return group

    def task_for(self, communities: tuple[str, ...], seconds: float, slots: int = 1) -> Task:
        """The neighbourhood's task; a community the sweep has not yet bounded gets a sweep task
        with its share of the time left (``seconds`` is then that time)."""
        search = self.search
        prices = None
        bound_only = False
        second = False
        if self.sweep is not None and (communities in self.sweep.missing or communities in self.refining):
            # A second run needs no Lagrangian if its first piece had the repriced one (not a bound-only piece).
            second = communities in self.refining and communities not in self.lagrangian_only
            self.refining.discard(communities)      # a later move on the same communities is a plain one
            prices = self.prices.for_members(self._group_members(communities))
            seconds = self._sweep_seconds(communities, seconds, slots)
            bound_only = (communities in self.sweep.missing
                          and seconds / self.slowdown < BOUND_ONLY_BELOW * len(communities))
            if bound_only:
                self.lagrangian_only.add(communities)
        elif communities in self.joining:
            inside = self._inside(communities)
            prices = {m: nu for m, nu in self.prices.for_members(self._group_members(communities)).items()
                      if m not in inside}
            seconds = SWEEP_MAX_SECONDS * len(communities)     # converged or no use (cut to the time left)
            second = True       # its parts have their shares: a Lagrangian of the join would not beat them
        shifts = sorted(s for c in communities for s in self.shifts_of[c])
        in_scope = set(shifts)
        members = sorted(self._group_members(communities))
        fixed = {}
        for m in members:
            outside = sorted(s for s in search.shifts_of[m] if s not in in_scope)
            outside += search.h.fixed_shifts(m)
            if outside:
                fixed[m] = outside
        current = sorted((s, m) for s in shifts for m in search.staff[s])
        reads = set().union(*(self.reach[c] for c in communities)) | set(communities)
        columns = self.columns.pop(communities, ()) if prices is not None and not bound_only else ()
        return Task(communities, shifts, members, fixed, current,
                    {c: self.version[c] for c in sorted(reads)}, seconds, prices, bound_only,
                    second and not bound_only, columns)

    # ------------------------------------------------------------ merging
    def merge(self, task: Task, outcome) -> str:
        """Apply a re-solved neighbourhood if nothing it read has changed and it improves the roster.

        Returns "stale", "none" (no roster), "worse" or "merged"."""
        if any(self.version[c] != v for c, v in task.versions.items()):
            self.stale += 1
            return "stale"
        status, objective, bound, pairs = outcome[:4]
        if objective is None or status not in ("OPTIMAL", "FEASIBLE"):
            return "none"
        search = self.search
        sub = Scope(task.shifts, task.members, task.fixed)
        before = scope_objective(search, sub)
        current = [(s, m) for s in task.shifts for m in list(search.staff[s])]
        if bound is not None:
            for c in task.communities:
                self.local_gap[c] = max(0, min(before, objective) - bound) // len(task.communities)
        for s, m in current:
            search._apply(s, m, -1)
        for s, m in pairs:
            search._apply(s, m, +1)
        if scope_objective(search, sub) >= before:
            for s, m in pairs:
                search._apply(s, m, -1)
            for s, m in current:
                search._apply(s, m, +1)
            return "worse"
        for c in task.communities:
            self.version[c] += 1
        self.moves += 1
        return "merged"

    # ------------------------------------------------------------ the loop
    def run(self, deadline: float, *, executor=None, key=None, slots: int, workers: int, on_merge=None,
            sweep_only=False) -> None:
        """Hand out neighbourhoods until ``deadline`` (or ``stop()``): to ``executor`` (its problem
        published as ``key``) at most ``slots`` at a time, else solved here one by one. Groups of
        the sweep not yet handed out keep ``FALLBACK_SECONDS`` each back (``finish_sweep``)."""
        in_flight = {}
        while True:
            waiting = len(self.sweep.missing) - len(in_flight) if self.sweep is not None else 0
            overrun = self._overrun()
            left = deadline - time.monotonic() - FALLBACK_SECONDS * overrun * max(0, waiting)
            busy = set().union(*(set(t.communities) for t in in_flight.values())) if in_flight else set()
            reading = set().union(*(set(t.versions) for t in in_flight.values())) if in_flight else set()
            capacity = slots
            scheduled = False
            while left >= MIN_LNS_SECONDS and len(in_flight) < capacity and not self.stop():
                # A new neighbourhood may neither read what in-flight work writes nor write what it reads.
                group = self.next_communities(busy | reading, sweep_only)
                if group is None:
                    break
                task = self.task_for(group, left if self.sweep is not None and self.sweep.missing
                                     else min(LNS_SECONDS, left), slots)
                # A sweep task's column generation may run CG_SHARE times its seconds: it still ends by ``left``.
                task.seconds = min(task.seconds, left if task.prices is None else left / CG_SHARE)
                self.tasks += 1
                scheduled = True
                future = None
                if executor is not None:
                    # A piece not started by then is not waited for (the wait below ends there).
                    expires = time.time() + (deadline - time.monotonic()) + LNS_SECONDS
                    future = _submit(executor, Piece(key, task, workers, self.seed + self.tasks, expires))
                if future is None:   # one process (or no work can be handed out): solve it here
                    executor = None
                    self._finish(task, solve_task(self.p, task, workers, self.seed + self.tasks), on_merge)
                    break
                in_flight[future] = task
                busy |= set(task.communities)
                reading |= set(task.versions)
            if not in_flight:
                if scheduled and time.monotonic() < deadline - MIN_LNS_SECONDS:
                    continue
                return   # out of time, or nothing left worth solving
            done, _ = wait(list(in_flight), timeout=max(0.05, deadline + LNS_SECONDS - time.monotonic()),
                           return_when=FIRST_COMPLETED)
            if not done:
                return
            for future in done:
                task = in_flight.pop(future)
                try:
                    outcome = future.result()
                except Exception as exc:  # a failed worker loses its move, never the roster
                    log.warning("district: neighbourhood %s failed (%s)", task.communities, exc)
                    outcome = None
                if outcome is None:      # failed, or expired before anyone took it
                    self.outcomes["failed"] += 1
                    if self.joining.pop(task.communities, None) is None and task.prices is not None:
                        self.unvisited.append(task.communities)   # its share of the bound is still owed
                    continue
                self._finish(task, outcome, on_merge)

    def finish_sweep(self, deadline: float) -> None:
        """Groups the sweep never reached (out of time, or their pieces lost): each one's Lagrangian
        bound (``sweep.group_lagrangian``, ~0.05 s for its first value), here, with an even share of
        the time left, so that the district bound is complete; ``run`` keeps ``FALLBACK_SECONDS``
        a group back for this."""
        from solver.sweep import group_lagrangian

        missing = sorted(self.sweep.missing if self.sweep is not None else ())
        for i, group in enumerate(missing):
            now = time.monotonic()
            if now >= deadline:
                return
            members = sorted(self._group_members(group))
            shifts = sorted(s for c in group for s in self.shifts_of[c])
            handles = candidate_handles(self.p, Scope(shifts, members))
            bound = group_lagrangian(self.p, handles, self.prices.for_members(members),
                                     now + (deadline - now) / (len(missing) - i), exact=False)
            self._sweep_result(group, bound, False)

    def _group_members(self, group) -> set[int]:
        return set().union(*(self.members_of[c] for c in group))

    def _inside(self, group) -> set[int]:
        """Members priced linearly whose every community is in ``group``."""
        outside = [c for c in self.shifts_of if c not in set(group)]
        return {m for m in self._group_members(group)
                if m in self.prices.price and all(m not in self.members_of[c] for c in outside)}

    def _sweep_result(self, group, bound, converged, given=0.0, used=0.0, terms=None) -> None:
        self._given += given
        self._used += used
        log.debug("district: sweep group %s bound %s converged %s, %.2f s given, %.2f s used", group, bound,
                  converged, given, used)
        before = self.sweep.value()
        self.sweep.add(group, bound, terms)
        if converged:
            self.converged.add(group)
        elif group not in self.refined and group not in self.refine:
            self.refine.append(group)
        if self.sweep.missing:
            if bound is None:
                self.unvisited.append(group)    # not one round: its share of the bound is still owed
            return
        if self.sweep_done_at is None:
            self.sweep_done_at = round(time.monotonic() - self._started, 2)
        self.sweep.lift(self.p)     # shared members priced over all their groups at once (~0.3 s the first time)
        value = self.sweep.value()
        if self.on_bound is not None and (before is None or value > before):
            self.on_bound(value)

    def _finish(self, task, outcome, on_merge) -> None:
        if task.communities in self.joining:
            first, second = self.joining.pop(task.communities)
            terms = outcome[8] if len(outcome) > 8 else None
            if self.sweep.join(first, second, outcome[4], self._inside(task.communities), terms):
                self.joined += 1
                self.sweep.lift(self.p)
                if self.on_bound is not None:
                    self.on_bound(self.sweep.value())
        elif task.prices is not None:
            self._sweep_result(task.communities, outcome[4], outcome[5], task.seconds, outcome[6],
                               outcome[8] if len(outcome) > 8 else None)
            if len(outcome) > 7 and outcome[7]:
                self.columns[task.communities] = outcome[7]
        merged = self.merge(task, outcome)
        self.outcomes[merged] += 1
        if merged == "merged" and on_merge is not None:
            on_merge()

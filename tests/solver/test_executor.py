"""The district's executor (solver/executor.py): pieces of work that run wherever the executor puts them.

The coordinator (solver/district.py) must give the same guarantees whatever runs its pieces: a valid roster no
worse than its start, a complete sweep bound, and a fall-back to this process when no piece can be handed out.
"""

import ast
import pickle
import time
from pathlib import Path

import pytest

from solver import check_solution, load_problem, solve
from solver import district as D
from solver.bench.generate import generate_problem
from solver.decompose import community_scope, components
from solver.executor import InlineExecutor, Piece, run_piece
from solver.heuristic import LocalSearch
from solver.model import candidate_handles
from solver.solve import LARGE_COMPONENT_SHIFTS

SOLVER = Path(__file__).resolve().parents[2] / "solver"


def small_district():
    problem = load_problem(generate_problem(communities=10, members_per_community=(20, 24), seed=4))
    assert len(problem.shifts) > LARGE_COMPONENT_SHIFTS and len(components(problem)) == 1
    return problem


class Counting(InlineExecutor):
    """Runs pieces here, like the command line's single process, and remembers each one (pickled, as a queue
    would carry it)."""

    def __init__(self):
        super().__init__()
        self.pieces = []

    def submit(self, piece):
        self.pieces.append(pickle.loads(pickle.dumps(piece)))
        return super().submit(self.pieces[-1])


class Refusing(InlineExecutor):
    def submit(self, piece):
        raise RuntimeError("daemonic processes are not allowed to have children")


def test_solver_imports_nothing_from_django():
    for path in SOLVER.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] in ("django", "django_q", "shifts", "volunteers") for name in names), \
                f"{path.relative_to(SOLVER.parent)} imports {names}"


@pytest.mark.slow
def test_a_district_solved_through_an_executor_hands_every_neighbourhood_out_as_a_picklable_piece():
    problem = small_district()
    executor = Counting()
    solution = solve(problem, time_limit=30, workers=1, gap=0, executor=executor)
    report = check_solution(problem, solution)
    assert report.valid, report.violations
    assert report.objective == solution.objective and solution.bound <= solution.objective
    stats = solution.stats
    assert stats["lns_tasks"] == len(executor.pieces) >= 6           # every group of the sweep at least
    assert stats["lns_processes"] == 1
    # The sweep's groups came back through the executor and completed the bound.
    assert stats["sweep_communities"] == 10 and stats["sweep_seconds"] is not None
    assert {piece.problem for piece in executor.pieces} == {next(iter(executor.pieces)).problem}


@pytest.mark.slow
def test_the_coordinator_solves_here_when_no_piece_can_be_handed_out():
    problem = small_district()
    solution = solve(problem, time_limit=20, workers=1, gap=0, executor=Refusing())
    report = check_solution(problem, solution)
    assert report.valid, report.violations
    assert solution.stats["lns_tasks"] >= 1 and solution.stats["sweep_seconds"] is not None


def test_a_piece_taken_after_it_expired_does_no_work():
    problem = small_district()
    scope = community_scope(problem, components(problem)[0])
    search = LocalSearch(candidate_handles(problem, scope), 0)
    search.construct(None)
    lns = D.Neighbourhoods(problem, scope, search, seed=0)
    task = lns.task_for((sorted(lns.shifts_of)[0],), 1.0)
    assert run_piece(Piece("key", task, 1, 0, expires=time.time() - 1), problem) is None
    outcome = run_piece(Piece("key", task, 1, 0, expires=time.time() + 60), problem)
    assert outcome[0] in ("OPTIMAL", "FEASIBLE") and outcome[3]

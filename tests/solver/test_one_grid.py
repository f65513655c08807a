"""The 15-minute grid is defined once, in solver/problem.py (roster-problem/1's grid): every other module of
solver/ imports it, so the grid of the document and of the fairness units cannot drift apart."""

import ast
from pathlib import Path

import solver

SOLVER = Path(solver.__file__).parent


def assigned_names(tree: ast.AST) -> set[str]:
    """Every name bound by an assignment anywhere in the module (any depth, tuple targets included)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign | ast.NamedExpr):
            targets = [node.target]
        else:
            continue
        for target in targets:
            names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
    return names


def modules_assigning(name: str) -> list[str]:
    return sorted(str(path.relative_to(SOLVER.parent)) for path in SOLVER.rglob("*.py")
                  if name in assigned_names(ast.parse(path.read_text(encoding="utf-8"), str(path))))


def test_grid_is_assigned_in_solver_problem_only():
    assert modules_assigning("GRID") == ["solver/problem.py"]


def test_the_check_sees_assignments_at_any_depth():
    tree = ast.parse("def f():\n    GRID, other = 15, 1\n\nclass C:\n    GRID: int = 15\n")
    assert "GRID" in assigned_names(tree)
    assert "GRID" not in assigned_names(ast.parse("from solver.problem import GRID\nx = GRID // 3\n"))

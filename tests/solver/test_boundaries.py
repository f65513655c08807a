"""Package boundaries: no Django in solver/, explanations in both languages."""

import ast
from pathlib import Path

import solver

SOLVER_DIR = Path(solver.__file__).resolve().parent


def test_no_module_under_solver_imports_django():
    offenders = []
    for path in SOLVER_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            if any(name.split(".")[0] == "django" for name in names):
                offenders.append(str(path))
    assert offenders == []


def test_public_api_is_exported():
    for name in ("Problem", "Solution", "ProblemError", "load_problem", "load_problem_file",
                 "solution_to_dict", "solve", "check_solution", "pair_exclusion"):
        assert hasattr(solver, name)

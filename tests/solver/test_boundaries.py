"""Package boundaries: no Django in solver/, explanations in both languages."""

import ast
from pathlib import Path

import solver
from solver import explain_unfilled, solve
from tests.solver.factory import at, duty, member, problem, shift

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
                 "solution_to_dict", "solve", "check_solution", "pair_exclusion", "explain_unfilled"):
        assert hasattr(solver, name)


def test_explanations_name_the_reasons():
    school = [{"days": ["mon"], "start": "19:00", "end": "20:00"}]
    people = [member(f"s{i}", caregiving=school) for i in range(5)]
    people += [member(f"o{i}", birth="1945-01-01") for i in range(3)]
    people += [member("far", communities=["c2"])]
    p = problem(duties=[duty("patrol", name="巡逻", night_max_age=75)], members=people,
                shifts=[shift("night", at(0, "19:00"), at(0, "21:00"))])
    entry = solve(p, time_limit=2).unfilled[0]
    assert explain_unfilled(entry, p, "zh-hans") == "缺1人：3人超过夜间巡逻年龄上限，5人照看家人（如接送孙辈）"
    assert explain_unfilled(entry.to_dict(), p, "en") == (
        "1 missing: no one free: 3 are over the age limit for night 巡逻, "
        "5 are caring for family (e.g. school runs)")

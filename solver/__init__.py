"""Yure roster optimizer: the roster-problem/1 contract solved with CP-SAT (no Django here)."""

from solver.check import CheckReport, Violation, check_solution, member_violations
from solver.eligibility import pair_exclusion
from solver.problem import Problem, ProblemError, load_problem, load_problem_file
from solver.solution import Solution, load_solution, solution_to_dict
from solver.solve import solve

__all__ = [
    "CheckReport", "Problem", "ProblemError", "Solution", "Violation", "check_solution",
    "load_problem", "load_problem_file", "load_solution", "member_violations",
    "pair_exclusion", "solution_to_dict", "solve",
]

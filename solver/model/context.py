"""Shared state of one CP-SAT model: its scope, its variables and its objective terms."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from solver.problem import TERMS, Problem


@dataclass
class Term:
    """One objective family, unweighted: constant + sum(coef * var)."""
    constant: int = 0
    variables: list = field(default_factory=list)
    coefficients: list = field(default_factory=list)

    def add(self, coefficient: int, variable) -> None:
        if coefficient:
            self.variables.append(variable)
            self.coefficients.append(coefficient)

    def expression(self):
        return cp_model.LinearExpr.WeightedSum(self.variables, self.coefficients) + self.constant

    def value(self, solver_or_values) -> int:
        value_of = solver_or_values.Value if hasattr(solver_or_values, "Value") else solver_or_values
        return self.constant + sum(c * value_of(v) for v, c in zip(self.variables, self.coefficients, strict=True))


@dataclass
class Scope:
    """Which part of the problem a model covers.

    ``fixed`` maps a member index to shift indices assigned to them outside the
    scope; these count for the member's rest, limits, consecutive days and fairness.
    """
    shifts: list[int]
    members: list[int]
    fixed: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def whole(cls, problem: Problem) -> Scope:
        return cls(list(range(len(problem.shifts))), list(range(len(problem.members))))


@dataclass
class ModelHandles:
    problem: Problem
    scope: Scope
    x: dict = field(default_factory=dict)                  # (shift idx, member idx) -> BoolVar
    by_shift: dict = field(default_factory=lambda: defaultdict(list))
    by_member: dict = field(default_factory=lambda: defaultdict(list))
    pinned: set = field(default_factory=set)
    terms: dict = field(default_factory=lambda: {name: Term() for name in TERMS})
    stats: dict = field(default_factory=dict)
    shortfall: dict = field(default_factory=dict)         # shift idx -> IntVar
    fairness_load: dict = field(default_factory=dict)     # member idx -> IntVar (units)
    derived: list = field(default_factory=list)           # (aux var, fn(value_of) -> int)

    def values_for(self, pairs) -> dict[int, int]:
        """Variable index -> value for the roster ``pairs``, auxiliaries at their tightest."""
        values = {var.Index(): int(pair in pairs) for pair, var in self.x.items()}

        def value_of(var):
            return values[var.Index()]
        for var, rule in self.derived:
            values[var.Index()] = rule(value_of)
        return values

    def complete_hint(self, model, pairs) -> None:
        """Hint every variable: x from ``pairs``, auxiliaries from their defining rules."""
        values = self.values_for(pairs)
        model.ClearHints()
        for var in self.x.values():
            model.AddHint(var, values[var.Index()])
        for var, _ in self.derived:
            model.AddHint(var, values[var.Index()])

    def weighted_objective(self):
        variables, coefficients, constant = [], [], 0
        for name, term in self.terms.items():
            weight = getattr(self.problem.weights, name)
            constant += weight * term.constant
            for var, coef in zip(term.variables, term.coefficients, strict=True):
                if weight * coef:
                    variables.append(var)
                    coefficients.append(weight * coef)
        return cp_model.LinearExpr.WeightedSum(variables, coefficients) + constant

    def fixed_shifts(self, member: int) -> list[int]:
        return self.scope.fixed.get(member, [])

"""The solution document (roster-solution/1): dataclass, writer and strict reader."""

from __future__ import annotations

from dataclasses import dataclass, field

from solver.problem import TERMS, ProblemError, field_name

FORMAT = "roster-solution/1"
STATUSES = ("OPTIMAL", "FEASIBLE", "INFEASIBLE")
REASONS = ("community", "forbidden", "age", "night_age", "health", "skill",
           "caregiving", "unavailable")


class SolutionError(ProblemError):
    """An unreadable solution document (one line, naming the field)."""


@dataclass(frozen=True)
class Unfilled:
    shift: str
    missing: int
    eligible: int
    excluded: dict[str, int]

    def to_dict(self) -> dict:
        excluded = {k: self.excluded[k] for k in REASONS if self.excluded.get(k)}
        return {"shift": self.shift, "missing": self.missing, "eligible": self.eligible,
                "excluded": excluded}


@dataclass
class Solution:
    status: str
    objective: int | None
    bound: int | None
    assignments: list[tuple[str, str]]             # (shift id, member id)
    unfilled: list[Unfilled] = field(default_factory=list)
    breakdown: dict[str, int] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)

    @property
    def conflicts(self) -> list:
        return self.stats.get("conflicts", [])


def solution_to_dict(solution: Solution) -> dict:
    return {
        "format": FORMAT,
        "status": solution.status,
        "objective": solution.objective,
        "bound": solution.bound,
        "assignments": [{"shift": s, "member": m} for s, m in solution.assignments],
        "unfilled": [u.to_dict() for u in solution.unfilled],
        "breakdown": {k: solution.breakdown.get(k, 0) for k in TERMS},
        "stats": solution.stats,
    }


# ---------------------------------------------------------------- reading

def _fail(path: str, message: str):
    raise SolutionError(path, message)


def _obj(value, path, required, optional=()):
    if not isinstance(value, dict):
        _fail(path or "document", "must be an object")
    for key in value:
        if key not in required and key not in optional:
            _fail(f"{path}.{field_name(key)}" if path else field_name(key), "unknown field")
    for key in required:
        if key not in value:
            _fail(f"{path}.{key}" if path else key, "required field is missing")
    return value


def _int(value, path, *, nullable=False, lo=None):
    if value is None and nullable:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        _fail(path, "must be an integer" + (" or null" if nullable else ""))
    if lo is not None and value < lo:
        _fail(path, f"must be at least {lo}")
    return value


def _str(value, path):
    if not isinstance(value, str) or not value:
        _fail(path, "must be a non-empty string")
    return value


def _list(value, path):
    if not isinstance(value, list):
        _fail(path, "must be a list")
    return value


def _read_unfilled(item, path) -> Unfilled:
    data = _obj(item, path, ("shift", "missing", "eligible"), ("excluded",))
    excluded_data = _obj(data.get("excluded", {}), f"{path}.excluded", (), REASONS)
    excluded = {k: _int(v, f"{path}.excluded.{k}", lo=0) for k, v in excluded_data.items()}
    return Unfilled(_str(data["shift"], f"{path}.shift"),
                    _int(data["missing"], f"{path}.missing", lo=0),
                    _int(data["eligible"], f"{path}.eligible", lo=0), excluded)


def load_solution(data) -> Solution:
    """Validate a solution document (parsed JSON); raises ``SolutionError``."""
    data = _obj(data, "", ("format", "status", "objective", "assignments"),
                ("bound", "unfilled", "breakdown", "stats"))
    if data["format"] != FORMAT:
        _fail("format", f"must be '{FORMAT}'")
    if data["status"] not in STATUSES:
        _fail("status", "must be one of " + ", ".join(STATUSES))
    infeasible = data["status"] == "INFEASIBLE"
    objective = _int(data["objective"], "objective", nullable=infeasible)
    bound = _int(data.get("bound"), "bound", nullable=True)
    assignments = []
    for i, item in enumerate(_list(data["assignments"], "assignments")):
        pair = _obj(item, f"assignments[{i}]", ("shift", "member"))
        assignments.append((_str(pair["shift"], f"assignments[{i}].shift"),
                            _str(pair["member"], f"assignments[{i}].member")))
    unfilled = [_read_unfilled(u, f"unfilled[{i}]")
                for i, u in enumerate(_list(data.get("unfilled", []), "unfilled"))]
    breakdown_data = _obj(data.get("breakdown", {}), "breakdown", (), TERMS)
    breakdown = {k: _int(v, f"breakdown.{k}") for k, v in breakdown_data.items()}
    stats = data.get("stats", {})
    if not isinstance(stats, dict):
        _fail("stats", "must be an object")
    return Solution(data["status"], objective, bound, assignments, unfilled, breakdown, stats)

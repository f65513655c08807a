"""When a solve may stop: a roster proven within a relative gap of the non-constant objective.

The gap is measured on the part of the objective a roster can change: every member pays
W.fairness * (history_minutes / 15)^2 whatever the roster, so with that constant C
(``Problem.fairness_constant``),

    gap = (objective - bound) / (objective - C).

A ``GapWatch`` follows one scope's incumbent and its best proven bound (from any source:
the heuristic's cheap bound, CP-SAT, the column generation, the district's Lagrangian
bound), records when the first roster, the 1% gap and the stop happened, and calls the
``stop`` callbacks once the target gap is met.  It is thread-safe: CP-SAT's callbacks and
the column-generation thread report into it concurrently.
"""

from __future__ import annotations

import threading
import time

DEFAULT_GAP = 0.001          # 0.1% of the non-constant objective
ONE_PERCENT = 0.01
CURVE = (0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)   # gaps whose first time is reported


def resolve_gap(problem, gap: float | None) -> float:
    """The gap a solve aims at: the argument, else the document's ``options.gap``, else 0.1%."""
    if gap is None:
        gap = problem.options.gap
    if gap is None:
        gap = DEFAULT_GAP
    gap = float(gap)
    if not 0 <= gap <= 1:
        raise ValueError("gap must be a number from 0 to 1")
    return gap


def within(objective: int, bound: int, constant: int, gap: float) -> bool:
    """Is ``objective`` proven within ``gap`` of the non-constant part by ``bound``?"""
    if bound >= objective:
        return True
    return objective - bound <= gap * (objective - constant) + 1e-9


class GapWatch:
    def __init__(self, *, gap: float, constant: int, clock: float | None = None):
        self.gap = gap
        self.constant = constant
        self.clock = time.monotonic() if clock is None else clock
        self.objective: int | None = None
        self.bound: int | None = None
        self.first_roster: float | None = None
        self.one_percent: float | None = None
        self.met_at: float | None = None
        self.reached: dict[float, float] = {}
        self.trace: list[tuple[float, int, int | None]] = []
        self._stops = []
        self._lock = threading.Lock()

    def on_stop(self, callback) -> None:
        """Call ``callback()`` when the gap is met (at once if it already is)."""
        with self._lock:
            self._stops.append(callback)
            met = self.met_at is not None
        if met:
            callback()

    @property
    def met(self) -> bool:
        return self.met_at is not None

    def roster(self, objective: int) -> None:
        self._update(objective=objective)

    def proved(self, bound) -> None:
        if bound is not None:
            self._update(bound=int(bound))

    def _update(self, objective=None, bound=None) -> None:
        fire = []
        with self._lock:
            now = time.monotonic() - self.clock
            changed = False
            if objective is not None and (self.objective is None or objective < self.objective):
                self.objective = objective
                changed = True
                if self.first_roster is None:
                    self.first_roster = now
            if bound is not None and (self.bound is None or bound > self.bound):
                self.bound = bound
                changed = True
            if not changed or self.objective is None:
                return
            shown = None if self.bound is None else min(self.bound, self.objective)
            self.trace.append((round(now, 3), self.objective, shown))
            if shown is None:
                return
            for level in CURVE:
                if level not in self.reached and within(self.objective, shown, self.constant, level):
                    self.reached[level] = now
            if self.one_percent is None and within(self.objective, shown, self.constant, ONE_PERCENT):
                self.one_percent = now
            if self.met_at is None and within(self.objective, shown, self.constant, self.gap):
                self.met_at = now
                fire = list(self._stops)
        for callback in fire:
            callback()

    def current_gap(self) -> float | None:
        with self._lock:
            if self.objective is None or self.bound is None:
                return None
            variable = self.objective - self.constant
            gap = self.objective - min(self.bound, self.objective)
            return gap / variable if variable > 0 else 0.0

    def stats(self) -> dict:
        def rounded(value):
            return None if value is None else round(value, 3)
        return {"time_first_roster": rounded(self.first_roster), "time_gap_1pct": rounded(self.one_percent),
                "time_gap_target": rounded(self.met_at),
                "time_to_gap": {f"{level:g}": rounded(self.reached.get(level)) for level in CURVE}}

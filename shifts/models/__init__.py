"""Duties, templates, shifts, rosters, assignments, swaps and notifications: one module per topic."""

from .duties import Duty
from .notifications import Notification
from .rosters import Assignment, Roster, SolveRun
from .shifts import Shift, ShiftTemplate
from .swaps import SwapRequest

__all__ = ["Assignment", "Duty", "Notification", "Roster", "Shift", "ShiftTemplate", "SolveRun", "SwapRequest"]

"""Duties, templates, shifts, rosters, assignments, swaps and notifications: one module per topic."""

from .attendance import Attendance, NoShowCheck
from .duties import Duty
from .feeds import FeedCounter, FeedShiftState, FeedTombstone
from .hours import Certificate, StarLevels
from .notifications import Notification
from .patrol import PatrolLogEntry, PatrolTag
from .rosters import Assignment, Roster, SolveRun
from .shifts import Shift, ShiftTemplate
from .swaps import SwapRequest

__all__ = ["Assignment", "Attendance", "Certificate", "Duty", "FeedCounter", "FeedShiftState", "FeedTombstone",
           "NoShowCheck", "Notification", "PatrolLogEntry", "PatrolTag", "Roster", "Shift", "ShiftTemplate", "SolveRun",
           "StarLevels", "SwapRequest"]

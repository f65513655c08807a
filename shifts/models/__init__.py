"""Duties, templates, shifts, rosters, assignments, swaps and notifications: one module per topic."""

from .decisions import ShiftExclusion
from .duties import Duty
from .feeds import FeedCounter, FeedShiftState, FeedTombstone
from .notifications import MemberNotice, Notification, OutboxMessage, WeekConfirmation
from .rosters import Assignment, Roster, SolveRun
from .shifts import Shift, ShiftTemplate
from .swaps import SwapRequest

__all__ = ["Assignment", "Duty", "FeedCounter", "FeedShiftState", "FeedTombstone", "MemberNotice", "Notification",
           "OutboxMessage", "Roster", "Shift", "ShiftExclusion", "ShiftTemplate", "SolveRun", "SwapRequest",
           "WeekConfirmation"]

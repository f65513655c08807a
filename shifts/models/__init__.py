"""Duties, templates, shifts, rosters, assignments, swaps and notifications: one module per topic."""

from .attendance import Attendance, NoShowCheck
from .decisions import ShiftExclusion
from .duties import Duty
from .feeds import FeedCounter, FeedShiftState, FeedTombstone
from .hours import Certificate, StarLevels
from .notifications import MemberNotice, MessageJob, Notification, OutboxMessage, SmsReplySeen, WeekConfirmation
from .patrol import PatrolLogEntry, PatrolTag
from .rosters import Assignment, Roster, SolveRun
from .shifts import Shift, ShiftTemplate
from .solver_queue import SolverPiece, SolverProblem
from .swaps import SwapRequest

__all__ = ["Assignment", "Attendance", "Certificate", "Duty", "FeedCounter", "FeedShiftState", "FeedTombstone",
           "MemberNotice", "MessageJob", "NoShowCheck", "Notification", "OutboxMessage", "PatrolLogEntry",
           "PatrolTag", "Roster", "Shift", "ShiftExclusion", "ShiftTemplate", "SmsReplySeen", "SolveRun", "SolverPiece",
           "SolverProblem", "StarLevels", "SwapRequest", "WeekConfirmation"]

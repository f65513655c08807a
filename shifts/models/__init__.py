"""Duties, templates, shifts, rosters, assignments, swaps and notifications: one module per topic."""

from shifts.models.attendance import Attendance, NoShowCheck
from shifts.models.cover import CoverAsk, CoverCall, CoverOptOut
from shifts.models.decisions import ShiftExclusion
from shifts.models.duties import Duty
from shifts.models.feeds import FeedCounter, FeedShiftState, FeedTombstone
from shifts.models.hours import Certificate, StarLevels
from shifts.models.kiosk import Kiosk, KioskTry
from shifts.models.notifications import (
           MemberNotice,
           MessageJob,
           Notification,
           OutboxMessage,
           SmsReplySeen,
           WeekConfirmation,
)
from shifts.models.patrol import PatrolLogEntry, PatrolTag
from shifts.models.rosters import Assignment, Roster, SolveRun
from shifts.models.shifts import Shift, ShiftTemplate
from shifts.models.solver_queue import SolverPiece, SolverProblem
from shifts.models.swaps import SwapRequest
from shifts.models.voice import VoiceCallbackSeen, VoiceOutboxCall
from shifts.models.welfare import WelfareLadder

__all__ = ["Assignment", "Attendance", "Certificate", "CoverAsk", "CoverCall", "CoverOptOut", "Duty", "FeedCounter",
           "FeedShiftState", "FeedTombstone", "Kiosk", "KioskTry", "MemberNotice", "MessageJob", "NoShowCheck",
           "Notification", "OutboxMessage", "PatrolLogEntry", "PatrolTag", "Roster", "Shift", "ShiftExclusion",
           "ShiftTemplate", "SmsReplySeen", "SolveRun", "SolverPiece", "SolverProblem", "StarLevels", "SwapRequest",
           "VoiceCallbackSeen", "VoiceOutboxCall", "WeekConfirmation", "WelfareLadder"]

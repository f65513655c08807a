"""The volunteers app's models, one module per topic; import them from here (volunteers.models).

    people      communities, skills, members, caregiving windows, absences (Unavailability)
    households  the households members visit (VisitTarget)
    staff       staff logins and the communities they serve (StaffProfile)
    logins      one-time login links and codes, wrong-code counts, relatives acting for a member (MemberProxy)
    calendars   holidays, make-up workdays and school terms
    audit       the audit log (AuditEntry)
    imports     member (and attendance) sheet imports (MemberImportJob)
"""

from .audit import AuditEntry
from .calendars import WEEKDAY_NAMES, CalendarDay, CalendarYear, SchoolTerm
from .households import VisitTarget
from .imports import MemberImportJob
from .logins import CodeLoginFailure, MemberLoginToken, MemberProxy
from .people import (
    HEALTH_RANK,
    SCHOOL_RUN_WORDS,
    Applies,
    CaregivingWindow,
    Community,
    HealthLevel,
    Member,
    Skill,
    Unavailability,
    applies_for_label,
)
from .staff import StaffProfile

__all__ = [
    "HEALTH_RANK", "SCHOOL_RUN_WORDS", "WEEKDAY_NAMES", "Applies", "AuditEntry", "CalendarDay", "CalendarYear",
    "CaregivingWindow", "CodeLoginFailure", "Community", "HealthLevel", "Member", "MemberImportJob",
    "MemberLoginToken", "MemberProxy", "SchoolTerm", "Skill", "StaffProfile", "Unavailability", "VisitTarget",
    "applies_for_label",
]

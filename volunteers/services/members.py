"""Changes a secretary makes to a member's profile: limits, skills, preferences and caregiving windows.

Each change is validated with full_clean, audited, and, when it changes when the member can serve, announced with
availability_announce (after commit) so the rosters that book the member can follow it.
"""

import datetime as dt
import logging

from django.db import transaction

from ..models import CaregivingWindow, Member, applies_for_label
from .audit import audit_log
from .availability import availability_announce

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("health", "max_shifts_per_week", "max_minutes_per_week", "max_consecutive_days",
                  "min_rest_minutes", "duty_preferences", "weekday_preferences", "active", "volunteer_number",
                  "lives_alone")
# Changes to these make the member unavailable for shifts they hold; the others only shape future rosters.
AVAILABILITY_FIELDS = {"health", "active", "max_shifts_per_week", "max_minutes_per_week",
                       "max_consecutive_days", "min_rest_minutes"}


def member_update_profile(*, member: Member, by, skills=None, **changes) -> Member:
    """Set any of PROFILE_FIELDS and the member's skills; raises ValidationError naming the field."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"member_update_profile: unknown fields {sorted(unknown)}")
    with transaction.atomic():
        before = {name: getattr(member, name) for name in changes}
        for name, value in changes.items():
            setattr(member, name, value)
        member.full_clean()
        member.save()
        changed = sorted(name for name in changes if before[name] != changes[name])
        old_skills = set(member.skills.values_list("pk", flat=True))
        if skills is not None and old_skills != {s.pk for s in skills}:
            member.skills.set(skills)
            changed.append("skills")
        if changed:
            audit_log(action="volunteers.member.profile_changed", actor=by, community=member.community, obj=member,
                      data={"fields": changed})
        if AVAILABILITY_FIELDS.intersection(changed) or "skills" in changed:
            availability_announce(member_ids=[member.pk], reason="profile")
    return member


def caregiving_add(*, member: Member, weekdays: str, start: dt.time, end: dt.time, label: str, by,
                   applies: str | None = None) -> CaregivingWindow:
    """Add a window; `applies` defaults by its label (a school run follows the school days)."""
    window = CaregivingWindow(member=member, weekdays=weekdays, start=start, end=end, label=label,
                              applies=applies or applies_for_label(label))
    with transaction.atomic():
        window.full_clean()
        window.save()
        audit_log(action="volunteers.caregiving.added", actor=by, community=member.community, obj=member,
                  data={"window": window.pk, "weekdays": window.weekdays, "applies": window.applies,
                        "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
        availability_announce(member_ids=[member.pk], reason="caregiving")
    return window


def caregiving_remove(*, window: CaregivingWindow, by) -> None:
    member = window.member
    with transaction.atomic():
        audit_log(action="volunteers.caregiving.removed", actor=by, community=member.community, obj=member,
                  data={"window": window.pk, "weekdays": window.weekdays})
        window.delete()


def unavailability_remove(*, absence, by) -> None:
    """Withdraw a reported absence (the member can come after all); nothing is re-planned automatically."""
    member = absence.member
    with transaction.atomic():
        audit_log(action="volunteers.absence.withdrawn", actor=by, community=member.community, obj=member,
                  data={"start": absence.start.isoformat(), "end": absence.end.isoformat()})
        absence.delete()

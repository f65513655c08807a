"""Changes a secretary makes to a member: who they are (name, phone, birth date), their limits, skills,
preferences and caregiving windows.

Each change is validated with full_clean, audited with its old and new values (data["changes"]: field → [old, new];
the audit page hides the values of SENSITIVE_FIELDS from anyone who may not see them), and, when it changes when
the member can serve, announced with availability_announce (after commit) so the rosters that book the member
can follow it. A birth date decides the age rules, so changing it is announced too; a new phone needs nothing
more: every code and message reads the member's phone when it is sent.
"""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import CaregivingWindow, Member, applies_for_label
from ..selectors import same_name_members
from .audit import audit_log
from .availability import availability_announce

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ("health", "max_shifts_per_week", "max_minutes_per_week", "max_consecutive_days",
                  "min_rest_minutes", "duty_preferences", "weekday_preferences", "active", "volunteer_number",
                  "lives_alone", "contact_channel")
# Changes to these make the member unavailable for shifts they hold; the others only shape future rosters.
# Values the audit page shows only to staff who may see the member's health and caregiving.
SENSITIVE_FIELDS = {"health", "lives_alone", "caregiving"}
IDENTITY_FIELDS = ("name", "phone", "birth_date")
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
                      data={"fields": changed, "changes": {name: [_plain(before[name]), _plain(changes[name])]
                                                           for name in changed if name in changes}})
        if AVAILABILITY_FIELDS.intersection(changed) or "skills" in changed:
            availability_announce(member_ids=[member.pk], reason="profile")
    return member


def _plain(value):
    """A value as the audit's JSON keeps it: dates and phone numbers as text."""
    if value is None or isinstance(value, bool | int | str | dict | list):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def same_name_error(members: list[Member], *, adding: bool) -> str:
    """What the secretary is asked when a name is already a member's: the same words when adding and renaming."""
    joiner = "、" if (get_language() or "").startswith("zh") else ", "
    born = joiner.join(str(_("%(name)s (born %(year)s)") % {"name": m.name, "year": m.birth_date.year})
                       for m in members)
    if adding:
        return _("%(members)s is already a member of this community. If the person you are adding is someone else, "
                 "tick “This is a different person with the same name” and save again; if it is the same person, "
                 "change their details on their own page instead.") % {"members": born}
    return _("%(members)s is already a member of this community. If this member is someone else with the same "
             "name, tick “This is a different person with the same name” and save again.") % {"members": born}


def member_update_identity(*, member: Member, by, name: str, phone: str, birth_date: dt.date,
                           different_person: bool = False) -> Member:
    """Correct who a member is: name, phone (E.164, e.g. +8613800138000; "" for none) and birth date. Raises
    ValidationError naming the field; a name another member of the community has is refused on
    "different_person" until the secretary confirms it is someone else. Audited with old → new; a new birth date
    is announced (age rules)."""
    name = " ".join((name or "").split())
    if name != member.name and not different_person:
        namesakes = same_name_members(member.community, name, exclude_pk=member.pk)
        if namesakes:
            raise ValidationError({"different_person": same_name_error(namesakes, adding=False)})
    with transaction.atomic():
        locked = Member.objects.select_for_update().get(pk=member.pk)
        before = {field: _plain(getattr(locked, field)) for field in IDENTITY_FIELDS}
        member.name, member.phone, member.birth_date = name, (phone or "").strip(), birth_date
        member.full_clean(exclude=["user"])
        member.save(update_fields=list(IDENTITY_FIELDS))
        member.refresh_from_db(fields=list(IDENTITY_FIELDS))
        after = {field: _plain(getattr(member, field)) for field in IDENTITY_FIELDS}
        changes = {field: [before[field], after[field]] for field in IDENTITY_FIELDS if before[field] != after[field]}
        if changes:
            audit_log(action="volunteers.member.profile_changed", actor=by, community=member.community, obj=member,
                      data={"fields": sorted(changes), "changes": changes})
        if "birth_date" in changes:
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

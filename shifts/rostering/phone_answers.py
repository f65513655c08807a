"""Answers a member gives the secretary by telephone (issue #27, by phone; 国办发〔2020〕45号 asks that every
digital service keep a way by phone): the secretary records them on the member's behalf from the member page.

Each answer goes through the same service as the member's own (the week confirmation, absence_report for one
shift or a period) and is written to the audit log a second time as taken by phone, so the audit page says who
took the call and what the member said. Any message they cause is queued by those services after commit."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.models import Assignment, Roster, WeekConfirmation
from shifts.rostering.absences import absence_report
from shifts.rostering.confirmations import confirmation_answer
from volunteers.models import Member
from volunteers.selectors import members_for
from volunteers.services.audit import audit_log

BY_PHONE = "phone"


def _own(member: Member, by) -> None:
    """The secretary answers only for members they manage (the view's member_for says so too)."""
    if not members_for(by).filter(pk=member.pk).exists():
        raise ValidationError({"member": _("You do not manage this member.")})


def _audit(kind: str, *, member: Member, by, obj, data: dict) -> None:
    audit_log(action=f"shifts.phone_answer.{kind}", actor=by, community=member.community, obj=obj,
              data={"member": member.pk, "via": BY_PHONE, **data})


def phone_confirmed(*, member: Member, confirmation: WeekConfirmation, by) -> WeekConfirmation:
    """The member said on the telephone that they will come to their week's shifts."""
    _own(member, by)
    if confirmation.member_id != member.pk:
        raise ValidationError({"confirmation": _("This is not this member's week.")})
    with transaction.atomic():
        answered = confirmation_answer(confirmation=confirmation, accept=True, by=by, via=WeekConfirmation.Via.APP)
        _audit("confirmed", member=member, by=by, obj=answered, data={"week": answered.week_start.isoformat()})
    return answered


def phone_cant_come(*, member: Member, assignment: Assignment, reason: str, note: str = "", by):
    """The member said on the telephone that they cannot come to one shift, and why."""
    _own(member, by)
    if assignment.member_id != member.pk or assignment.roster.status != Roster.Status.PUBLISHED:
        raise ValidationError({"assignment": _("This member is not on that shift.")})
    shift = assignment.shift
    if shift.start <= timezone.now():
        raise ValidationError({"assignment": _("This shift has already begun.")})
    with transaction.atomic():
        absence = absence_report(member=member, start=shift.start, end=shift.end, reason=reason, by=by,
                                 note=note or _("Said on the telephone"))
        _audit("cant_come", member=member, by=by, obj=absence, data={"shift": shift.pk, "reason": reason})
    return absence


def phone_away(*, member: Member, first_day: dt.date, last_day: dt.date, reason: str, note: str = "", by):
    """The member said on the telephone that they are away from one day to another (whole days, inclusive)."""
    _own(member, by)
    if last_day < first_day:
        raise ValidationError({"last_day": _("The last day must be on or after the first day.")})
    if last_day < timezone.localdate():
        raise ValidationError({"last_day": _("This period is already over.")})
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    with transaction.atomic():
        absence = absence_report(member=member, start=start, end=end, reason=reason, by=by,
                                 note=note or _("Said on the telephone"))
        _audit("away", member=member, by=by, obj=absence,
               data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat(), "reason": reason})
    return absence

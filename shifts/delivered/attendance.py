"""Attendance: members check in and out (phone or poster), a team leader checks in the whole team, and the
secretary back-fills from the paper book. Only times are stored, never a location.

A shift counts as served when the member was present for at least settings.ATTENDANCE_SERVED_SHARE of it;
presence is the check-in to check-out span clipped to the shift. Served minutes are that presence.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.delivered.welfare_ladder import welfare_answer_by_attendance
from shifts.models import Assignment, Attendance, Roster, Shift, ShiftTemplate
from shifts.models.shifts import wall_minutes
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


# Members may check in a little early and check out a while after the end (the book is often signed late).
CHECK_IN_EARLY = dt.timedelta(minutes=60)
CHECK_OUT_LATE = dt.timedelta(hours=3)
POSTER_SALT = "shifts.attendance.poster"


# --------------------------------------------------------------------------- the 60% rule

def present_minutes(shift: Shift, check_in: dt.datetime | None, check_out: dt.datetime | None) -> int:
    """Minutes of the shift between check-in and check-out; 0 until both are known."""
    if check_in is None or check_out is None:
        return 0
    start, end = max(check_in, shift.start), min(check_out, shift.end)
    return max(0, wall_minutes(start, end)) if end > start else 0


def counts_as_served(shift: Shift, minutes: int) -> bool:
    return shift.minutes > 0 and minutes >= shift.minutes * settings.ATTENDANCE_SERVED_SHARE


def _save(attendance: Attendance) -> Attendance:
    attendance.full_clean(exclude=["shift", "member", "recorded_by"], validate_unique=False)
    attendance.present_minutes = present_minutes(attendance.shift, attendance.check_in, attendance.check_out)
    attendance.served = (counts_as_served(attendance.shift, attendance.present_minutes)
                         and not attendance.awaits_presence_confirmation)
    attendance.served_minutes = attendance.present_minutes if attendance.served else 0
    attendance.save()
    if attendance.check_in is not None:  # here (or back): a welfare ladder calling them stops
        welfare_answer_by_attendance(shift_id=attendance.shift_id, member=attendance.member, check_in=True,
                                     check_out=attendance.check_out is not None, by=attendance.recorded_by)
    return attendance


# --------------------------------------------------------------------------- who may check in

def assignment_published(*, member: Member, shift: Shift) -> Assignment | None:
    return (Assignment.objects.filter(member=member, shift=shift, roster__status=Roster.Status.PUBLISHED)
            .select_related("shift__duty").first())


def is_gathering(shift: Shift) -> bool:
    """A gathering for every member (the study session, settings.UNROSTERED_DUTIES): nobody is rostered on it."""
    return shift.duty.code in settings.UNROSTERED_DUTIES


def may_check_in(*, member: Member, shift: Shift) -> bool:
    """On the shift's published roster, or, for a gathering, an active member serving its community."""
    if is_gathering(shift):
        return member.active and _may_serve(member, shift)
    return assignment_published(member=member, shift=shift) is not None


def is_team_leader(*, member: Member, shift: Shift) -> bool:
    """The member on the shift who holds the duty's lead skill (e.g. first aid for patrols)."""
    lead = shift.duty.lead_skill_id
    return (lead is not None and assignment_published(member=member, shift=shift) is not None
            and member.skills.filter(pk=lead).exists())


def _own_window(shift: Shift, now: dt.datetime, *, checking_out: bool) -> None:
    if now < shift.start - CHECK_IN_EARLY:
        raise ValidationError(_("It is too early to check in; come back an hour before the start."))
    if not checking_out and now > shift.end:
        raise ValidationError(_("This shift is over; ask your secretary to note your attendance."))
    if checking_out and now > shift.end + CHECK_OUT_LATE:
        raise ValidationError(_("It is too late to check out here; ask your secretary to note the time."))


def _locked(shift: Shift, member: Member) -> Attendance:
    attendance, _created = Attendance.objects.select_for_update().get_or_create(shift=shift, member=member)
    attendance.shift = shift  # the caller's instance, with its duty already loaded
    return attendance


# --------------------------------------------------------------------------- members, on their phone

def attendance_check_in(*, member: Member, shift: Shift, by=None, source: str = Attendance.Source.APP,
                        now: dt.datetime | None = None) -> Attendance:
    """The member is here. Checking in twice keeps the first time."""
    now = now or timezone.now()
    if not may_check_in(member=member, shift=shift):
        raise ValidationError(_("You are not on this shift."))
    _own_window(shift, now, checking_out=False)
    with transaction.atomic():
        attendance = _locked(shift, member)
        if attendance.check_in is None:
            attendance.check_in, attendance.source, attendance.recorded_by = now, source, by
            _save(attendance)
            if source == Attendance.Source.RELATIVE:
                audit_log(action="shifts.attendance.relative_check_in", actor=by, community=shift.community,
                          obj=attendance, data={"shift": shift.pk, "member": member.pk})
    logger.info("member %s checked in to shift %s (%s)", member.pk, shift.pk, source)
    return attendance


def attendance_check_out(*, member: Member, shift: Shift, by=None, source: str = Attendance.Source.APP,
                         now: dt.datetime | None = None) -> Attendance:
    """The member leaves; needs a check-in first. Checking out again moves the time."""
    now = now or timezone.now()
    if not may_check_in(member=member, shift=shift):
        raise ValidationError(_("You are not on this shift."))
    _own_window(shift, now, checking_out=True)
    with transaction.atomic():
        attendance = _locked(shift, member)
        if attendance.check_in is None:
            raise ValidationError(_("Check in first."))
        if now <= attendance.check_in:
            raise ValidationError(_("The check-out must be after the check-in."))
        attendance.check_out, attendance.recorded_by = now, by
        if source == Attendance.Source.RELATIVE and attendance.presence_confirmed_at is None:
            attendance.source = source  # the time is the relative's word: it needs a witness like a check-in
        _save(attendance)
    return attendance


def attendance_presence_confirm(*, shift: Shift, member: Member, witness: Member, by,
                                now: dt.datetime | None = None) -> Attendance:
    """A team-mate on the same published shift says the member is there too, so a relative's check-in counts as
    served. (The team leader's team check-in vouches for everyone; a secretary writes the times from the book.)"""
    now = now or timezone.now()
    if witness.pk == member.pk or assignment_published(member=witness, shift=shift) is None:
        raise ValidationError(_("Only someone else on this shift can confirm that %(name)s was there.")
                              % {"name": member.name})
    _own_window(shift, now, checking_out=True)
    with transaction.atomic():
        attendance = Attendance.objects.select_for_update().filter(shift=shift, member=member).first()
        if attendance is None or attendance.check_in is None:
            raise ValidationError(_("%(name)s has not checked in.") % {"name": member.name})
        if attendance.awaits_presence_confirmation:
            attendance.shift = shift
            attendance.presence_confirmed_by, attendance.presence_confirmed_at = by, now
            _save(attendance)
            audit_log(action="shifts.attendance.presence_confirmed", actor=by, community=shift.community,
                      obj=attendance, data={"shift": shift.pk, "member": member.pk, "witness": witness.pk})
    return attendance


def team_members(shift: Shift) -> list[Member]:
    ids = (Assignment.objects.filter(shift=shift, roster__status=Roster.Status.PUBLISHED)
           .values_list("member_id", flat=True))
    return list(Member.objects.filter(pk__in=ids).order_by("name"))


def attendance_team_check_in(*, leader: Member, shift: Shift, by=None, now: dt.datetime | None = None
                             ) -> list[Attendance]:
    """The team leader checks in everyone on the shift who has not checked in yet."""
    return _team(leader=leader, shift=shift, by=by, now=now, checking_out=False)


def attendance_team_check_out(*, leader: Member, shift: Shift, by=None, now: dt.datetime | None = None
                              ) -> list[Attendance]:
    """The team leader checks out everyone on the shift who checked in and has not checked out."""
    return _team(leader=leader, shift=shift, by=by, now=now, checking_out=True)


def _team(*, leader, shift, by, now, checking_out) -> list[Attendance]:
    now = now or timezone.now()
    if not is_team_leader(member=leader, shift=shift):
        raise ValidationError(_("Only the team leader of this shift can check in the whole team."))
    _own_window(shift, now, checking_out=checking_out)
    changed = []
    with transaction.atomic():
        for member in team_members(shift):
            attendance = _locked(shift, member)
            if not checking_out and attendance.check_in is None:
                attendance.check_in, attendance.source, attendance.recorded_by = now, Attendance.Source.LEADER, by
            elif attendance.awaits_presence_confirmation and member.pk != leader.pk:
                # The leader is there and vouches for the whole team, this member included.
                attendance.presence_confirmed_by, attendance.presence_confirmed_at = by, now
                if checking_out and attendance.check_out is None and now > attendance.check_in:
                    attendance.check_out = now
            elif checking_out and attendance.check_in is not None and attendance.check_out is None \
                    and now > attendance.check_in:
                attendance.check_out, attendance.recorded_by = now, by
            else:
                continue
            changed.append(_save(attendance))
        audit_log(action=f"shifts.attendance.team_{'out' if checking_out else 'in'}", actor=by,
                  community=shift.community, obj=shift, data={"leader": leader.pk, "members": len(changed)})
    return changed


# --------------------------------------------------------------------------- the secretary

def attendance_set(*, shift: Shift, member: Member, check_in: dt.datetime | None, check_out: dt.datetime | None,
                   by=None, source: str = Attendance.Source.BACKFILL) -> Attendance | None:
    """Write the times from the paper book (both empty: remove the record). The member must be on the shift
    or serve its community (a stand-in who came in someone's place)."""
    if not _may_serve(member, shift):
        raise ValidationError({"member": _("%(name)s does not serve this community.") % {"name": member.name}})
    if check_out is not None and check_in is None:
        raise ValidationError({"check_in": _("Give the check-in time as well.")})
    with transaction.atomic():
        if check_in is None:
            Attendance.objects.filter(shift=shift, member=member).delete()
            return None
        attendance = _locked(shift, member)
        attendance.check_in, attendance.check_out = check_in, check_out
        attendance.source, attendance.recorded_by = source, by
        _save(attendance)
        audit_log(action="shifts.attendance.backfilled", actor=by, community=shift.community, obj=attendance,
                  data={"shift": shift.pk, "member": member.pk, "source": source})
    return attendance


def _may_serve(member: Member, shift: Shift) -> bool:
    if member.community_id == shift.community_id:
        return True
    if member.extra_communities.filter(pk=shift.community_id).exists():
        return True
    return Assignment.objects.filter(member=member, shift=shift, roster__status=Roster.Status.PUBLISHED).exists()


# --------------------------------------------------------------------------- QR posters per meeting point

def poster_token(community: Community, location: str) -> str:
    """A signed, printable token naming a community's meeting point; it never expires (it is on a wall)."""
    return signing.Signer(salt=POSTER_SALT).sign_object({"c": community.pk, "l": location})


def poster_place(token: str) -> tuple[Community, str]:
    """The community and meeting point a poster names; ValidationError for a forged or damaged token."""
    try:
        data = signing.Signer(salt=POSTER_SALT).unsign_object(token)
        return Community.objects.get(pk=data["c"]), str(data["l"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, Community.DoesNotExist):
        raise ValidationError(_("This poster link is not valid. Scan the poster again or ask your secretary."))


def poster_assignments(*, member: Member, community: Community, location: str, now: dt.datetime | None = None
                       ) -> list[Assignment]:
    """The member's published shifts at this meeting point that are open for checking in or out now."""
    now = now or timezone.now()
    return list(Assignment.objects.filter(
        member=member, roster__status=Roster.Status.PUBLISHED, shift__community=community, shift__location=location,
        shift__start__lte=now + CHECK_IN_EARLY, shift__end__gte=now - CHECK_OUT_LATE)
        .select_related("shift__duty", "shift__community").order_by("shift__start"))


# The gatherings' poster (the study session, settings.UNROSTERED_DUTIES) names no meeting point: it hangs where the
# community meets, and its scan offers every gathering of the community open now to any member who serves it.
GATHERING_POSTER = ""


def poster_label(location: str) -> str:
    return location or _("Study session and other gatherings")


def poster_places(community: Community) -> list[str]:
    """The places to print a poster for: the gatherings' poster first (when the district has gatherings), then
    every meeting point."""
    return ([GATHERING_POSTER] if settings.UNROSTERED_DUTIES else []) + meeting_points(community)


def meeting_points(community: Community) -> list[str]:
    """Every meeting point named on the community's templates or shifts, home visits' excepted: a visit's meeting
    point is the household's door, which only its visitor's own calendar names, never a poster on a wall."""

    def places_of(rows):
        return set(rows.exclude(location="").filter(visit_target__isnull=True)
                   .exclude(duty__code=settings.VISIT_DUTY_CODE).values_list("location", flat=True))

    places = places_of(ShiftTemplate.objects.filter(community=community, active=True))
    places |= places_of(Shift.objects.filter(community=community, start__gte=timezone.now() - dt.timedelta(days=14)))
    return sorted(places)

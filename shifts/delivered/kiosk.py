"""The kiosk at the community centre: a shared tablet where a member types the last four digits of their phone,
taps their name, and checks in or out of today's shifts (or says they cannot come tomorrow).

A secretary opens a kiosk once from their pages: the browser gets a signed cookie naming a Kiosk row and a secret
whose hash the row keeps, and is logged out; closing the kiosk (revoked_at) ends the cookie at once. Nothing on a
kiosk is a login: every step names the four digits and the member again and is checked again.

Check-ins go through the one attendance service (shifts.delivered.attendance) with source KIOSK; "明天来不了"
goes through the absence service, so re-planning and messages follow. Guessing is bounded per kiosk: at most
LOOKUPS_PER_MINUTE look-ups a minute, and WRONG_PER_MINUTE wrong ones lock the kiosk for LOCKOUT. The tries and
the lock are rows, so a flushed or unreachable cache neither lifts a lockout nor locks a kiosk.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Q
from django.db.models.functions import Cast, Right
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.delivered.attendance import attendance_check_in, attendance_check_out
from shifts.messaging.labels import shift_title
from shifts.models import Assignment, Attendance, Kiosk, KioskTry, Roster, Shift
from shifts.models.duties import is_visit
from shifts.rostering.absences import absence_report
from volunteers.models import Community, Member, Unavailability
from volunteers.selectors import members_serving
from volunteers.services.audit import audit_log

COOKIE = "yure_kiosk"
COOKIE_AGE = 400 * 24 * 3600  # a browser keeps a cookie at most 400 days; the secretary reopens after that
SALT = "shifts.kiosk"
LOOKUPS_PER_MINUTE = 12
WRONG_PER_MINUTE = 5
LOCKOUT = dt.timedelta(minutes=15)
DIGITS = re.compile(r"^\d{4}$")


class KioskLocked(Exception):
    """Too many wrong tries: the kiosk takes no digits until `until`."""

    def __init__(self, until: dt.datetime):
        super().__init__(until)
        self.until = until


# --------------------------------------------------------------------------- opening and closing (staff)

def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def kiosk_open(*, community: Community, by, name: str = "") -> tuple[Kiosk, str]:
    """A new kiosk for the community; returns it and the cookie value the tablet keeps."""
    secret = secrets.token_urlsafe(32)
    kiosk = Kiosk.objects.create(community=community, name=name.strip()[:60], key_hash=_hash(secret), opened_by=by)
    audit_log(action="shifts.kiosk.opened", actor=by, community=community, obj=kiosk, data={"kiosk": kiosk.pk})
    return kiosk, signing.dumps({"k": kiosk.pk, "s": secret}, salt=SALT)


def kiosk_close(*, kiosk: Kiosk, by) -> Kiosk:
    """Close the kiosk: its tablet shows "not a kiosk" from its next tap."""
    if kiosk.revoked_at is None:
        kiosk.revoked_at, kiosk.revoked_by = timezone.now(), by
        kiosk.save(update_fields=["revoked_at", "revoked_by"])
        audit_log(action="shifts.kiosk.closed", actor=by, community=kiosk.community, obj=kiosk,
                  data={"kiosk": kiosk.pk})
    return kiosk


def kiosk_from_cookie(value: str | None) -> Kiosk | None:
    """The open kiosk a browser's cookie names; None for no cookie, a forged one or a closed kiosk."""
    if not value:
        return None
    try:
        data = signing.loads(value, salt=SALT)
        kiosk = Kiosk.objects.select_related("community").get(pk=int(data["k"]), revoked_at__isnull=True)
    except (signing.BadSignature, KeyError, TypeError, ValueError, Kiosk.DoesNotExist):
        return None
    return kiosk if hmac.compare_digest(kiosk.key_hash, _hash(str(data.get("s", "")))) else None


def open_kiosks(community: Community) -> list[Kiosk]:
    return list(Kiosk.objects.filter(community=community, revoked_at__isnull=True).select_related("opened_by"))


# --------------------------------------------------------------------------- four digits, bounded

def _members_ending(community: Community, digits: str):
    return (members_serving(community).annotate(_tail=Right(Cast("phone", CharField()), 4))
            .filter(_tail=digits).order_by("name", "pk"))


def _locked_kiosk(kiosk: Kiosk, now: dt.datetime) -> Kiosk:
    """The kiosk's row, locked for this transaction; KioskLocked while a lockout holds."""
    row = Kiosk.objects.select_for_update().get(pk=kiosk.pk)
    if row.locked_until is not None and row.locked_until > now:
        raise KioskLocked(row.locked_until)
    return row


def _record(row: Kiosk, now: dt.datetime, *, wrong: bool) -> dt.datetime | None:
    """Count one try; lock the kiosk when it is one wrong try too many. Returns the lock's end, if it locked."""
    KioskTry.objects.create(kiosk=row, at=now, wrong=wrong)
    row.last_used_at = now
    if wrong and KioskTry.objects.filter(kiosk=row, wrong=True, at__gt=now - dt.timedelta(minutes=1)
                                         ).count() >= WRONG_PER_MINUTE:
        row.locked_until = now + LOCKOUT
        audit_log(action="shifts.kiosk.locked", community=row.community, obj=row,
                  data={"kiosk": row.pk, "until": row.locked_until.isoformat()})
    row.save(update_fields=["last_used_at", "locked_until"])
    return row.locked_until if wrong and row.locked_until and row.locked_until > now else None


def kiosk_lookup(*, kiosk: Kiosk, digits: str, now: dt.datetime | None = None) -> list[Member]:
    """The active members serving the kiosk's community whose phone ends with the four digits (two or more when
    they share them: each taps their own name). Wrong digits count towards the lockout."""
    now = now or timezone.now()
    digits = (digits or "").strip()
    if not DIGITS.match(digits):
        raise ValidationError(_("Type the last 4 digits of your phone number."))
    with transaction.atomic():
        row = _locked_kiosk(kiosk, now)
        if KioskTry.objects.filter(kiosk=row, at__gt=now - dt.timedelta(minutes=1)).count() >= LOOKUPS_PER_MINUTE:
            raise ValidationError(_("Too many tries on this tablet. Please wait a minute and try again."))
        members = list(_members_ending(row.community, digits))
        locked = _record(row, now, wrong=not members)
    if locked is not None:
        raise KioskLocked(locked)
    if not members:
        raise ValidationError(_("No member of %(community)s has a phone number ending in %(digits)s. Please check "
                                "the digits and try again.") % {"community": kiosk.community.name, "digits": digits})
    return members


def kiosk_member(*, kiosk: Kiosk, digits: str, member_id, now: dt.datetime | None = None) -> Member:
    """The member a tapped name names, checked again against the digits (each step stands on its own); a pair that
    does not match counts as a wrong try."""
    now = now or timezone.now()
    digits = (digits or "").strip()
    with transaction.atomic():
        row = _locked_kiosk(kiosk, now)
        member = None
        if DIGITS.match(digits) and str(member_id).isdigit():
            member = _members_ending(row.community, digits).filter(pk=int(member_id)).first()
        locked = _record(row, now, wrong=True) if member is None else None
    if locked is not None:
        raise KioskLocked(locked)
    if member is None:
        raise ValidationError(_("Please type the last 4 digits of your phone again."))
    return member


# --------------------------------------------------------------------------- today's shifts

@dataclass
class KioskShift:
    shift: Shift
    attendance: Attendance | None
    gathering: bool = False

    @property
    def title(self) -> str:
        """A shared screen: a home visit is "入户探访", never the household's name (shift_title's careful default)."""
        return shift_title(self.shift)

    @property
    def place(self) -> str:
        return "" if is_visit(self.shift) else self.shift.location

    @property
    def checked_in(self) -> bool:
        return self.attendance is not None and self.attendance.check_in is not None

    @property
    def can_check_in(self) -> bool:
        return not self.checked_in and timezone.now() <= self.shift.end

    @property
    def can_check_out(self) -> bool:
        return self.checked_in


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time.min, tzinfo=zone)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)


def kiosk_today(*, kiosk: Kiosk, member: Member, now: dt.datetime | None = None) -> list[KioskShift]:
    """The member's shifts at the kiosk's community today (published roster), and today's gatherings there (the
    study session: every member serving the community may come)."""
    now = now or timezone.now()
    start, end = _day_bounds(timezone.localtime(now).date())
    rostered = set(Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                             shift__community=kiosk.community, shift__start__lt=end,
                                             shift__end__gt=start).values_list("shift_id", flat=True))
    shifts = list(Shift.objects.filter(Q(pk__in=rostered) | Q(duty__code__in=settings.UNROSTERED_DUTIES,
                                                              community=kiosk.community, start__lt=end,
                                                              end__gt=start))
                  .select_related("duty", "community").order_by("start", "pk").distinct())
    records = {a.shift_id: a for a in Attendance.objects.filter(member=member, shift__in=shifts)}
    return [KioskShift(s, records.get(s.pk), gathering=s.duty.code in settings.UNROSTERED_DUTIES) for s in shifts]


def kiosk_check(*, kiosk: Kiosk, digits: str, member_id, shift_id, action: str,
                now: dt.datetime | None = None) -> tuple[Member, Attendance, bool]:
    """Check the member in ("in") or out ("out") of one of today's shifts at this kiosk's community, by the
    attendance service. Returns (member, attendance, already): `already` when they had checked in before."""
    now = now or timezone.now()
    member = kiosk_member(kiosk=kiosk, digits=digits, member_id=member_id, now=now)
    attendance, already = kiosk_check_member(kiosk=kiosk, member=member, shift_id=shift_id, action=action, now=now)
    return member, attendance, already


def kiosk_check_member(*, kiosk: Kiosk, member: Member, shift_id, action: str, now: dt.datetime | None = None
                       ) -> tuple[Attendance, bool]:
    """kiosk_check for a member kiosk_member has just named."""
    now = now or timezone.now()
    today = {item.shift.pk: item for item in kiosk_today(kiosk=kiosk, member=member, now=now)}
    item = today.get(int(shift_id)) if str(shift_id).isdigit() else None
    if item is None or action not in ("in", "out"):
        raise ValidationError(_("You have no shift here today."))
    already = action == "in" and item.checked_in
    if action == "in":
        attendance = attendance_check_in(member=member, shift=item.shift, source=Attendance.Source.KIOSK, now=now)
    else:
        attendance = attendance_check_out(member=member, shift=item.shift, source=Attendance.Source.KIOSK,
                                          now=now)
    if not already:
        audit_log(action=f"shifts.kiosk.check_{action}", community=kiosk.community, obj=attendance,
                  data={"kiosk": kiosk.pk, "shift": item.shift.pk, "member": member.pk})
    return attendance, already


def kiosk_tomorrow(*, kiosk: Kiosk, member: Member, now: dt.datetime | None = None) -> list[KioskShift]:
    """The member's published shifts tomorrow (any community): what "明天来不了" will free."""
    now = now or timezone.now()
    start, end = _day_bounds(timezone.localtime(now).date() + dt.timedelta(days=1))
    return [KioskShift(a.shift, None) for a in Assignment.objects.filter(
        member=member, roster__status=Roster.Status.PUBLISHED, shift__start__lt=end, shift__end__gt=start)
        .select_related("shift__duty").order_by("shift__start")]


def kiosk_cant_come_tomorrow(*, kiosk: Kiosk, digits: str, member_id, now: dt.datetime | None = None
                             ) -> tuple[Member, Unavailability]:
    """"明天来不了": an absence for the whole of tomorrow through the absence service (re-planning and the
    member's confirmation follow after commit)."""
    now = now or timezone.now()
    member = kiosk_member(kiosk=kiosk, digits=digits, member_id=member_id, now=now)
    start, end = _day_bounds(timezone.localtime(now).date() + dt.timedelta(days=1))
    absence = absence_report(member=member, start=start, end=end, reason=Unavailability.Reason.OTHER,
                             note=_("Said at the kiosk: cannot come tomorrow."))
    audit_log(action="shifts.kiosk.absence_reported", community=kiosk.community, obj=absence,
              data={"kiosk": kiosk.pk, "member": member.pk, "day": start.date().isoformat()})
    return member, absence

"""What a feed says about a shift, and to whom: titles, places, teammates, the publishing window.

Privacy rules live here and nowhere else: health and caregiving never appear; a visit's household and address
appear only in the assigned visitor's own feed; mediation shows the duty and nothing a secretary may have typed
about the parties; patrol partners see each other's phone numbers.
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.models import Shift
from shifts.models.duties import MEDIATION_CODES, is_visit

PAST_DAYS = 56  # 8 weeks back
FUTURE_DAYS = 84  # 12 weeks ahead
MAX_EVENTS = 1000  # Google drops feeds past ~1,000 events or ~1 MB
GRACE = dt.timedelta(days=7)  # a removed shift shows as cancelled this long, then vanishes
EVENING_BEFORE_HOUR = 18



def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=local_tz())


def window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Shifts starting in [lo, hi) are published: whole local days, 8 weeks back and 12 ahead."""
    today = timezone.localtime(now, local_tz()).date()
    return local_midnight(today - dt.timedelta(days=PAST_DAYS)), local_midnight(today + dt.timedelta(days=FUTURE_DAYS))


def entered_window_at(start: dt.datetime) -> dt.datetime:
    """The local midnight at which a shift starting at `start` came into the window."""
    day = timezone.localtime(start, local_tz()).date()
    return local_midnight(day - dt.timedelta(days=FUTURE_DAYS - 1))


def left_window_at(start: dt.datetime) -> dt.datetime:
    """The local midnight at which a shift starting at `start` fell out of the window."""
    day = timezone.localtime(start, local_tz()).date()
    return local_midnight(day + dt.timedelta(days=PAST_DAYS + 1))


def event_title(shift: Shift, *, own_visit: bool) -> str:
    """The SUMMARY: the duty, plus the shift's own name where that cannot reveal anyone's private details."""
    name = shift.duty.display_name
    if shift.duty.code in MEDIATION_CODES:
        return name  # a secretary may have named the parties in the shift's name
    if is_visit(shift):
        if own_visit and shift.visit_target_id is not None:
            return f"{name} · {shift.visit_target.household}"
        return name
    return f"{name} · {shift.name}" if shift.name else name


def event_location(shift: Shift, *, own_visit: bool) -> str:
    """The LOCATION: the meeting point; for a visit, the household's address to its own visitor only."""
    if is_visit(shift):
        if own_visit and shift.visit_target_id is not None:
            return shift.visit_target.address
        return ""  # a visit's meeting point may be the household's door
    return shift.location


def teammates_line(shift: Shift, teammates: list[tuple[str, str]]) -> str:
    """Teammates' names; on patrol also their phones, since partners need them on the street."""
    if not teammates:
        return ""
    show_phone = shift.duty.code == settings.PATROL_DUTY_CODE
    people = [f"{name} {phone}" if show_phone and phone else name for name, phone in teammates]
    return _("Teammates: %(people)s") % {"people": "、".join(people)}


def member_description(shift: Shift, teammates: list[tuple[str, str]]) -> str:
    lines = [teammates_line(shift, teammates),
             _("Changes within 48 hours also reach you by message; this calendar can lag by up to a day.")]
    return "\n".join(line for line in lines if line)


def staffing_description(shift: Shift, names: list[str]) -> str:
    """The community feed's view: who is on it and how many are still missing; no contact or private details."""
    lines = [_("Staffed: %(count)d of %(wanted)d wanted") % {"count": len(names), "wanted": shift.min_staff}]
    if names:
        lines.append("、".join(names))
    if len(names) < shift.min_staff:
        lines.append(_("Still missing: %(count)d") % {"count": shift.min_staff - len(names)})
    return "\n".join(lines)


def cancelled_title(title: str) -> str:
    return _("Cancelled: %(title)s") % {"title": title}


def alarm_texts(shift: Shift, title: str) -> tuple[str, str]:
    start = timezone.localtime(shift.start, local_tz())
    evening = _("Tomorrow %(time)s: %(title)s") % {"time": f"{start:%H:%M}", "title": title}
    soon = _("In 2 hours (%(time)s): %(title)s") % {"time": f"{start:%H:%M}", "title": title}
    return evening, soon


def feed_name_member(member) -> str:
    return _("Yure shifts · %(name)s") % {"name": member.name}


def feed_name_community(community, duty=None) -> str:
    if duty is None:
        return _("Yure roster · %(community)s") % {"community": community.name}
    return _("Yure roster · %(community)s · %(duty)s") % {"community": community.name, "duty": duty.display_name}

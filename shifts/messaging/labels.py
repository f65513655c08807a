"""How a shift is named to people, in the active language."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shifts.models import Shift
from shifts.models.duties import is_visit


def shift_label(shift: Shift, *, private: bool = False) -> str:
    """'巡逻 11月24日 星期二 19:00–21:00' in the active language; never an address. A home visit is called
    入户探访 unless `private` (the reader is its visitor or the community's staff): see shift_title below."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return (f"{shift_title(shift, private=private)} {date_format(start, 'MONTH_DAY_FORMAT')} "
            f"{date_format(start, 'D')} {start:%H:%M}–{end:%H:%M}")


def shift_line(shift: Shift, *, private: bool = False) -> dict:
    """Plain values for a message: no health, caregiving or address ever goes in here. A home visit's name
    and meeting point (often the household's door) only when `private`: to its visitor or the community's
    secretaries (see shift_title below)."""
    visit = is_visit(shift)
    return {"duty": shift.duty.name, "duty_en": shift.duty.name_en or shift.duty.name,
            "name": shift_title(shift, private=private) if shift.name or (visit and not private) else "",
            "start": shift.start, "end": shift.end, "location": "" if visit and not private else shift.location,
            "community": shift.community.name}


def shift_title(shift: Shift, *, private: bool = False) -> str:
    """The one name of a shift for people: its own name, else its duty's.

    A home visit's name often says whose home it is ("探访谢家（和平街1号）"), which is sensitive: it is shown
    only when `private` (the reader is the visitor, or staff of the shift's community: sensitive_community_ids);
    everyone else (notice-board printouts, roster exports, other members' swap pages and messages) reads
    "入户探访". The default is the careful one."""
    if is_visit(shift) and not private:
        return _("Home visit")
    if shift.name:
        return shift.name
    return shift.duty.display_name

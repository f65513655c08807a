"""How a shift is named to people, in the active language."""

from django.utils import timezone
from django.utils.formats import date_format

from shifts.feeds.content import is_visit
from shifts.models import Shift
from shifts.selectors import shift_title


def shift_label(shift: Shift, *, private: bool = False) -> str:
    """'巡逻 11月24日 星期二 19:00–21:00' in the active language; never an address. A home visit is called
    入户探访 unless `private` (the reader is its visitor or the community's staff): see shifts.selectors.shift_title."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return (f"{shift_title(shift, private=private)} {date_format(start, 'MONTH_DAY_FORMAT')} "
            f"{date_format(start, 'D')} {start:%H:%M}–{end:%H:%M}")


def shift_line(shift: Shift, *, private: bool = False) -> dict:
    """Plain values for a message: no health, caregiving or address ever goes in here. A home visit's name
    and meeting point (often the household's door) only when `private`: to its visitor or the community's
    secretaries (see shifts.selectors.shift_title)."""
    visit = is_visit(shift)
    return {"duty": shift.duty.name, "duty_en": shift.duty.name_en or shift.duty.name,
            "name": shift_title(shift, private=private) if shift.name or (visit and not private) else "",
            "start": shift.start, "end": shift.end, "location": "" if visit and not private else shift.location,
            "community": shift.community.name}

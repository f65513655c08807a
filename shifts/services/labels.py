"""How a shift is named to people, in the active language."""

from django.utils import timezone
from django.utils.formats import date_format

from shifts.models import Shift
from shifts.selectors import shift_title


def shift_label(shift: Shift, *, private: bool = False) -> str:
    """'巡逻 11月24日 星期二 19:00–21:00' in the active language; never an address. A home visit is called
    入户探访 unless `private` (the reader is its visitor or the community's staff): see shifts.selectors.shift_title."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    return (f"{shift_title(shift, private=private)} {date_format(start, 'MONTH_DAY_FORMAT')} "
            f"{date_format(start, 'D')} {start:%H:%M}–{end:%H:%M}")

"""How a shift is named to people, in the active language."""

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language

from shifts.models import Shift


def shift_label(shift: Shift) -> str:
    """'巡逻 11月24日 星期二 19:00–21:00' in the active language; never shows a household or address."""
    start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
    duty = shift.duty.name_en if get_language() == "en" and shift.duty.name_en else shift.duty.name
    return (f"{shift.name or duty} {date_format(start, 'MONTH_DAY_FORMAT')} {date_format(start, 'D')} "
            f"{start:%H:%M}–{end:%H:%M}")

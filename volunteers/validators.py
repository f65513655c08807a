"""Validators shared by the data model: the 15-minute grid and weekday codes of roster-problem/1."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from solver.problem import GRID

GRID_MINUTES = GRID  # the one 15-minute grid: roster-problem/1's (solver.problem)
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_LABELS = {
    "mon": _("Mon"), "tue": _("Tue"), "wed": _("Wed"), "thu": _("Thu"),
    "fri": _("Fri"), "sat": _("Sat"), "sun": _("Sun"),
}


def is_on_grid(value: dt.time | dt.datetime) -> bool:
    return value.minute % GRID_MINUTES == 0 and value.second == 0 and value.microsecond == 0


def validate_on_grid(value: dt.time | dt.datetime) -> None:
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # the grid is on local wall-clock time
    if value is not None and not is_on_grid(value):
        raise ValidationError(
            _("%(value)s is not on the 15-minute grid (use minutes 00, 15, 30 or 45)."),
            code="off_grid", params={"value": value.strftime("%H:%M:%S")},
        )


def parse_weekdays(raw: str) -> list[str]:
    """'mon,wed' -> ['mon', 'wed'], ordered Monday first; raises ValidationError on unknown codes."""
    codes = [part.strip().lower() for part in (raw or "").split(",") if part.strip()]
    unknown = [code for code in codes if code not in WEEKDAY_CODES]
    if unknown:
        raise ValidationError(
            _("Unknown weekday %(codes)s; use mon, tue, wed, thu, fri, sat, sun."),
            code="weekday", params={"codes": ", ".join(unknown)},
        )
    if not codes:
        raise ValidationError(_("Choose at least one weekday."), code="weekday_empty")
    return sorted(set(codes), key=WEEKDAY_CODES.index)


def validate_weekdays(raw: str) -> None:
    parse_weekdays(raw)


def validate_preference_map(value, *, keys: tuple[str, ...] | None, field: str) -> None:
    """A preference map is {key: integer -10..10}; negative means liked."""
    if not isinstance(value, dict):
        raise ValidationError({field: _("Must be a mapping of name to a number from -10 to 10.")})
    for key, weight in value.items():
        if keys is not None and key not in keys:
            raise ValidationError({field: _("Unknown key %(key)s.") % {"key": key}})
        if isinstance(weight, bool) or not isinstance(weight, int) or not -10 <= weight <= 10:
            raise ValidationError({field: _("%(key)s: must be a whole number from -10 to 10.") % {"key": key}})

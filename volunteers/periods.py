"""A period in words, as people say it: an absence kept as [start, end) with an exclusive midnight end reads as
whole days ("12月7日至12月8日", not "12-07 00:00 – 12-09 00:00"); a period with times keeps them. Templates use
it through `{% load periods %}` (volunteers/templatetags/periods.py)."""

import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _


def _local(value):
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def period_words(start, end) -> str:
    start, end = _local(start), _local(end)
    if start is None or end is None:
        return ""
    midnight = dt.time(0, 0)
    start_day = start.date() if isinstance(start, dt.datetime) else start
    end_day = end.date() if isinstance(end, dt.datetime) else end
    whole_days = not isinstance(start, dt.datetime) or (start.time() == midnight and end.time() == midnight)
    if whole_days:
        last = end_day - dt.timedelta(days=1) if isinstance(end, dt.datetime) else end_day
        last = max(last, start_day)
        first_text = date_format(start_day, "MONTH_DAY_FORMAT")
        if last == start_day:
            return first_text
        return _("%(start)s to %(end)s") % {"start": first_text, "end": date_format(last, "MONTH_DAY_FORMAT")}
    start_text = f'{date_format(start_day, "MONTH_DAY_FORMAT")} {start:%H:%M}'
    end_text = f"{end:%H:%M}" if end_day == start_day else f'{date_format(end_day, "MONTH_DAY_FORMAT")} {end:%H:%M}'
    return _("%(start)s to %(end)s") % {"start": start_text, "end": end_text}

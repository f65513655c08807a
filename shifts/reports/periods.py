"""The report's month: parsed from "2026-11", its local-time bounds, and the months before it for trends."""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, raw: str) -> "Month":
        """'2026-11' -> Month(2026, 11); ValidationError naming the field for anything else."""
        match = _MONTH.match((raw or "").strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2999:
            raise ValidationError({"month": _("“%(value)s” is not a month; write it like 2026-11.")
                                   % {"value": str(raw)[:20]}})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Month":
        return cls(day.year, day.month)

    @classmethod
    def last_complete(cls, today: dt.date | None = None) -> "Month":
        """The month before today's: the latest one whose ledger is complete."""
        return cls.of(today or timezone.localdate()).previous()

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        return self.next().first_day - dt.timedelta(days=1)

    def previous(self, count: int = 1) -> "Month":
        index = self.year * 12 + self.month - 1 - count
        return Month(index // 12, index % 12 + 1)

    def next(self) -> "Month":
        return self.previous(-1)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[first day 00:00, next month's first day 00:00) in local time."""
        tz = timezone.get_current_timezone()
        return (dt.datetime.combine(self.first_day, dt.time(), tzinfo=tz),
                dt.datetime.combine(self.next().first_day, dt.time(), tzinfo=tz))

    def trail(self, months: int) -> list["Month"]:
        """This month and the `months - 1` before it, oldest first."""
        return [self.previous(n) for n in range(months - 1, -1, -1)]

"""Weekly shift templates and the concrete shifts made from them."""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.duties import Duty
from volunteers.models import Community, VisitTarget
from volunteers.validators import validate_on_grid

WEEKDAY_CHOICES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                   (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


def wall_minutes(start: dt.datetime, end: dt.datetime) -> int:
    """Minutes of a shift on the local wall clock: the one definition of "minutes served", as the optimizer's
    roster-problem/1 counts them (a daylight-saving jump does not change them)."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    naive_start = start.astimezone(zone).replace(tzinfo=None)
    naive_end = end.astimezone(zone).replace(tzinfo=None)
    return int((naive_end - naive_start).total_seconds() // 60)


def _validate_staff(min_staff, max_staff) -> dict:
    errors = {}
    if min_staff is not None and min_staff < 0:
        errors["min_staff"] = _("The number of people cannot be negative.")
    if max_staff is not None and min_staff is not None and max_staff < min_staff:
        errors["max_staff"] = _("The most people allowed is below the people wanted.")
    if max_staff is not None and max_staff < 1:
        errors["max_staff"] = _("At least one person must be allowed.")
    return errors


def _careful_name(shift) -> str:
    """What a shift or weekly shift is called wherever it is printed as itself (the admin's lists, titles and
    history, logs): a home visit's own name says whose home it is ("探访谢家（和平街1号）"), so a visit is its duty."""
    from shifts.models.duties import is_visit

    return str(shift.duty) if is_visit(shift) else (shift.name or str(shift.duty))


class ShiftTemplate(models.Model):
    """A recurring weekly shift; an end at or before the start means it ends the next day.

    On a public holiday it runs as usual, is skipped, or runs with its holiday staff numbers. A make-up
    workday (调休) runs the templates of the weekday it replaces (volunteers.calendars).
    """

    class OnHoliday(models.TextChoices):
        RUNS = "runs", _("Runs as usual")
        SKIPPED = "skipped", _("Skipped")
        CHANGED = "changed", _("Runs with different numbers")

    community = models.ForeignKey(Community, models.CASCADE, related_name="templates", verbose_name=_("community"))
    duty = models.ForeignKey(Duty, models.PROTECT, related_name="templates", verbose_name=_("duty"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES)
    start = models.TimeField(_("from"), validators=[validate_on_grid])
    end = models.TimeField(_("until"), validators=[validate_on_grid])
    location = models.CharField(_("meeting point"), max_length=120, blank=True)
    min_staff = models.IntegerField(_("people wanted"), default=1)
    max_staff = models.IntegerField(_("most people"), default=1)
    visit_target = models.ForeignKey(VisitTarget, models.CASCADE, null=True, blank=True, related_name="templates",
                                     verbose_name=_("visit household"))
    name = models.CharField(_("name"), max_length=80, blank=True)
    active = models.BooleanField(_("active"), default=True)
    on_holiday = models.CharField(_("on public holidays"), max_length=8, choices=OnHoliday.choices,
                                  default=OnHoliday.RUNS)
    holiday_min_staff = models.IntegerField(_("people wanted on holidays"), null=True, blank=True)
    holiday_max_staff = models.IntegerField(_("most people on holidays"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly shift template")
        verbose_name_plural = _("weekly shift templates")
        ordering = ["community", "weekday", "start"]

    def __str__(self):
        return f"{_careful_name(self)} {self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        errors = _validate_staff(self.min_staff, self.max_staff)
        if self.start is not None and self.end is not None and self.start == self.end:
            errors["end"] = _("The end must differ from the start.")
        if self.on_holiday == self.OnHoliday.CHANGED:
            if self.holiday_min_staff is None:
                errors["holiday_min_staff"] = _("Give the people wanted on holidays.")
            if self.holiday_max_staff is None:
                errors["holiday_max_staff"] = _("Give the most people on holidays.")
            errors.update({f"holiday_{name}": message for name, message in
                           _validate_staff(self.holiday_min_staff, self.holiday_max_staff).items()})
        if errors:
            raise ValidationError(errors)

    def staff_on(self, *, holiday: bool) -> tuple[int, int] | None:
        """(people wanted, most people) on a day, or None when the template does not run that day."""
        if not holiday or self.on_holiday == self.OnHoliday.RUNS:
            return self.min_staff, self.max_staff
        if self.on_holiday == self.OnHoliday.SKIPPED:
            return None
        return self.holiday_min_staff, self.holiday_max_staff

    def occurrence(self, week_start: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
        """The aware start and end of this template in the week beginning on Monday week_start."""
        return self.occurrence_on(week_start + dt.timedelta(days=self.weekday), tz)

    def occurrence_on(self, day: dt.date, tz) -> tuple[dt.datetime, dt.datetime]:
        """The aware start and end of this template run on `day` (its own weekday, or a make-up workday)."""
        start = dt.datetime.combine(day, self.start, tzinfo=tz)
        end_day = day if self.end > self.start else day + dt.timedelta(days=1)
        return start, dt.datetime.combine(end_day, self.end, tzinfo=tz)


class Shift(models.Model):
    community = models.ForeignKey(Community, models.CASCADE, related_name="shifts", verbose_name=_("community"))
    duty = models.ForeignKey(Duty, models.PROTECT, related_name="shifts", verbose_name=_("duty"))
    start = models.DateTimeField(_("from"), validators=[validate_on_grid])
    end = models.DateTimeField(_("until"), validators=[validate_on_grid])
    min_staff = models.IntegerField(_("people wanted"), default=1)
    max_staff = models.IntegerField(_("most people"), default=1)
    location = models.CharField(_("meeting point"), max_length=120, blank=True)
    name = models.CharField(_("name"), max_length=80, blank=True)
    visit_target = models.ForeignKey(VisitTarget, models.SET_NULL, null=True, blank=True, related_name="shifts",
                                     verbose_name=_("visit household"))
    template = models.ForeignKey(ShiftTemplate, models.SET_NULL, null=True, blank=True, related_name="shifts",
                                 verbose_name=_("made from"))
    # Calendar clients only take an edit when SEQUENCE rises; raised on every change a member would notice.
    sequence = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["start", "duty"]
        indexes = [models.Index(fields=["community", "start"])]
        constraints = [models.UniqueConstraint(fields=["template", "start"], name="shift_once_per_template_start",
                                               condition=models.Q(template__isnull=False))]

    def __str__(self):
        return f"{_careful_name(self)} {self.start:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return wall_minutes(self.start, self.end)

    def clean(self):
        errors = _validate_staff(self.min_staff, self.max_staff)
        if self.start and self.end:
            if self.end <= self.start:
                errors["end"] = _("The end must be after the start.")
            elif self.end - self.start > dt.timedelta(hours=24):
                errors["end"] = _("A shift may last at most 24 hours.")
        if errors:
            raise ValidationError(errors)

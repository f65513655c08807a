"""Calendars: public holidays, make-up workdays (调休) and school terms, which decide when school runs happen.

National holidays and make-up workdays come from the State Council each November; the district administrator
keeps them right. School terms are set per district. volunteers.calendars reads them."""


from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

WEEKDAY_NAMES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                 (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class CalendarYear(models.Model):
    """A year whose days are in CalendarDay; days of that year without a row are ordinary days."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Official dates")
        ESTIMATED = "estimated", _("Estimated dates")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("dates are"), max_length=10, choices=Source.choices, default=Source.ESTIMATED)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year} ({self.get_source_display()})"

    def clean(self):
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Use a year from 2000 to 2100.")})


class CalendarDay(models.Model):
    """A public holiday, a make-up workday (调休) with the weekday whose timetable it follows, or an ordinary day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up workday (调休)")
        ORDINARY = "ordinary", _("Ordinary day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    replaces_weekday = models.PositiveSmallIntegerField(
        _("follows the timetable of"), null=True, blank=True, choices=WEEKDAY_NAMES,
        help_text=_("For a make-up workday: the weekday whose shifts and school day it has."))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.kind == self.Kind.WORKDAY:
            if self.replaces_weekday is None:
                raise ValidationError({"replaces_weekday": _(
                    "Choose the weekday whose timetable this make-up workday follows.")})
            if self.replaces_weekday > 4:
                raise ValidationError({"replaces_weekday": _("A make-up workday follows a weekday, Monday to Friday.")})
        else:
            self.replaces_weekday = None


class SchoolTerm(models.Model):
    """A school term of one district (the district named on its communities); the gaps are the school holidays."""

    district = models.CharField(_("district"), max_length=100)
    name = models.CharField(_("name"), max_length=60)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school term")
        verbose_name_plural = _("school terms")
        ordering = ["district", "start"]

    def __str__(self):
        return f"{self.district} {self.name} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def clean(self):
        if self.start and self.end:
            if self.end < self.start:
                raise ValidationError({"end": _("The last day is before the first day.")})
            if (self.end - self.start).days > 250:
                raise ValidationError({"end": _("A term lasts at most 250 days; check the year.")})
            clash = (SchoolTerm.objects.filter(district=self.district, start__lte=self.end, end__gte=self.start)
                     .exclude(pk=self.pk).first())
            if clash is not None:
                raise ValidationError({"start": _("This overlaps the term %(name)s (%(start)s – %(end)s).") % {
                    "name": clash.name, "start": clash.start.isoformat(), "end": clash.end.isoformat()}})

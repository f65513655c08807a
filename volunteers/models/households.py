"""Households that members visit at home (上门探访): the visit targets of a community. Their addresses are
sensitive: only the community's own staff see them (volunteers.selectors)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..validators import GRID_MINUTES, WEEKDAY_CODES, validate_on_grid
from .people import Community, Member


class VisitTarget(models.Model):
    class Circumstance(models.TextChoices):
        ALONE = "alone", _("Lives alone")
        EMPTY_NEST = "empty_nest", _("Empty nest")
        BEDRIDDEN = "bedridden", _("Bedridden")

    community = models.ForeignKey(Community, models.PROTECT, related_name="visit_targets",
                                  verbose_name=_("community"))
    household = models.CharField(_("household"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    circumstances = models.CharField(_("circumstances"), max_length=12, choices=Circumstance.choices)
    preferred_visitors = models.ManyToManyField(Member, blank=True, related_name="usual_households",
                                                verbose_name=_("usual visitors"))
    visit_weekday = models.PositiveSmallIntegerField(
        _("visit day"), default=1, choices=[(i, code) for i, code in enumerate(WEEKDAY_CODES)])
    visit_start = models.TimeField(_("visit from"), default=dt.time(10, 0), validators=[validate_on_grid])
    visit_minutes = models.PositiveSmallIntegerField(_("visit length (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit household")
        verbose_name_plural = _("visit households")
        ordering = ["community", "household"]

    def __str__(self):
        return self.household

    def clean(self):
        if self.visit_minutes is not None and (self.visit_minutes <= 0 or self.visit_minutes % GRID_MINUTES):
            raise ValidationError({"visit_minutes": _("Use a positive multiple of 15 minutes.")})

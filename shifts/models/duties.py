"""Duty types and the eligibility rules of roster-problem/1 that travel with them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from volunteers.models import HealthLevel, Skill

MEDIATION_CODES = frozenset({"mediation"})  # a mediation shift's own name may name the parties: never shown


class Duty(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True, help_text=_("e.g. patrol, mediation, visiting"))
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=60, blank=True)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    night_max_age = models.PositiveSmallIntegerField(_("maximum age at night"), null=True, blank=True)
    min_health = models.CharField(_("lowest health allowed"), max_length=10, choices=HealthLevel.choices,
                                  default=HealthLevel.FRAIL)
    required_skills = models.ManyToManyField(Skill, blank=True, related_name="required_by",
                                             verbose_name=_("required skills"))
    lead_skill = models.ForeignKey(Skill, models.PROTECT, null=True, blank=True, related_name="led_duties",
                                   verbose_name=_("lead skill"),
                                   help_text=_("Every staffed shift needs one member with this skill."))
    max_per_member = models.PositiveSmallIntegerField(_("most per member a week"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def display_name(self) -> str:
        """The duty's name in the page's language: `name_en` on English pages when it is set, else `name`."""
        return self.name_en if self.name_en and (get_language() or "").startswith("en") else self.name

    def clean(self):
        if self.min_age is not None and self.max_age is not None and self.max_age < self.min_age:
            raise ValidationError({"max_age": _("The maximum age is below the minimum age.")})
        if self.night_max_age is not None and self.min_age is not None and self.night_max_age < self.min_age:
            raise ValidationError({"night_max_age": _("The night age limit is below the minimum age.")})


def is_visit(item) -> bool:
    """Whether a shift or weekly shift is a home visit: it names a household, or its duty is the home-visit duty
    (settings.VISIT_DUTY_CODE). The one definition: it gates privacy (a visit's name and meeting point name the
    household), so feeds, messages, printouts, exports and posters all ask here."""
    return item.visit_target_id is not None or item.duty.code == settings.VISIT_DUTY_CODE

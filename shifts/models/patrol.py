"""The patrol log (巡逻记录本): what a team saw on its round, and whether it went to the grid worker."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.shifts import Shift
from volunteers.models import Community, Member


class PatrolTag(models.TextChoices):
    HAZARD = "hazard", _("Safety hazard")
    LITTER = "litter", _("Litter")
    SUSPICIOUS = "suspicious", _("Suspicious person")
    REPAIRS = "repairs", _("Repairs needed")


class PatrolLogEntry(models.Model):
    community = models.ForeignKey(Community, models.CASCADE, related_name="patrol_log", verbose_name=_("community"))
    shift = models.ForeignKey(Shift, models.CASCADE, related_name="patrol_log", verbose_name=_("shift"))
    author = models.ForeignKey(Member, models.PROTECT, related_name="patrol_notes", verbose_name=_("written by"))
    note = models.TextField(_("what was seen"), max_length=1000)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    handed_over_at = models.DateTimeField(_("handed to the grid worker"), null=True, blank=True)
    handed_over_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                       related_name="+", verbose_name=_("handed over by"))

    class Meta:
        verbose_name = _("patrol log entry")
        verbose_name_plural = _("patrol log")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["community", "created_at"])]

    def __str__(self):
        return f"{self.shift}: {self.note[:30]}"

    def clean(self):
        errors = {}
        if not (self.note or "").strip():
            errors["note"] = _("Write a few words about what you saw.")
        if not isinstance(self.tags, list) or any(t not in PatrolTag.values for t in self.tags):
            errors["tags"] = _("Choose tags from the list.")
        if errors:
            raise ValidationError(errors)

    def tag_labels(self) -> list[str]:
        return [str(PatrolTag(t).label) for t in self.tags]

"""Decisions people told Yure about a shift, which every later plan of its week must respect."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.shifts import Shift
from volunteers.models import Member


class ShiftExclusion(models.Model):
    """Member M is not to be put on shift S again: they gave it away, said they cannot come (and were taken off the
    published roster at once), or the secretary took them off with a reason.

    Every solve, re-solve and re-plan of the week passes these to the optimizer as `forbid` pairs, and the swap and
    hand-add checks refuse them, until the secretary puts the member back on the shift by hand.
    """

    class Cause(models.TextChoices):
        GAVE_AWAY = "gave_away", _("Gave the shift to a colleague")
        REMOVED = "removed", _("Taken off by the secretary")
        ABSENT = "absent", _("Said they cannot come")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="exclusions", verbose_name=_("shift"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="shift_exclusions", verbose_name=_("member"))
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("shift exclusion")
        verbose_name_plural = _("shift exclusions")
        ordering = ["shift", "member"]
        constraints = [models.UniqueConstraint(fields=["shift", "member"], name="one_exclusion_per_shift_member")]

    def __str__(self):
        return f"{self.member} ✗ {self.shift}"

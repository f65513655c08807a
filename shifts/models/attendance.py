"""Who actually served: check-in and check-out per shift and member, and the welfare check on no-shows.

No location is ever stored (PIPL treats location traces as sensitive): only times, how they were recorded
and by whom.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.shifts import Shift
from volunteers.models import Member


class Attendance(models.Model):
    class Source(models.TextChoices):
        APP = "app", _("Member's phone")
        POSTER = "poster", _("Poster QR code")
        LEADER = "leader", _("Team leader")
        BACKFILL = "backfill", _("Secretary, from the book")
        IMPORT = "import", _("Imported sheet")
        RELATIVE = "relative", _("A relative, for the member")
        KIOSK = "kiosk", _("Kiosk at the community centre")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="attendance", verbose_name=_("shift"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="attendance", verbose_name=_("member"))
    check_in = models.DateTimeField(_("checked in"), null=True, blank=True)
    check_out = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Written by the attendance service from the times above and settings.ATTENDANCE_SERVED_SHARE, so the
    # ledger and exports sum a column instead of recomputing every shift.
    present_minutes = models.PositiveIntegerField(_("minutes present"), default=0, editable=False)
    served = models.BooleanField(_("counts as served"), default=False, editable=False)
    served_minutes = models.PositiveIntegerField(_("minutes served"), default=0, editable=False)
    source = models.CharField(_("recorded by way of"), max_length=10, choices=Source.choices, default=Source.APP)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("recorded by"))
    # A relative's check-in says the member is there, but the relative may be at home: it counts as served only
    # once someone who was there (a team-mate, the team leader or the secretary) confirms the member's presence.
    presence_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                              related_name="+", verbose_name=_("presence confirmed by"))
    presence_confirmed_at = models.DateTimeField(_("presence confirmed"), null=True, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["shift__start", "member__name"]
        constraints = [models.UniqueConstraint(fields=["shift", "member"], name="attendance_once")]
        indexes = [models.Index(fields=["member", "served"])]

    def __str__(self):
        return f"{self.member} @ {self.shift}"

    @property
    def awaits_presence_confirmation(self) -> bool:
        return self.source == self.Source.RELATIVE and self.presence_confirmed_at is None

    def clean(self):
        if self.check_in and self.check_out and self.check_out <= self.check_in:
            raise ValidationError({"check_out": _("The check-out must be after the check-in.")})


class NoShowCheck(models.Model):
    """An assigned member who neither checked in nor reported an absence: someone should call them."""

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached, all well")
        ILL = "ill", _("Ill")
        FORGOT = "forgot", _("Forgot")
        NO_ANSWER = "no_answer", _("No answer")
        SAFE_HOME = "safe_home", _("Safe at home")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="no_show_checks", verbose_name=_("shift"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="no_show_checks", verbose_name=_("member"))
    created_at = models.DateTimeField(_("noticed"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))
    escalated_at = models.DateTimeField(_("passed to the welfare contact"), null=True, blank=True)

    class Meta:
        verbose_name = _("no-show check")
        verbose_name_plural = _("no-show checks")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["shift", "member"], name="no_show_check_once")]

    def __str__(self):
        return f"{self.member} @ {self.shift}: {self.outcome or '?'}"

"""Cover call-downs: a published shift short of people asks rule-safe members, a few at a time, until one says yes.

One open call-down per shift (a partial unique constraint); each member is asked at most once per call-down
(CoverAsk), and a member may say "don't ask me this week" (CoverOptOut)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shifts.models.shifts import Shift
from volunteers.models import Community, Member


class CoverCall(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Looking for cover")
        FILLED = "filled", _("Filled")
        STOPPED = "stopped", _("Stopped by the secretary")
        EXHAUSTED = "exhausted", _("Nobody left to ask")
        LAPSED = "lapsed", _("The shift began unfilled")

    class Cause(models.TextChoices):
        ABSENCE = "absence", _("an absence the re-plan could not cover")
        REMOVED = "removed", _("a member taken off")
        ILL = "ill", _("a member fell ill")
        SHORT = "short", _("short of people")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="cover_calls", verbose_name=_("shift"))
    community = models.ForeignKey(Community, models.CASCADE, related_name="+", verbose_name=_("community"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices, default=Cause.SHORT)
    waves = models.PositiveIntegerField(_("waves asked"), default=0)
    next_wave_at = models.DateTimeField(_("next wave"), null=True, blank=True)
    filled_by = models.ForeignKey(Member, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("taken by"))
    soon_alerted = models.BooleanField(_("secretary told it starts soon"), default=False)
    # How many times nobody was left and the call-down asked again because someone new could take the shift
    # (shifts.rostering.cover.calldown): the secretary's "asking again", and each round's own messages.
    rounds = models.PositiveIntegerField(_("times asked again"), default=0)
    started_at = models.DateTimeField(_("started"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    stopped_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("stopped by"))

    class Meta:
        verbose_name = _("cover call-down")
        verbose_name_plural = _("cover call-downs")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["shift"], condition=Q(state__in=["open", "exhausted"]),
                                               name="one_open_cover_call_per_shift")]
        indexes = [models.Index(fields=["state", "next_wave_at"])]

    def __str__(self):
        return f"{self.shift} ({self.get_state_display()})"


class CoverAsk(models.Model):
    class Answer(models.TextChoices):
        WAITING = "", _("No answer yet")
        YES = "yes", _("Took it")
        NO = "no", _("Not this time")
        OPT_OUT = "opt_out", _("Don't ask this week")
        LATE = "late", _("Said yes after it was taken")

    call = models.ForeignKey(CoverCall, models.CASCADE, related_name="asks", verbose_name=_("call-down"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="+", verbose_name=_("member"))
    wave = models.PositiveIntegerField(_("wave"))
    rank = models.PositiveIntegerField(_("rank"), default=0)
    asked_at = models.DateTimeField(_("asked"))
    answer = models.CharField(_("answer"), max_length=8, choices=Answer.choices, default="", blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        verbose_name = _("cover ask")
        verbose_name_plural = _("cover asks")
        ordering = ["call", "rank"]
        constraints = [models.UniqueConstraint(fields=["call", "member"], name="one_cover_ask_per_member")]


class CoverOptOut(models.Model):
    """A member said 本周别再问我: no call-down asks them for shifts of that week."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="+", verbose_name=_("member"))
    week_start = models.DateField(_("week of (Monday)"))
    created_at = models.DateTimeField(_("said"), auto_now_add=True)

    class Meta:
        verbose_name = _("cover opt-out")
        verbose_name_plural = _("cover opt-outs")
        constraints = [models.UniqueConstraint(fields=["member", "week_start"], name="one_cover_opt_out_per_week")]

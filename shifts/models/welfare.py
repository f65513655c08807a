"""The welfare ladder: a member who did not turn up, or a patrol member not back, is called step by step (the
member, their relative or the welfare contact, the secretary) until someone answers. See
shifts.delivered.welfare_ladder."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.attendance import NoShowCheck
from shifts.models.shifts import Shift
from volunteers.models import Member


class WelfareLadder(models.Model):
    class Trigger(models.TextChoices):
        NO_SHOW = "no_show", _("Did not arrive")
        OVERDUE = "overdue", _("Patrol not back")

    class Outcome(models.TextChoices):
        ON_WAY = "on_way", _("On the way, all well")
        ILL = "ill", _("Ill")
        SAFE_HOME = "safe_home", _("Safe at home")
        UNREACHABLE = "unreachable", _("Unreachable")

    class Via(models.TextChoices):
        KEY = "key", _("Key press on the call")
        DASHBOARD = "dashboard", _("Secretary, on the dashboard")
        ATTENDANCE = "attendance", _("Checked in or out")
        TIMEOUT = "timeout", _("Nobody answered")

    shift = models.ForeignKey(Shift, models.CASCADE, related_name="welfare_ladders", verbose_name=_("shift"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="welfare_ladders", verbose_name=_("member"))
    trigger = models.CharField(_("why"), max_length=10, choices=Trigger.choices)
    no_show = models.OneToOneField(NoShowCheck, models.SET_NULL, null=True, blank=True, related_name="ladder",
                                   verbose_name=_("no-show check"))
    # The moment the member became missing or overdue; the steps count from here.
    due_at = models.DateTimeField(_("missing since"))
    # Steps already taken (0: nobody called yet) and when the next one (or "unreachable") is due; None once closed.
    step = models.PositiveSmallIntegerField(_("calls made"), default=0)
    step_at = models.DateTimeField(_("last call"), null=True, blank=True)
    next_at = models.DateTimeField(_("next step due"), null=True, blank=True)
    # Who each step called and when: [{"step": 1, "whom": "member", "names": [...], "at": iso}, ...] (no numbers).
    calls = models.JSONField(_("calls"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("outcome recorded"), null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("recorded by"))
    outcome_via = models.CharField(_("answered by way of"), max_length=10, choices=Via.choices, blank=True)
    answered_by = models.CharField(_("answered by"), max_length=80, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)

    class Meta:
        verbose_name = _("welfare ladder")
        verbose_name_plural = _("welfare ladders")
        ordering = ["due_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shift", "member", "trigger"], name="welfare_ladder_once")]
        indexes = [models.Index(fields=["outcome", "next_at"], name="welfare_ladder_due")]

    def __str__(self):
        return f"{self.member} @ {self.shift}: {self.trigger} {self.outcome or self.step}"

    @property
    def is_open(self) -> bool:
        return self.outcome == ""

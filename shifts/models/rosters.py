"""Rosters (a community's week, as a draft, a re-plan proposal or a published version), their assignments,
and the solver runs that produce them."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.shifts import Shift
from volunteers.models import Community, Member

# Why a re-plan was made, in words: Roster.cause["reason"] -> the sentence, with the member's name.
CAUSE_TEXT = {
    "illness": _("Re-planned because %(name)s is ill"),
    "hospital": _("Re-planned because %(name)s is in hospital"),
    "family": _("Re-planned because %(name)s has a family matter"),
    "travel": _("Re-planned because %(name)s is away"),
    "other": _("Re-planned because %(name)s cannot come"),
    "unavailable": _("Re-planned because %(name)s cannot come"),
    "inactive": _("Re-planned because %(name)s no longer serves"),
    "caregiving": _("Re-planned because %(name)s's family-care times changed"),
    "profile": _("Re-planned because %(name)s's details changed"),
    "import": _("Re-planned because %(name)s's details changed"),
    "back": _("Re-planned because %(name)s can come after all"),
    "cover": _("%(name)s took a shift that was short (cover call-down)"),
}


class Roster(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSAL = "proposal", _("Re-plan proposal")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        DISCARDED = "discarded", _("Discarded")

    # Hand edits are allowed on drafts and re-plan proposals; a published week changes only by a re-plan.
    EDITABLE = (Status.DRAFT, Status.PROPOSAL)

    community = models.ForeignKey(Community, models.CASCADE, related_name="rosters", verbose_name=_("community"))
    week_start = models.DateField(_("week of (Monday)"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("published version"), default=0)
    based_on = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("based on"))
    solver_status = models.CharField(_("solver status"), max_length=12, blank=True)
    objective = models.BigIntegerField(_("objective"), null=True, blank=True)
    bound = models.BigIntegerField(_("proven bound"), null=True, blank=True)
    breakdown = models.JSONField(_("objective breakdown"), default=dict, blank=True)
    unfilled = models.JSONField(_("unfilled shifts"), default=list, blank=True)
    diff = models.JSONField(_("changes against the previous version"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    # Why a re-plan was made, as data ({"kind": "absence", "member": 7, "name": "…", "reason": "illness"}), so the
    # page can say it in the reader's language and hide health from staff of other communities.
    cause = models.JSONField(_("cause"), default=dict, blank=True)
    urgent = models.BooleanField(_("urgent"), default=False,
                                 help_text=_("A change touching a shift within 48 hours."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("published by"))

    class Meta:
        verbose_name = _("roster")
        verbose_name_plural = _("rosters")
        ordering = ["-week_start", "community"]
        constraints = [
            models.UniqueConstraint(fields=["community", "week_start"], condition=models.Q(status="draft"),
                                    name="one_draft_per_community_week"),
            models.UniqueConstraint(fields=["community", "week_start"], condition=models.Q(status="published"),
                                    name="one_published_per_community_week"),
        ]

    def __str__(self):
        return f"{self.community} {self.week_start:%Y-%m-%d} {self.get_status_display()}"

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=7)

    @property
    def cause_display(self) -> str:
        """Why this re-plan was made, in the active language ("因宋冬梅生病请假重新安排"); the raw reason otherwise."""
        cause = self.cause or {}
        text = CAUSE_TEXT.get(cause.get("reason"))
        if text is None or not cause.get("name"):
            return self.reason
        return str(text) % {"name": cause["name"]}

    @property
    def gap(self) -> float | None:
        """Relative distance between the roster's objective and the proven bound."""
        if self.objective is None or self.bound is None:
            return None
        return (self.objective - self.bound) / max(abs(self.objective), 1)

    def clean(self):
        if self.week_start and self.week_start.weekday() != 0:
            raise ValidationError({"week_start": _("A roster week starts on a Monday.")})


class Assignment(models.Model):
    class Source(models.TextChoices):
        SOLVER = "solver", _("Optimizer")
        MANUAL = "manual", _("By hand")
        SWAP = "swap", _("Swap")
        REPAIR = "repair", _("Re-plan")
        COVER = "cover", _("Cover call-down")

    roster = models.ForeignKey(Roster, models.CASCADE, related_name="assignments", verbose_name=_("roster"))
    shift = models.ForeignKey(Shift, models.CASCADE, related_name="assignments", verbose_name=_("shift"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="assignments", verbose_name=_("member"))
    pinned = models.BooleanField(_("pinned"), default=False,
                                 help_text=_("Kept as is when the roster is solved again."))
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.SOLVER)
    override_reason = models.CharField(
        _("rule override"), max_length=300, blank=True,
        help_text=_("Why a secretary kept this assignment although it breaks a rule."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["shift__start", "member__name"]
        constraints = [models.UniqueConstraint(fields=["roster", "shift", "member"], name="assignment_once")]
        indexes = [models.Index(fields=["member", "roster"])]

    def __str__(self):
        return f"{self.member} @ {self.shift}"


class SolveRun(models.Model):
    """One optimizer run on the queue, with live progress; at most one active per community-week."""

    class Kind(models.TextChoices):
        GENERATE = "generate", _("Generate")
        RESOLVE = "resolve", _("Re-solve")
        REPAIR = "repair", _("Re-plan after an event")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Finished")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey(Community, models.CASCADE, related_name="solve_runs", verbose_name=_("community"))
    week_start = models.DateField(_("week of (Monday)"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GENERATE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    cause = models.JSONField(_("cause"), default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    objective = models.BigIntegerField(_("objective"), null=True, blank=True)
    bound = models.BigIntegerField(_("bound"), null=True, blank=True)
    elapsed = models.FloatField(_("seconds"), null=True, blank=True)
    time_limit = models.FloatField(_("time limit (seconds)"), null=True, blank=True)
    result = models.ForeignKey(Roster, models.SET_NULL, null=True, blank=True, related_name="solve_runs",
                               verbose_name=_("result"))
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("solver run")
        verbose_name_plural = _("solver runs")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(fields=["community", "week_start"],
                                    condition=models.Q(status__in=["queued", "running"]),
                                    name="one_active_solve_per_community_week"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.community} {self.week_start:%Y-%m-%d} {self.get_status_display()}"

    @property
    def progress(self) -> float:
        """0..1 for a progress bar: elapsed share of the time limit, 1 when finished."""
        if self.status in (self.Status.SUCCEEDED, self.Status.FAILED):
            return 1.0
        if not self.elapsed or not self.time_limit:
            return 0.0
        return min(self.elapsed / self.time_limit, 0.99)

"""Member-to-member shift swaps: the giver stays responsible until someone takes the shift."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shifts.models.rosters import Assignment
from volunteers.models import Member


class SwapRequest(models.Model):
    class Kind(models.TextChoices):
        DIRECT = "direct", _("Direct swap")
        GIVE_AWAY = "give_away", _("Offer to anyone eligible")
        COVER = "cover", _("Ask chosen colleagues for cover")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        ACCEPTED = "accepted", _("Accepted, awaiting approval")
        APPROVED = "approved", _("Approved")
        APPLIED = "applied", _("Done")
        DECLINED = "declined", _("Declined")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    requester = models.ForeignKey(Member, models.CASCADE, related_name="swap_requests", verbose_name=_("from"))
    assignment = models.ForeignKey(Assignment, models.SET_NULL, null=True, related_name="swap_requests",
                                   verbose_name=_("shift given up"))
    counterpart_assignment = models.ForeignKey(
        Assignment, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("shift taken in return"), help_text=_("For a direct swap: the other member's shift."))
    invited = models.ManyToManyField(Member, blank=True, related_name="swap_invitations",
                                     verbose_name=_("asked"))
    accepted_by = models.ForeignKey(Member, models.SET_NULL, null=True, blank=True, related_name="swaps_taken",
                                    verbose_name=_("taken by"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    decision_note = models.CharField(_("secretary's note"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("decided by"))
    refusal = models.CharField(_("why it was refused"), max_length=300, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.requester} ({self.get_state_display()})"

"""Every message sent to a member or secretary, recorded once: the dedupe key makes retries harmless."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteers.models import Member


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("No address")

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=60)
    member = models.ForeignKey(Member, models.CASCADE, null=True, blank=True, related_name="notifications",
                               verbose_name=_("member"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+",
                             verbose_name=_("staff"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.kind} → {self.member or self.user}"

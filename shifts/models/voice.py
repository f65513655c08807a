"""Voice calls: what the demo outbox kept instead of calling, and the key-press callbacks already taken."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shifts.models.notifications import Notification


class VoiceOutboxCall(models.Model):
    """A call the demo "outbox" voice provider kept instead of placing: who, which template, the spoken text,
    the keys offered and, once known, the outcome. Shown on the staff outbox page beside the text messages."""

    notification = models.ForeignKey(Notification, models.CASCADE, null=True, blank=True, related_name="+")
    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    phone = models.CharField(_("phone"), max_length=40)
    kind = models.CharField(_("kind"), max_length=60)
    template = models.CharField(_("template"), max_length=40)
    params = models.JSONField(_("parameters"), default=list)
    text = models.TextField(_("spoken text"))
    keys = models.JSONField(_("keys offered"), default=dict, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, blank=True)
    digit = models.CharField(_("key pressed"), max_length=2, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("outbox call")
        verbose_name_plural = _("outbox calls")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.phone}: {self.text[:40]}"


class VoiceCallbackSeen(models.Model):
    """A call's outcome callback already taken, by the provider's call id: the unique index makes a replayed
    callback, or two identical ones at once, have one effect. Older than a day is forgotten (the signed
    timestamp refuses such callbacks anyway)."""

    call_id = models.CharField(max_length=100, unique=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("voice call outcome taken")
        verbose_name_plural = _("voice call outcomes taken")

    def __str__(self):
        return self.call_id

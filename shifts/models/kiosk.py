"""A kiosk: a shared tablet at the community centre where members check in and out by the last four digits of
their phone. A secretary opens it once; the browser then holds a signed cookie naming this row (never a login).
Wrong tries are rows, not cache entries, so a lockout holds when the cache is flushed or down."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from volunteers.models import Community


class Kiosk(models.Model):
    community = models.ForeignKey(Community, models.CASCADE, related_name="kiosks", verbose_name=_("community"))
    name = models.CharField(_("name"), max_length=60, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 of the secret in the browser's cookie
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("opened by"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("closed"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("closed by"))

    class Meta:
        verbose_name = _("kiosk")
        verbose_name_plural = _("kiosks")
        ordering = ["-opened_at"]

    def __str__(self):
        return f"{self.community} · {self.name or self.pk}"


class KioskTry(models.Model):
    """One look-up of four digits at a kiosk; `wrong` when they matched nobody."""

    kiosk = models.ForeignKey(Kiosk, models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    wrong = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["kiosk", "at"], name="kiosk_try_idx")]

"""Staff logins: a district administrator, or a community secretary and the communities they serve."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .people import Community


class StaffProfile(models.Model):
    """What a staff login may see: the whole district, or the communities it serves as secretary."""

    class Role(models.TextChoices):
        DISTRICT_ADMIN = "district_admin", _("District administrator")
        SECRETARY = "secretary", _("Community secretary")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="staff_profile",
                                verbose_name=_("login"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SECRETARY)
    communities = models.ManyToManyField(Community, blank=True, related_name="staff", verbose_name=_("communities"))
    phone = PhoneNumberField(_("phone"), blank=True)

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

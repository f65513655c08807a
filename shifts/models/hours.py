"""Recognition of service delivered: certificates (志愿服务记录证明) and the district's star levels."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from volunteers.models import Community, Member


class Certificate(models.Model):
    """A printed service certificate; the issuer block is copied at issue time, so it never changes later."""

    community = models.ForeignKey(Community, models.PROTECT, related_name="certificates",
                                  verbose_name=_("community"))
    member = models.ForeignKey(Member, models.PROTECT, related_name="certificates", verbose_name=_("member"))
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number in the year"))
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    period_start = models.DateField(_("service from"))
    period_end = models.DateField(_("service until"))
    served_minutes = models.PositiveIntegerField(_("minutes served"))
    content = models.CharField(_("service content"), max_length=300)
    member_name = models.CharField(_("name"), max_length=60)
    volunteer_number = models.CharField(_("volunteer number"), max_length=40, blank=True)
    issuer = models.CharField(_("issuing organisation"), max_length=100)
    person_in_charge = models.CharField(_("person in charge"), max_length=60)
    handled_by = models.CharField(_("handled by"), max_length=60)
    contact = models.CharField(_("contact"), max_length=40)
    verify_token = models.CharField(max_length=32, unique=True, editable=False)
    issued_on = models.DateField(_("date of issue"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("issued by"))

    class Meta:
        verbose_name = _("service certificate")
        verbose_name_plural = _("service certificates")
        ordering = ["-year", "-serial"]
        constraints = [models.UniqueConstraint(fields=["community", "year", "serial"],
                                               name="certificate_serial_once_per_community_year")]

    def __str__(self):
        return self.number

    @property
    def hours(self) -> float:
        return round(self.served_minutes / 60, 1)

    def clean(self):
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The end of the period is before its start.")})


def parse_thresholds(value: str) -> list[int]:
    """"100，300,600" -> [100, 300, 600]: positive, rising whole hours (StarLevels.thresholds)."""
    try:
        hours = [int(part) for part in str(value).replace("，", ",").split(",") if part.strip()]
    except ValueError:
        raise ValidationError(_("Write whole hours separated by commas, e.g. 100,300,600,1000,1500."))
    if not hours or any(h <= 0 for h in hours) or hours != sorted(set(hours)):
        raise ValidationError(_("The hours must be positive and rising, e.g. 100,300,600,1000,1500."))
    return hours


def _validate_thresholds(value: str) -> None:
    parse_thresholds(value)


class StarLevels(models.Model):
    """The hours at which a district awards one, two, three… stars (e.g. 100/300/600/1000/1500)."""

    district = models.CharField(_("district"), max_length=100, unique=True)
    thresholds = models.CharField(
        _("hours for each star"), max_length=100, validators=[_validate_thresholds],
        help_text=_("Rising whole hours separated by commas, e.g. 100,300,600,1000,1500."))

    class Meta:
        verbose_name = _("star levels")
        verbose_name_plural = _("star levels")
        ordering = ["district"]

    def __str__(self):
        return f"{self.district}: {self.thresholds}"

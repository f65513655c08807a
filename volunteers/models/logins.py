"""Members' logins without a password: one-time links and codes, wrong codes counted for the lockout, and the
relatives (亲属代办) who log in to act for a member."""


from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from .people import Member


class MemberLoginToken(models.Model):
    """A one-time login link or code for a member; only its hash is stored."""

    member = models.ForeignKey(Member, models.CASCADE, related_name="login_tokens", verbose_name=_("member"))
    # Set when the login is for a relative acting for the member (亲属代办), not for the member.
    proxy = models.ForeignKey("MemberProxy", models.CASCADE, null=True, blank=True, related_name="login_tokens",
                              verbose_name=_("relative"))
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64, blank=True, db_index=True)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member login link")
        verbose_name_plural = _("member login links")


class CodeLoginFailure(models.Model):
    """One wrong login code, kept in the database (not the cache) because the lockout depends on it: a cache
    that is down or was flushed must neither lock everyone out nor let guessing through.

    `address_range` is the client's /24 (IPv4) or /64 (IPv6); `target` is the member whose code this once was,
    when it was a real (used, revoked or expired) code."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    address_range = models.CharField(max_length=50)
    target = models.ForeignKey(Member, models.CASCADE, null=True, blank=True, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["address_range", "created_at"], name="code_failure_range_idx")]



class MemberProxy(models.Model):
    """A relative (亲属代办) who, with the member's recorded consent, may hear of and act on the member's shifts.

    The relative logs in with their own one-time code; everything they do is audited as done by them for the
    member. Revoking sets revoked_at and disables their login at once."""

    class Relation(models.TextChoices):
        CHILD = "child", _("Son or daughter")
        SPOUSE = "spouse", _("Husband or wife")
        SIBLING = "sibling", _("Brother or sister")
        GRANDCHILD = "grandchild", _("Grandchild")
        OTHER = "other", _("Other relative")

    member = models.ForeignKey(Member, models.CASCADE, related_name="proxies", verbose_name=_("member"))
    name = models.CharField(_("name"), max_length=60)
    phone = PhoneNumberField(_("phone"))
    relation = models.CharField(_("relation"), max_length=12, choices=Relation.choices, default=Relation.CHILD)
    consent_at = models.DateTimeField(_("member agreed on"))
    consent_note = models.CharField(
        _("how the member agreed"), max_length=200,
        help_text=_("For example: said yes on the phone to the secretary on 11-20."))
    forward_messages = models.BooleanField(_("also gets the member's text messages"), default=False)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="member_proxy", verbose_name=_("login"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("relative acting for a member")
        verbose_name_plural = _("relatives acting for members")
        ordering = ["member", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()}) → {self.member}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.consent_at is not None

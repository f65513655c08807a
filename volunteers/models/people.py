"""People: communities, skills, members, their limits, caregiving and absences.

Health, caregiving and addresses are sensitive personal information: only staff of the member's own
community may see them (enforced in volunteers.selectors), and feeds and printouts never show them.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from ..validators import (
    GRID_MINUTES,
    WEEKDAY_CODES,
    parse_weekdays,
    validate_on_grid,
    validate_preference_map,
    validate_weekdays,
)


class HealthLevel(models.TextChoices):
    GOOD = "good", _("Good")
    LIMITED = "limited", _("Limited")
    FRAIL = "frail", _("Frail")


HEALTH_RANK = {HealthLevel.FRAIL: 0, HealthLevel.LIMITED: 1, HealthLevel.GOOD: 2}


class Community(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    district = models.CharField(_("district"), max_length=100, blank=True)
    auto_apply_repairs = models.BooleanField(
        _("apply re-plans automatically"), default=False,
        help_text=_("When off, a re-plan after an absence waits for the secretary's approval."))
    swap_requires_approval = models.BooleanField(_("swaps need secretary approval"), default=True)
    draft_weekday = models.PositiveSmallIntegerField(
        _("draft next week on"), default=3, choices=[(i, label) for i, label in enumerate(
            [_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday")])])
    draft_time = models.TimeField(_("draft at"), default=dt.time(18, 0))
    reminder_hour = models.PositiveSmallIntegerField(
        _("reminder hour (day before)"), default=18,
        help_text=_("Hour of the day before a shift when members get a reminder."))
    feed_version = models.PositiveIntegerField(
        _("calendar link version"), default=1, editable=False,
        help_text=_("Raised to revoke the community's and its duties' calendar links."))
    # The issuer block of a service certificate (志愿服务记录证明) and who checks on members who do not come.
    organisation_name = models.CharField(
        _("volunteer organisation"), max_length=100, blank=True,
        help_text=_("Printed on service certificates, e.g. 幸福里社区志愿服务队; the community name when empty."))
    person_in_charge = models.CharField(_("person in charge"), max_length=60, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    welfare_contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("welfare contact"),
        help_text=_("Told when a member who lives alone or is over 80 missed a shift and does not answer."))

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        ordering = ["district", "name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.reminder_hour is not None and self.reminder_hour > 23:
            raise ValidationError({"reminder_hour": _("Must be an hour from 0 to 23.")})


class Skill(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Member(models.Model):
    class Language(models.TextChoices):
        ZH_HANS = "zh-hans", "简体中文"
        EN = "en", "English"

    class ContactChannel(models.TextChoices):
        """How messages reach the member, set by the secretary: many members over 75 do not read texts."""
        SMS = "sms", _("Text message")
        VOICE = "voice", _("Voice call")
        SMS_VOICE = "sms_voice", _("Text message and voice call")

    name = models.CharField(_("name"), max_length=60)
    # E.164 (+8613912345678); numbers typed without a country code are read as mainland China (settings).
    phone = PhoneNumberField(_("phone"), blank=True, db_index=True)
    email = models.EmailField(_("e-mail"), blank=True)
    birth_date = models.DateField(_("birth date"))
    community = models.ForeignKey(Community, models.PROTECT, related_name="members",
                                  verbose_name=_("home community"))
    extra_communities = models.ManyToManyField(
        Community, blank=True, related_name="guest_members", verbose_name=_("also serves"))
    health = models.CharField(_("health"), max_length=10, choices=HealthLevel.choices, default=HealthLevel.GOOD)
    skills = models.ManyToManyField(Skill, blank=True, related_name="members", verbose_name=_("skills"))
    max_shifts_per_week = models.PositiveSmallIntegerField(_("most shifts a week"), null=True, blank=True)
    max_minutes_per_week = models.PositiveIntegerField(_("most minutes a week"), null=True, blank=True)
    max_consecutive_days = models.PositiveSmallIntegerField(_("most consecutive days"), null=True, blank=True)
    min_rest_minutes = models.PositiveIntegerField(_("least rest between shifts (minutes)"), null=True, blank=True)
    duty_preferences = models.JSONField(
        _("duty preferences"), default=dict, blank=True,
        help_text=_("Cost per shift by duty code, -10 (liked) to 10 (disliked), e.g. {\"patrol\": -3}."))
    weekday_preferences = models.JSONField(
        _("weekday preferences"), default=dict, blank=True,
        help_text=_("Cost per shift by weekday, -10 (liked) to 10 (disliked), e.g. {\"sun\": 8}."))
    active = models.BooleanField(_("active"), default=True)
    volunteer_number = models.CharField(
        _("volunteer number"), max_length=40, blank=True,
        help_text=_("The number in the national volunteer service system, if the member has one."))
    lives_alone = models.BooleanField(
        _("lives alone"), default=False,
        help_text=_("A missed shift without an answer is passed to the community's welfare contact."))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    contact_channel = models.CharField(
        _("how to reach"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.SMS,
        help_text=_("A voice call reads the message aloud and takes a key press; if every call fails, a text "
                    "message goes instead."))
    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                related_name="member", verbose_name=_("login"))
    feed_version = models.PositiveIntegerField(
        _("feed link version"), default=1, editable=False,
        help_text=_("Raised to revoke the member's calendar link."))
    reminders = models.BooleanField(_("calendar reminders"), default=False,
                                    help_text=_("Add alarms the evening before and 2 hours before."))
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["community", "name"]
        indexes = [models.Index(fields=["community", "active"])]

    def __str__(self):
        return self.name

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years

    def clean(self):
        errors = {}
        if self.birth_date:
            today = timezone.localdate()
            if self.birth_date > today:
                errors["birth_date"] = _("The birth date is in the future.")
            elif self.birth_date.year < 1900:
                errors["birth_date"] = _("The birth date is before 1900.")
        if self.max_minutes_per_week is not None and self.max_minutes_per_week % GRID_MINUTES:
            errors["max_minutes_per_week"] = _("Use a multiple of 15 minutes.")
        for field, keys in (("duty_preferences", None), ("weekday_preferences", WEEKDAY_CODES)):
            try:
                validate_preference_map(getattr(self, field), keys=keys, field=field)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class Applies(models.TextChoices):
    """When a caregiving window holds: only on school days (a school run) or on every listed weekday."""

    SCHOOL_DAYS = "school_days", _("School days only")
    EVERY_WEEK = "every_week", _("Every listed weekday")


SCHOOL_RUN_WORDS = ("接送", "接孙", "送孙", "上学", "放学", "学校", "school")


def applies_for_label(label: str) -> str:
    """The default for a window by what it is for: school runs (接送孙辈, 接孙子, school run) follow the school days."""
    text = (label or "").lower()
    return Applies.SCHOOL_DAYS if any(word in text for word in SCHOOL_RUN_WORDS) else Applies.EVERY_WEEK


class CaregivingWindow(models.Model):
    """A recurring weekly window when the member looks after family, e.g. 接送孙辈 07:00–08:30."""

    Applies = Applies

    member = models.ForeignKey(Member, models.CASCADE, related_name="caregiving", verbose_name=_("member"))
    weekdays = models.CharField(_("weekdays"), max_length=27, validators=[validate_weekdays],
                                help_text=_("Comma-separated: mon,tue,wed,thu,fri,sat,sun"))
    start = models.TimeField(_("from"), validators=[validate_on_grid])
    end = models.TimeField(_("until"), validators=[validate_on_grid])
    label = models.CharField(_("label"), max_length=40, blank=True, default="接送孙辈")
    applies = models.CharField(
        _("applies"), max_length=12, choices=Applies.choices, default=Applies.SCHOOL_DAYS,
        help_text=_("School runs stop in the school holidays and on public holidays, "
                    "and happen on make-up school days."))

    class Meta:
        verbose_name = _("caregiving window")
        verbose_name_plural = _("caregiving windows")
        ordering = ["member", "start"]

    def __str__(self):
        return f"{self.label} {self.weekdays} {self.start:%H:%M}–{self.end:%H:%M}"

    @property
    def weekday_list(self) -> list[str]:
        return parse_weekdays(self.weekdays)

    def clean(self):
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start on the same day.")})
        if self.weekdays:
            try:
                self.weekdays = ",".join(parse_weekdays(self.weekdays))
            except ValidationError as exc:
                raise ValidationError({"weekdays": exc.messages}) from exc


class Unavailability(models.Model):
    class Reason(models.TextChoices):
        ILLNESS = "illness", _("Illness")
        FAMILY = "family", _("Family matter")
        HOSPITAL = "hospital", _("Hospital")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other")

    member = models.ForeignKey(Member, models.CASCADE, related_name="unavailability", verbose_name=_("member"))
    start = models.DateTimeField(_("from"))
    end = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices, default=Reason.OTHER)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("reported"), auto_now_add=True)

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["member", "start"]
        indexes = [models.Index(fields=["member", "end"])]

    def __str__(self):
        return f"{self.member} {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end must be after the start.")})

"""People and households: communities, members, their limits, caregiving, absences and visit targets.

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

from .validators import (
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


class VisitTarget(models.Model):
    class Circumstance(models.TextChoices):
        ALONE = "alone", _("Lives alone")
        EMPTY_NEST = "empty_nest", _("Empty nest")
        BEDRIDDEN = "bedridden", _("Bedridden")

    community = models.ForeignKey(Community, models.PROTECT, related_name="visit_targets",
                                  verbose_name=_("community"))
    household = models.CharField(_("household"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    circumstances = models.CharField(_("circumstances"), max_length=12, choices=Circumstance.choices)
    preferred_visitors = models.ManyToManyField(Member, blank=True, related_name="usual_households",
                                                verbose_name=_("usual visitors"))
    visit_weekday = models.PositiveSmallIntegerField(
        _("visit day"), default=1, choices=[(i, code) for i, code in enumerate(WEEKDAY_CODES)])
    visit_start = models.TimeField(_("visit from"), default=dt.time(10, 0), validators=[validate_on_grid])
    visit_minutes = models.PositiveSmallIntegerField(_("visit length (minutes)"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit household")
        verbose_name_plural = _("visit households")
        ordering = ["community", "household"]

    def __str__(self):
        return self.household

    def clean(self):
        if self.visit_minutes is not None and (self.visit_minutes <= 0 or self.visit_minutes % GRID_MINUTES):
            raise ValidationError({"visit_minutes": _("Use a positive multiple of 15 minutes.")})


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


class AuditEntry(models.Model):
    """Who did what, when and why, under a dotted action code such as shifts.roster.published."""

    action = models.CharField(_("action"), max_length=80, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("by"))
    community = models.ForeignKey(Community, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("community"))
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


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


# ------------------------------------------------------------------ calendars: public holidays and school terms
# National holidays and make-up workdays (调休) come from the State Council each November; the district
# administrator keeps them right. School terms are set per district. volunteers.calendars reads them.

WEEKDAY_NAMES = [(0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")),
                 (4, _("Friday")), (5, _("Saturday")), (6, _("Sunday"))]


class CalendarYear(models.Model):
    """A year whose days are in CalendarDay; days of that year without a row are ordinary days."""

    class Source(models.TextChoices):
        OFFICIAL = "official", _("Official dates")
        ESTIMATED = "estimated", _("Estimated dates")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    source = models.CharField(_("dates are"), max_length=10, choices=Source.choices, default=Source.ESTIMATED)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("holiday year")
        verbose_name_plural = _("holiday years")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year} ({self.get_source_display()})"

    def clean(self):
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": _("Use a year from 2000 to 2100.")})


class CalendarDay(models.Model):
    """A public holiday, a make-up workday (调休) with the weekday whose timetable it follows, or an ordinary day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")
        WORKDAY = "workday", _("Make-up workday (调休)")
        ORDINARY = "ordinary", _("Ordinary day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)
    replaces_weekday = models.PositiveSmallIntegerField(
        _("follows the timetable of"), null=True, blank=True, choices=WEEKDAY_NAMES,
        help_text=_("For a make-up workday: the weekday whose shifts and school day it has."))

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()

    def clean(self):
        if self.kind == self.Kind.WORKDAY:
            if self.replaces_weekday is None:
                raise ValidationError({"replaces_weekday": _(
                    "Choose the weekday whose timetable this make-up workday follows.")})
            if self.replaces_weekday > 4:
                raise ValidationError({"replaces_weekday": _("A make-up workday follows a weekday, Monday to Friday.")})
        else:
            self.replaces_weekday = None


class SchoolTerm(models.Model):
    """A school term of one district (the district named on its communities); the gaps are the school holidays."""

    district = models.CharField(_("district"), max_length=100)
    name = models.CharField(_("name"), max_length=60)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("school term")
        verbose_name_plural = _("school terms")
        ordering = ["district", "start"]

    def __str__(self):
        return f"{self.district} {self.name} {self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    def clean(self):
        if self.start and self.end:
            if self.end < self.start:
                raise ValidationError({"end": _("The last day is before the first day.")})
            if (self.end - self.start).days > 250:
                raise ValidationError({"end": _("A term lasts at most 250 days; check the year.")})
            clash = (SchoolTerm.objects.filter(district=self.district, start__lte=self.end, end__gte=self.start)
                     .exclude(pk=self.pk).first())
            if clash is not None:
                raise ValidationError({"start": _("This overlaps the term %(name)s (%(start)s – %(end)s).") % {
                    "name": clash.name, "start": clash.start.isoformat(), "end": clash.end.isoformat()}})


class MemberImportJob(models.Model):
    """One reading of an uploaded sheet, done by a queue worker: a preview (nothing written) or the import
    itself. The page polls it for progress; the result is what the preview shows. `sheet` says which import:
    the member list (here) or the attendance book (shifts.delivered.attendance_import), which share the reader,
    the stored upload, the progress page and the check that no job stays running (import_jobs_expire)."""

    class Sheet(models.TextChoices):
        MEMBERS = "members", _("Member list")
        ATTENDANCE = "attendance", _("Attendance book")

    class Kind(models.TextChoices):
        PREVIEW = "preview", _("Check")
        APPLY = "apply", _("Import")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Reading")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    community = models.ForeignKey(Community, models.CASCADE, related_name="+", verbose_name=_("community"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+",
                                   verbose_name=_("by"))
    sheet = models.CharField(_("sheet"), max_length=12, choices=Sheet.choices, default=Sheet.MEMBERS)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PREVIEW)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    file_id = models.CharField(max_length=32)
    file_sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=100, blank=True)
    mapping = models.JSONField(default=dict, blank=True)  # column index (as text) → field; empty: guess
    expected_fingerprint = models.CharField(max_length=32, blank=True)
    decisions = models.JSONField(default=dict, blank=True)  # same-name rows: row number (text) → "new" or member pk
    rows_read = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # when a worker took it: the timeout counts from here
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("member import")
        verbose_name_plural = _("member imports")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.community} {self.sheet} {self.kind} {self.status}"


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

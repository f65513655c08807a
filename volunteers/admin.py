import datetime as dt

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    AuditEntry,
    CalendarDay,
    CalendarYear,
    CaregivingWindow,
    Community,
    Member,
    MemberLoginToken,
    MemberProxy,
    SchoolTerm,
    Skill,
    StaffProfile,
    Unavailability,
    VisitTarget,
)
from .selectors import communities_for, is_district_admin, sensitive_community_ids
from .services.audit import action_label


def _sees_all_sensitive(request) -> bool:
    """Whether every community the login reaches is one whose private details it may read: true for a
    secretary, false for a district administrator with communities they are not assigned to."""
    reached = set(communities_for(request.user).values_list("pk", flat=True))
    return reached <= sensitive_community_ids(request.user)


class ScopedChoices:
    """Foreign keys and many-to-many fields of an admin form offer only what the login may reach (scoped_choices):
    a secretary cannot file a member, a shift or a household under another community."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        choices = scoped_choices(request.user, db_field.related_model)
        if choices is not None:
            kwargs["queryset"] = choices
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is Member:
            kwargs["queryset"] = scoped_choices(request.user, Member)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class CommunityScopedAdmin(ScopedChoices, admin.ModelAdmin):
    """The admin scoped like the pages: rows of the login's communities (every community for a district
    administrator), choices limited to them, and the fields in `sensitive_fields` (health, households, message
    bodies, reasons people gave) shown, filtered and searched only by staff of the row's own community.
    `own_staff_only` rows (visit households) are listed to their own community's staff alone."""

    community_path = "community"
    sensitive_fields: tuple[str, ...] = ()
    own_staff_only = False

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.own_staff_only:
            return queryset.filter(**{f"{self.community_path}__in": sensitive_community_ids(request.user)})
        if is_district_admin(request.user):
            return queryset
        return queryset.filter(**{f"{self.community_path}__in": communities_for(request.user)})

    def row_community_id(self, obj) -> int | None:
        value = obj
        for part in self.community_path.split("__"):
            value = getattr(value, part, None) if part != "pk" else value.pk
            if value is None:
                return None
        return getattr(value, "pk", value)

    def sees_sensitive(self, request, obj) -> bool:
        """A new row is the login's own entry; an existing one, its community's own staff only."""
        if obj is None:
            return True
        return self.row_community_id(obj) in sensitive_community_ids(request.user)

    def has_delete_permission(self, request, obj=None):
        # The confirmation page lists everything attached to the row (family times, households, messages): only
        # its own community's staff delete it.
        if obj is not None and not self.sees_sensitive(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not self.sees_sensitive(request, obj):
            exclude += [name for name in self.sensitive_fields if name not in exclude]
        return exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if self.sees_sensitive(request, obj):
            return readonly
        return [name for name in readonly if name not in self.sensitive_fields]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if _sees_all_sensitive(request) else [f for f in fields if f not in self.sensitive_fields]

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return filters if _sees_all_sensitive(request) else [f for f in filters if f not in self.sensitive_fields]

    def lookup_allowed(self, lookup, value, request=None):
        # The admin lets any local field be filtered from the address bar (?health=frail): not a sensitive one
        # for a login that lists rows of communities whose private details it may not read.
        if request is not None and lookup.split("__")[0] in self.sensitive_fields and not _sees_all_sensitive(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_list_display(self, request):
        """A sensitive column reads "—" on rows of communities whose private details the login may not read."""
        columns = super().get_list_display(request)
        if _sees_all_sensitive(request):
            return columns
        return [self._redacted_column(request, name) if name in self.sensitive_fields else name for name in columns]

    def _redacted_column(self, request, name):
        own = sensitive_community_ids(request.user)
        field = self.model._meta.get_field(name)

        def column(obj):
            return getattr(obj, name) if self.row_community_id(obj) in own else "—"

        column.short_description = field.verbose_name
        return column


def scoped_choices(user, model):
    """What a form of the admin may point at: communities and members of the login's own scope, visit households
    of its own communities. None: not a scoped model."""
    if model is Community:
        return communities_for(user)
    if model is Member:
        if is_district_admin(user):
            return Member.objects.all()
        communities = communities_for(user)
        return Member.objects.filter(Q(community__in=communities) | Q(extra_communities__in=communities)).distinct()
    if model is VisitTarget:
        return VisitTarget.objects.filter(community__in=sensitive_community_ids(user))
    if model is MemberProxy:
        return MemberProxy.objects.filter(member__in=scoped_choices(user, Member))
    return None


class AgeBandFilter(admin.SimpleListFilter):
    title = _("age band")
    parameter_name = "age_band"
    BANDS = {"-64": (0, 64), "65-69": (65, 69), "70-74": (70, 74), "75-79": (75, 79), "80-": (80, 200)}

    def lookups(self, request, model_admin):
        return [(key, key) for key in self.BANDS]

    def queryset(self, request, queryset):
        if self.value() not in self.BANDS:
            return queryset
        low, high = self.BANDS[self.value()]
        today = timezone.localdate()
        youngest_birth = today.replace(year=today.year - low)
        oldest_birth = today.replace(year=today.year - high - 1) + dt.timedelta(days=1)
        return queryset.filter(birth_date__lte=youngest_birth, birth_date__gte=oldest_birth)


class CaregivingInline(admin.TabularInline):
    model = CaregivingWindow
    extra = 0


class UnavailabilityInline(admin.TabularInline):
    model = Unavailability
    extra = 0


@admin.register(Community)
class CommunityAdmin(CommunityScopedAdmin):
    """A secretary changes their own community's settings; only the district administrator adds or removes one."""
    community_path = "pk"

    def has_add_permission(self, request):
        return is_district_admin(request.user) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return is_district_admin(request.user) and super().has_delete_permission(request, obj)
    list_display = ["name", "district", "auto_apply_repairs", "swap_requires_approval", "draft_weekday", "draft_time"]
    list_filter = ["district"]
    search_fields = ["name", "district"]


@admin.register(Member)
class MemberAdmin(CommunityScopedAdmin):
    # Health, living alone, caregiving and absences only for staff of the member's own community: a district
    # administrator not assigned to it sees names and limits, and cannot filter by health (?health=frail).
    sensitive_fields = ("health", "lives_alone")
    list_display = ["name", "community", "birth_date", "phone", "active"]
    list_filter = ["community", "active", AgeBandFilter, "skills"]
    search_fields = ["name", "phone"]
    filter_horizontal = ["extra_communities", "skills"]
    list_select_related = ["community"]
    raw_id_fields = ["user"]

    def get_inlines(self, request, obj):
        return [CaregivingInline, UnavailabilityInline] if self.sees_sensitive(request, obj) else []


@admin.register(VisitTarget)
class VisitTargetAdmin(CommunityScopedAdmin):
    own_staff_only = True  # households and their addresses: the community's own staff alone
    list_display = ["household", "community", "circumstances", "visit_weekday", "visit_start", "active"]
    list_filter = ["community", "circumstances", "active"]
    search_fields = ["household", "address"]
    filter_horizontal = ["preferred_visitors"]


class DistrictAdminWrites:
    """Only a district administrator adds, changes or deletes these rows."""

    def has_add_permission(self, request):
        return is_district_admin(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_district_admin(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_district_admin(request.user) and super().has_delete_permission(request, obj)


@admin.register(Skill)
class SkillAdmin(DistrictAdminWrites, admin.ModelAdmin):
    """Skills are shared by every community: the district administrator keeps the list."""
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(StaffProfile)
class StaffProfileAdmin(DistrictAdminWrites, admin.ModelAdmin):
    """Who is staff of what. Only a district administrator grants roles and communities: a secretary with
    admin access sees the profiles of their own communities' staff, read-only, so they cannot make
    themselves (or anyone) district administrator or staff of another community."""

    list_display = ["user", "role"]
    list_filter = ["role", "communities"]
    filter_horizontal = ["communities"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_district_admin(request.user):
            return queryset
        return queryset.filter(communities__in=communities_for(request.user)).distinct()


@admin.register(AuditEntry)
class AuditEntryAdmin(CommunityScopedAdmin):
    # Details and reasons name households, absences, consent notes and the violations a booking broke: only the
    # entry's own community's staff (and whoever made the entry) read them.
    sensitive_fields = ("data", "reason")
    list_display = ["created_at", "action_text", "actor", "community", "object_type", "object_id", "reason"]
    list_filter = ["action", "community"]
    search_fields = ["action", "object_id", "reason"]
    date_hierarchy = "created_at"

    def sees_sensitive(self, request, obj) -> bool:
        return super().sees_sensitive(request, obj) or (obj is not None and obj.actor_id == request.user.pk)

    @admin.display(description=_("what happened"), ordering="action")
    def action_text(self, entry):
        return action_label(entry.action)

    def has_change_permission(self, request, obj=None):
        return False  # the audit trail is append-only

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberLoginToken)
class MemberLoginTokenAdmin(CommunityScopedAdmin):
    community_path = "member__community"
    list_display = ["member", "created_at", "expires_at", "used_at"]
    exclude = ["token_hash", "code_hash"]
    readonly_fields = ["member", "expires_at", "used_at", "created_by"]

    def has_add_permission(self, request):
        return False  # links are issued through the member page, which shows the secret once


class DistrictAdminOnly(DistrictAdminWrites, admin.ModelAdmin):
    """Calendars are the district administrator's: secretaries do not see them in the admin."""

    def has_module_permission(self, request):
        return is_district_admin(request.user) and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return is_district_admin(request.user) and super().has_view_permission(request, obj)


@admin.register(CalendarYear)
class CalendarYearAdmin(DistrictAdminOnly):
    list_display = ["year", "source", "updated_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(DistrictAdminOnly):
    list_display = ["date", "kind", "name", "replaces_weekday"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(SchoolTerm)
class SchoolTermAdmin(DistrictAdminOnly):
    list_display = ["district", "name", "start", "end"]
    list_filter = ["district"]

import datetime as dt

from django.contrib import admin
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
    SchoolTerm,
    Skill,
    StaffProfile,
    Unavailability,
    VisitTarget,
)
from .selectors import can_see_sensitive, communities_for, is_district_admin
from .services.audit import action_label


class CommunityScopedAdmin(admin.ModelAdmin):
    """Secretaries using the admin see only rows of their own communities."""

    community_path = "community"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if is_district_admin(request.user):
            return queryset
        return queryset.filter(**{f"{self.community_path}__in": communities_for(request.user)})


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
    community_path = "pk"
    list_display = ["name", "district", "auto_apply_repairs", "swap_requires_approval", "draft_weekday", "draft_time"]
    list_filter = ["district"]
    search_fields = ["name", "district"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Member)
class MemberAdmin(CommunityScopedAdmin):
    # Health and caregiving are shown only to staff of the member's own community (see can_see_sensitive).
    list_display = ["name", "community", "birth_date", "phone", "active"]
    list_filter = ["community", "active", AgeBandFilter, "skills"]
    search_fields = ["name", "phone"]
    filter_horizontal = ["extra_communities", "skills"]
    list_select_related = ["community"]
    raw_id_fields = ["user"]

    def _sensitive(self, request, obj) -> bool:
        return obj is None or can_see_sensitive(request.user, obj)

    def get_exclude(self, request, obj=None):
        return [] if self._sensitive(request, obj) else ["health", "lives_alone"]

    def get_inlines(self, request, obj):
        return [CaregivingInline, UnavailabilityInline] if self._sensitive(request, obj) else []


@admin.register(VisitTarget)
class VisitTargetAdmin(CommunityScopedAdmin):
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
    list_display = ["created_at", "action_text", "actor", "community", "object_type", "object_id", "reason"]
    list_filter = ["action", "community"]
    search_fields = ["action", "object_id", "reason"]
    date_hierarchy = "created_at"

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

from django.contrib import admin

from volunteers.admin import CommunityScopedAdmin

from .models import Assignment, Duty, Notification, Roster, Shift, ShiftTemplate, SolveRun, StarLevels, SwapRequest


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "min_age", "max_age", "night_max_age", "min_health", "lead_skill",
                    "max_per_member"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["required_skills"]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(CommunityScopedAdmin):
    list_display = ["__str__", "community", "duty", "weekday", "start", "end", "min_staff", "max_staff",
                    "on_holiday", "active"]
    list_filter = ["community", "duty", "weekday", "on_holiday", "active"]
    search_fields = ["name", "location"]
    raw_id_fields = ["visit_target"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["member", "shift"]


@admin.register(Shift)
class ShiftAdmin(CommunityScopedAdmin):
    list_display = ["__str__", "community", "duty", "start", "end", "min_staff", "max_staff", "location"]
    list_filter = ["community", "duty"]
    search_fields = ["name", "location"]
    date_hierarchy = "start"
    raw_id_fields = ["visit_target", "template"]
    list_select_related = ["community", "duty"]


@admin.register(Roster)
class RosterAdmin(CommunityScopedAdmin):
    list_display = ["community", "week_start", "status", "version", "objective", "bound", "published_at"]
    list_filter = ["status", "community"]
    date_hierarchy = "week_start"
    inlines = [AssignmentInline]
    readonly_fields = ["breakdown", "unfilled", "diff"]


@admin.register(SolveRun)
class SolveRunAdmin(CommunityScopedAdmin):
    list_display = ["community", "week_start", "kind", "status", "objective", "bound", "elapsed", "requested_at"]
    list_filter = ["status", "kind", "community"]


@admin.register(SwapRequest)
class SwapRequestAdmin(CommunityScopedAdmin):
    community_path = "requester__community"
    list_display = ["requester", "kind", "state", "accepted_by", "expires_at", "created_at"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["assignment", "counterpart_assignment", "accepted_by", "requester"]


@admin.register(Notification)
class NotificationAdmin(CommunityScopedAdmin):
    community_path = "member__community"
    list_display = ["created_at", "kind", "member", "channel", "status", "urgent"]
    list_filter = ["status", "kind", "channel", "urgent"]
    search_fields = ["subject"]


@admin.register(StarLevels)
class StarLevelsAdmin(admin.ModelAdmin):
    """The district sets the hours for each star; districts without a row use settings.STAR_THRESHOLDS_HOURS."""
    list_display = ["district", "thresholds"]

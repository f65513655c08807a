"""The admin of rosters, shifts and messages, scoped like the pages (volunteers.admin.CommunityScopedAdmin)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shifts.models import (
    Assignment,
    Duty,
    Notification,
    Roster,
    Shift,
    ShiftTemplate,
    SolveRun,
    StarLevels,
    SwapRequest,
)
from volunteers.admin import CommunityScopedAdmin, DistrictAdminWrites, ScopedChoices
from volunteers.selectors import communities_for, is_district_admin, sensitive_community_ids


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    """Duties are shared by every community: a secretary changes one only while no other community uses it (as on
    the set-up pages); a duty all communities share is the district administrator's."""
    list_display = ["code", "name", "name_en", "min_age", "max_age", "night_max_age", "min_health", "lead_skill",
                    "max_per_member"]
    search_fields = ["code", "name", "name_en"]
    filter_horizontal = ["required_skills"]

    def _may_edit(self, request, obj) -> bool:
        from shifts.rostering.setup import duty_editable_by

        return (obj is None or is_district_admin(request.user)
                or duty_editable_by(duty=obj, communities=communities_for(request.user)))

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj) and super().has_delete_permission(request, obj)


class ShiftTitleAdmin(CommunityScopedAdmin):
    """Shifts and weekly shifts: a home visit's name says whose home ("探访谢家（和平街1号）") and its meeting point
    may be the door, so name, place and household are for the community's own staff."""
    sensitive_fields = ("name", "location", "visit_target")

    def get_list_display(self, request):
        from shifts.messaging.labels import shift_title  # not at import: the admin loads before the selectors' models

        own = sensitive_community_ids(request.user)

        @admin.display(description=_("name"))
        def title(obj):
            return shift_title(obj, private=obj.community_id in own) if isinstance(obj, Shift) else (
                str(obj) if obj.community_id in own else f"{obj.duty} {obj.get_weekday_display()}")

        return [title if name == "__str__" else name for name in super().get_list_display(request)]


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(ShiftTitleAdmin):
    list_display = ["__str__", "community", "duty", "weekday", "start", "end", "min_staff", "max_staff",
                    "on_holiday", "active"]
    list_filter = ["community", "duty", "weekday", "on_holiday", "active"]
    search_fields = ["name", "location"]
    raw_id_fields = ["visit_target"]


class AssignmentInline(ScopedChoices, admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ["member", "shift"]

    def get_exclude(self, request, obj=None):
        # What a secretary typed when overriding a rule may be about the member's health.
        if obj is not None and obj.community_id not in sensitive_community_ids(request.user):
            return ["override_reason"]
        return super().get_exclude(request, obj)


@admin.register(Shift)
class ShiftAdmin(ShiftTitleAdmin):
    list_display = ["__str__", "community", "duty", "start", "end", "min_staff", "max_staff", "location"]
    list_filter = ["community", "duty"]
    search_fields = ["name", "location"]
    date_hierarchy = "start"
    raw_id_fields = ["visit_target", "template"]
    list_select_related = ["community", "duty"]


@admin.register(Roster)
class RosterAdmin(CommunityScopedAdmin):
    # A re-plan's reason and cause name the member who is away and why.
    sensitive_fields = ("reason", "cause")
    list_display = ["community", "week_start", "status", "version", "objective", "bound", "published_at"]
    list_filter = ["status", "community"]
    date_hierarchy = "week_start"
    inlines = [AssignmentInline]
    readonly_fields = ["breakdown", "unfilled", "diff"]


@admin.register(SolveRun)
class SolveRunAdmin(CommunityScopedAdmin):
    sensitive_fields = ("reason", "cause")
    list_display = ["community", "week_start", "kind", "status", "objective", "bound", "elapsed", "requested_at"]
    list_filter = ["status", "kind", "community"]


@admin.register(SwapRequest)
class SwapRequestAdmin(CommunityScopedAdmin):
    community_path = "requester__community"
    sensitive_fields = ("note", "decision_note", "refusal")  # what people wrote, e.g. why they cannot come
    list_display = ["requester", "kind", "state", "accepted_by", "expires_at", "created_at"]
    list_filter = ["state", "kind"]
    raw_id_fields = ["assignment", "counterpart_assignment", "accepted_by", "requester"]


@admin.register(Notification)
class NotificationAdmin(CommunityScopedAdmin):
    community_path = "member__community"
    # A message's text can hold a login code or a single-use link: its community's own staff only.
    sensitive_fields = ("subject", "body", "sms_params", "address", "error")
    # Voice calls: how the call ended (delivery) and the key pressed.
    list_display = ["created_at", "kind", "member", "channel", "status", "delivery_status", "call_digit", "urgent"]
    list_filter = ["status", "kind", "channel", "delivery_status", "urgent"]
    search_fields = ["subject"]

    def has_add_permission(self, request):
        return False  # messages are made by the services that send them


@admin.register(StarLevels)
class StarLevelsAdmin(DistrictAdminWrites, admin.ModelAdmin):
    """The district sets the hours for each star; districts without a row use settings.STAR_THRESHOLDS_HOURS."""
    list_display = ["district", "thresholds"]

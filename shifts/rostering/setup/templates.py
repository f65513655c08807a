"""Weekly templates: saving and deleting one (the weeks not yet published follow it), and what a change or a
delete would touch, named before the secretary confirms."""

from django.db import transaction
from django.utils import timezone

from shifts.models import Shift, ShiftTemplate
from shifts.rostering.setup.saving import changed, snapshot
from shifts.rostering.setup.unpublished import (
    FollowReport,
    published_weeks,
    template_shifts_follow,
    unpublished_places,
    visits_follow,
)
from shifts.weeks import week_start_of
from volunteers.models import VisitTarget
from volunteers.services.audit import audit_log

TEMPLATE_FIELDS = ("duty_id", "weekday", "start", "end", "location", "min_staff", "max_staff", "visit_target_id",
                   "name", "active", "on_holiday", "holiday_min_staff", "holiday_max_staff")


def template_save(*, template: ShiftTemplate, by) -> FollowReport:
    """Create or change a weekly template, then make the weeks not yet published follow it."""
    created = template.pk is None
    stored = None if created else ShiftTemplate.objects.get(pk=template.pk)
    before = {} if created else snapshot(stored, TEMPLATE_FIELDS)
    report = FollowReport()
    with transaction.atomic():
        template.full_clean()
        template.save()
        changes = changed(before, template, TEMPLATE_FIELDS)
        audit_log(action="shifts.setup.template_created" if created else "shifts.setup.template_changed",
                  actor=by, community=template.community, obj=template, data={"changes": changes})
        if changes:
            report = template_shifts_follow(template=template, by=by)
            # A household's own weekly visit gives way to its template, and comes back when the template stops.
            for target_id in {template.visit_target_id, stored.visit_target_id if stored else None} - {None}:
                report.merge(visits_follow(VisitTarget.objects.get(pk=target_id), by=by))
    return report


def template_delete(*, template: ShiftTemplate, by) -> FollowReport:
    """Delete a weekly template. Its shifts in weeks not yet published go (the report names the draft places
    that went with them); published shifts stay as they are."""
    with transaction.atomic():
        audit_log(action="shifts.setup.template_deleted", actor=by, community=template.community, obj=template,
                  data={"template": str(template)})
        template.active = False
        template.save(update_fields=["active"])
        report = template_shifts_follow(template=template, by=by)
        template.delete()
    return report


def template_draft_places(template: ShiftTemplate, *, by=None) -> list[str]:
    """The draft places on the template's coming shifts in weeks not yet published: what deleting it would take
    away, named before the secretary confirms."""
    return unpublished_places(template.community, Shift.objects.filter(template=template), by=by)


def template_published_shifts(template: ShiftTemplate) -> list[Shift]:
    """The template's shifts still to come in published weeks: these keep their details unless changed one by
    one (shift_edit)."""
    upcoming = list(Shift.objects.filter(template=template, start__gt=timezone.now()).order_by("start"))
    published = published_weeks(template.community, {week_start_of(s.start) for s in upcoming})
    return [shift for shift in upcoming if week_start_of(shift.start) in published]

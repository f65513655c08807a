"""Visit households: saving and deleting one (its weekly visit in the weeks not yet published follows), and the
draft places a delete would take away."""

from django.db import transaction

from shifts.models import Shift
from shifts.rostering.setup.saving import save_audited
from shifts.rostering.setup.templates import template_delete
from shifts.rostering.setup.unpublished import FollowReport, unpublished_places, visits_follow
from volunteers.models import VisitTarget
from volunteers.services.audit import audit_log


def visit_target_save(*, target: VisitTarget, by, preferred_visitors=None) -> FollowReport:
    """Create or change a visit household (its address and needs are sensitive: the audit keeps no copy)."""
    with transaction.atomic():
        save_audited(target, by=by, what="household", community=target.community,
                     related={"preferred_visitors": preferred_visitors}, data=lambda t: {"active": t.active})
        # Its weekly visit (made when it has no template of its own) follows a new day, time or length.
        return visits_follow(target, by=by)


def visit_target_delete(*, target: VisitTarget, by) -> FollowReport:
    """Delete a household; past visit shifts stay, without the household."""
    report = FollowReport()
    with transaction.atomic():
        audit_log(action="shifts.setup.household_deleted", actor=by, community=target.community, obj=target)
        for template in list(target.templates.all()):
            report.merge(template_delete(template=template, by=by))
        target.active = False
        target.save(update_fields=["active"])
        report.merge(visits_follow(target, by=by))
        target.delete()
    return report


def household_draft_places(target: VisitTarget, *, by=None) -> list[str]:
    """The draft places on the household's coming visits in weeks not yet published (see template_draft_places)."""
    return unpublished_places(target.community, Shift.objects.filter(visit_target=target), by=by)

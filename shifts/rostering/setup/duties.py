"""Duties, shared by every community: who may change one, and changing or deleting it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from shifts.models import Duty
from shifts.rostering.setup.saving import save_audited
from volunteers.models import Community
from volunteers.services.audit import audit_log


def duty_editable_by(*, duty: Duty, communities) -> bool:
    """Duties are shared by every community: a secretary may change one only while no other community uses it."""
    ids = {c.pk for c in communities}
    used = set(duty.templates.values_list("community_id", flat=True)) | set(
        duty.shifts.values_list("community_id", flat=True).distinct())
    return used <= ids


def duty_save(*, duty: Duty, by, required_skills=None, community: Community | None = None) -> Duty:
    """Create or change a duty; raises ValidationError naming the field."""
    with transaction.atomic():
        save_audited(duty, by=by, what="duty", community=community, related={"required_skills": required_skills},
                     data=lambda d: {"code": d.code, "name": d.name})
    return duty


def duty_delete(*, duty: Duty, by, community: Community | None = None) -> None:
    """Delete a duty no template or shift uses; raises ValidationError when one does."""
    with transaction.atomic():
        audit_log(action="shifts.setup.duty_deleted", actor=by, community=community, obj=duty,
                  data={"code": duty.code, "name": duty.name})
        try:
            duty.delete()
        except ProtectedError:
            raise ValidationError(_("This duty is still used by weekly shifts or past shifts; it cannot be "
                                    "deleted. Stop its weekly shifts instead.")) from None

"""The audit trail: who changed or read what, when and why, under a dotted action code."""

from django.db import models

from volunteers.models import AuditEntry, Community

# Human-readable text for each action code, shown in the audit views.
ACTION_LABELS: dict[str, str] = {}


def audit_log(*, action: str, actor=None, community: Community | None = None, obj: models.Model | None = None,
              data: dict | None = None, reason: str = "") -> AuditEntry:
    """Record one entry. `action` is dotted, e.g. shifts.roster.published or volunteers.member.health_viewed."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        action=action, actor=actor, community=community,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {}, reason=reason[:300],
    )
    entry.full_clean()
    entry.save()
    return entry

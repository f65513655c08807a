"""How a set-up write is checked, saved and audited, and what it changed as text for the audit trail."""

from volunteers.models import Community
from volunteers.services.audit import audit_log


def changed(before: dict, obj, fields) -> dict:
    """{field: [old, new]} as text, for the audit trail."""
    return {name: [str(before.get(name)), str(getattr(obj, name))] for name in fields
            if before.get(name) != getattr(obj, name)}


def snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields} if obj.pk else {}


def save_audited(obj, *, by, what: str, community: Community | None, data, related=None) -> None:
    """Check `obj` against its model (full_clean), save it, set its many-to-many fields (`related`: {name:
    objects}; None leaves a field as it is) and audit it as shifts.setup.<what>_created or <what>_changed with
    data(obj). The caller holds the transaction."""
    created = obj.pk is None
    obj.full_clean()
    obj.save()
    for name, objects in (related or {}).items():
        if objects is not None:
            getattr(obj, name).set(objects)
    audit_log(action=f"shifts.setup.{what}_created" if created else f"shifts.setup.{what}_changed", actor=by,
              community=community, obj=obj, data=data(obj))

"""The community's members exported in the import's own format (名册 columns), .xlsx or CSV."""


from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import Community, Member
from volunteers.selectors import can_see_sensitive_in, communities_for

from .audit import audit_log
from .member_text import COLUMN_BY_FIELD, HEALTH_EXPORT, format_caregiving
from .spreadsheets import csv_bytes, xlsx_bytes

# --------------------------------------------------------------------------- export

EXPORT_FIELDS = ("name", "phone", "birth_date", "health", "skills", "caregiving", "community", "email",
                 "max_shifts_per_week", "active")
SENSITIVE_EXPORT_FIELDS = ("health", "caregiving")


def member_export(*, user, community: Community, fmt: str) -> tuple[bytes, str, str]:
    """The community's members in the import format: (content, content type, file name).

    Health and caregiving are included only for the community's own staff (can_see_sensitive_in), and then
    the export is written to the audit log as sensitive_exported; anyone else in scope (a district
    administrator not assigned to the community) gets the other columns, logged as exported."""
    if fmt not in ("xlsx", "csv"):
        raise ValidationError({"fmt": _("Export as xlsx or csv.")})
    if community not in communities_for(user):
        raise ValidationError({"community": _("Not one of your communities.")})
    members = (Member.objects.filter(community=community, anonymised_at__isnull=True)
               .prefetch_related("skills", "caregiving").select_related("community").order_by("name", "pk"))
    sensitive = can_see_sensitive_in(user, community)
    fields = [name for name in EXPORT_FIELDS if sensitive or name not in SENSITIVE_EXPORT_FIELDS]
    rows = [[_export_cell(name, member) for name in fields] for member in members]
    headers = [COLUMN_BY_FIELD[name].header for name in fields]
    if sensitive:
        audit_log(action="volunteers.member.sensitive_exported", actor=user, community=community,
                  data={"members": len(rows), "format": fmt, "fields": list(SENSITIVE_EXPORT_FIELDS)})
    else:
        audit_log(action="volunteers.member.exported", actor=user, community=community,
                  data={"members": len(rows), "format": fmt})
    stamp = timezone.localdate().isoformat()
    filename = f"members-{community.pk}-{stamp}.{fmt}"
    if fmt == "csv":
        return csv_bytes(headers, rows), "text/csv; charset=utf-8", filename
    return (xlsx_bytes(headers, rows, title="名册"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename)


def _export_cell(name: str, member: Member):
    if name == "birth_date":
        return member.birth_date
    if name == "health":
        return HEALTH_EXPORT[member.health]
    if name == "skills":
        return "、".join(sorted(s.name for s in member.skills.all()))
    if name == "caregiving":
        return format_caregiving((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())
    if name == "community":
        return member.community.name
    if name == "active":
        return "在册" if member.active else "停用"
    value = getattr(member, name)
    return "" if value is None else str(value) if name == "phone" else value

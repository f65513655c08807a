"""Applying a member import (名册): plan again, and only when no row has an error, every same-name question is
answered and the plan is the one the secretary saw, write every row in one transaction: all rows or none.
The plan (preview) is volunteers.services.import_plan."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _

from volunteers.models import CaregivingWindow, Community, Member, applies_for_label

from .audit import audit_log
from .availability import availability_announce
from .import_files import Sheet
from .import_plan import ImportPlan, RowPlan, member_import_plan
from .member_text import COLUMN_BY_FIELD

logger = logging.getLogger(__name__)


class ImportRejected(Exception):
    def __init__(self, plan: ImportPlan, message: str):
        super().__init__(message)
        self.plan = plan


_SIMPLE_FIELDS = ("name", "phone", "email", "birth_date", "health", "max_shifts_per_week")


def member_import_apply(*, user, community: Community, data: bytes = b"", filename: str = "",
                        mapping: dict[int, str] | None = None, expected_fingerprint: str | None = None,
                        sheet: Sheet | None = None, decisions: dict | None = None) -> ImportPlan:
    """Validate again and write every row in one transaction, or raise ImportRejected and write nothing."""
    plan = member_import_plan(user=user, community=community, data=data, filename=filename, mapping=mapping,
                              sheet=sheet, decisions=decisions)
    if not plan.ok:
        raise ImportRejected(plan, plan.file_error or _("%(n)d rows have errors; nothing was imported.")
                             % {"n": len({e.row for e in plan.errors})})
    if expected_fingerprint is not None and plan.fingerprint != expected_fingerprint:
        raise ImportRejected(plan, _("The members changed since the preview; check the new preview."))
    unanswered = [r.row for r in plan.rows if r.action == "ask"]
    if unanswered:
        raise ImportRejected(plan, _("Rows %(rows)s have the name of a member you already have: say for each whether "
                                     "it is that member or a new one; nothing was imported.")
                             % {"rows": "、".join(str(n) for n in unanswered[:20])})
    changed_availability: list[int] = []
    with transaction.atomic():
        created = _create_members([r for r in plan.rows if r.action == "create"])
        for row in (r for r in plan.rows if r.action == "update"):
            if _update_member(row):
                changed_availability.append(row.member_id)
        audit_log(action="volunteers.member.imported", actor=user, community=community,
                  data={"file": filename[:100], "created": len(created), "updated": plan.count("update"),
                        "unchanged": plan.count("unchanged")})
        availability_announce(member_ids=changed_availability, reason="import")
    logger.info("member import into %s: %d created, %d updated, %d unchanged", community.pk,
                len(created), plan.count("update"), plan.count("unchanged"))
    return plan


def _create_members(rows: list[RowPlan]) -> list[Member]:
    members = []
    for row in rows:
        v = row.values
        member = Member(community_id=v["community"], active=True if v.get("active") is None else v["active"],
                        **{name: v[name] for name in _SIMPLE_FIELDS if name in v and v[name] is not None})
        # The community was checked against the secretary's scope while planning; skip one query per row.
        member.full_clean(exclude=["user", "community"], validate_unique=False)
        members.append(member)
    Member.objects.bulk_create(members, batch_size=500)
    if any(m.pk is None for m in members):  # databases without RETURNING; not expected on SQLite ≥3.35 or PG
        raise RuntimeError("bulk_create did not return primary keys")
    through = Member.skills.through
    links = [through(member_id=m.pk, skill_id=s) for m, r in zip(members, rows, strict=True)
             for s in r.values.get("skills", ())]
    through.objects.bulk_create(links, batch_size=1000)
    windows = [CaregivingWindow(member_id=m.pk, weekdays=w, start=s, end=e, label=label,
                                applies=applies_for_label(label))
               for m, r in zip(members, rows, strict=True) for w, s, e, label in r.values.get("caregiving", ())]
    CaregivingWindow.objects.bulk_create(windows, batch_size=1000)
    return members


def _update_member(row: RowPlan) -> bool:
    """Apply one row's changes; True when availability rules (health, caregiving, active) changed."""
    member = Member.objects.select_for_update().get(pk=row.member_id)
    v = row.values
    for name in _SIMPLE_FIELDS:
        if name in v:
            setattr(member, name, v[name])
    if "community" in v:
        member.community_id = v["community"]
    availability = False
    if v.get("active") is not None and v["active"] != member.active:
        member.active = v["active"]
        availability = True
    member.full_clean(exclude=["user"], validate_unique=False)
    member.save()
    if "skills" in v and frozenset(member.skills.values_list("pk", flat=True)) != v["skills"]:
        member.skills.set(v["skills"])
        availability = True
    if "caregiving" in v:
        current = frozenset((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())
        if current != v["caregiving"]:
            member.caregiving.all().delete()
            CaregivingWindow.objects.bulk_create([CaregivingWindow(member=member, weekdays=w, start=s, end=e,
                                                                   label=label, applies=applies_for_label(label))
                                                  for w, s, e, label in v["caregiving"]])
            availability = True
    return availability or any(COLUMN_BY_FIELD["health"].header == c for c in row.changes)


"""The patrol log: a team member notes what was seen on a round; the secretary hands entries to the grid worker
(网格员) and exports the log."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shifts.delivered.hours import local_bounds
from shifts.models import Assignment, PatrolLogEntry, PatrolTag, Roster, Shift
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log
from volunteers.services.spreadsheets import csv_bytes, xlsx_bytes

EXPORT_HEADERS = ("日期", "时间", "值班", "记录人", "标签", "情况", "已交网格员")


def patrol_shifts_for_note(member: Member, now: dt.datetime | None = None) -> list[Shift]:
    """The member's published shifts that have begun in the last two days: the ones they can write about."""
    now = now or timezone.now()
    ids = (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                     shift__start__lte=now, shift__start__gte=now - dt.timedelta(days=2))
           .values_list("shift_id", flat=True))
    return list(Shift.objects.filter(pk__in=ids).select_related("duty").order_by("-start"))


def patrol_note_add(*, member: Member, shift: Shift, note: str, tags: list[str], by=None) -> PatrolLogEntry:
    """Any member of the shift's team may write, once the shift has begun."""
    if not Assignment.objects.filter(member=member, shift=shift, roster__status=Roster.Status.PUBLISHED).exists():
        raise ValidationError({"shift": _("You were not on this shift.")})
    if shift.start > timezone.now():
        raise ValidationError({"shift": _("This shift has not started yet.")})
    entry = PatrolLogEntry(community=shift.community, shift=shift, author=member, note=(note or "").strip(),
                           tags=sorted(set(tags or [])))
    entry.full_clean()
    entry.save()
    audit_log(action="shifts.patrol_log.written", actor=by, community=shift.community, obj=entry,
              data={"tags": entry.tags})
    return entry


def patrol_note_hand_over(*, entry: PatrolLogEntry, by) -> PatrolLogEntry:
    with transaction.atomic():
        entry = PatrolLogEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.handed_over_at is None:
            entry.handed_over_at, entry.handed_over_by = timezone.now(), by
            entry.save(update_fields=["handed_over_at", "handed_over_by"])
            audit_log(action="shifts.patrol_log.handed_over", actor=by, community=entry.community, obj=entry)
    return entry


def patrol_log(community: Community, start: dt.date, end: dt.date, tag: str = ""):
    begin, finish = local_bounds(start, end)
    entries = (PatrolLogEntry.objects.filter(community=community, shift__start__gte=begin, shift__start__lt=finish)
               .select_related("shift__duty", "author").order_by("-shift__start", "-pk"))
    if tag:
        if tag not in PatrolTag.values:
            raise ValidationError({"tag": _("Choose tags from the list.")})
        return [e for e in entries if tag in e.tags]  # a handful a week: no JSON query needed
    return list(entries)


def patrol_log_export(*, community: Community, start: dt.date, end: dt.date, fmt: str, by=None
                      ) -> tuple[bytes, str, str]:
    if fmt not in ("csv", "xlsx"):
        raise ValidationError({"format": _("Export as xlsx or csv.")})
    tz = timezone.get_current_timezone()
    with translation.override("zh-hans"):  # the sheet goes to the 网格员 in Chinese
        rows = [[e.shift.start.astimezone(tz).date(), f"{e.shift.start.astimezone(tz):%H:%M}",
                 e.shift.name or e.shift.duty.name, e.author.name, "、".join(e.tag_labels()), e.note,
                 "是" if e.handed_over_at else "否"] for e in patrol_log(community, start, end)]
    audit_log(action="shifts.patrol_log.exported", actor=by, community=community,
              data={"from": start.isoformat(), "to": end.isoformat(), "format": fmt})
    filename = f"patrol-log-{community.pk}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return csv_bytes(EXPORT_HEADERS, rows), "text/csv; charset=utf-8", filename
    return (xlsx_bytes(EXPORT_HEADERS, rows, title="巡逻记录"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename)

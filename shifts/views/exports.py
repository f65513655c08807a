"""The week's roster as CSV (UTF-8 with BOM, so Excel reads Chinese) and as an Excel workbook."""

import csv
import io

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from volunteers.selectors import community_for

from .common import staff_required, week_from_url
from .grid import build_week


def _rows(view):
    """One row per assignment; a shift nobody took still gets a row, with the member left empty."""
    for cell in view.cells:
        shift = cell.shift
        start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
        base = [start.date().isoformat(), _(start.strftime("%A")), start.strftime("%H:%M"), end.strftime("%H:%M"),
                shift.duty.name, shift.name, "" if shift.visit_target_id else shift.location,
                shift.min_staff, cell.staffed]
        if not cell.assignments:
            yield base + ["", ""]
        for assignment in cell.assignments:
            yield base + [assignment.member.name, _("yes") if assignment.pinned else ""]


def _header():
    return [_("Date"), _("Weekday"), _("From"), _("Until"), _("Duty"), _("Shift"), _("Meeting point"),
            _("People wanted"), _("People on it"), _("Member"), _("Pinned")]


@staff_required
def export_week(request, community_id, week, fmt):
    community = community_for(request.user, community_id)
    view = build_week(community, week_from_url(week), request.GET.get("show"))
    if view.roster is None:
        raise Http404
    filename = f"roster-{community.pk}-{view.week_start.isoformat()}"
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(_header())
        writer.writerows(_rows(view))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(_workbook(view), content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _workbook(view) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = view.week_start.isoformat()
    sheet.append(_header())
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _rows(view):
        sheet.append(row)
    for column, width in zip("ABCDEFGHIJK", (12, 8, 7, 7, 10, 14, 20, 8, 8, 12, 6), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""The week's roster as CSV (UTF-8 with BOM, so Excel reads Chinese) and as an Excel workbook.

Both go through the one spreadsheet writer (volunteers.services.spreadsheets), which never writes a live
formula whatever a shift's name or place starts with. Exports travel beyond the secretary's desk, so a home
visit is called 入户探访 and has no place (shifts.messaging.labels.shift_title).

A file is of the published roster unless the secretary picks the proposal (?show=proposal); its first row names
the version and its time, and so does its name (roster-<community>-<week>-v3, …-proposal)."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler_site.access import staff_required
from shifts.messaging.labels import shift_title
from shifts.models import Roster
from shifts.models.duties import is_visit
from shifts.rostering.readmodels.week_grid import build_week
from shifts.rostering.views.common import week_from_url
from volunteers.selectors import community_for
from volunteers.services.spreadsheets import csv_bytes, xlsx_bytes

WIDTHS = (12, 8, 7, 7, 10, 14, 20, 8, 8, 12, 6)


def _rows(view):
    """One row per assignment; a shift nobody took still gets a row, with the member left empty."""
    for cell in view.cells:
        shift = cell.shift
        start, end = timezone.localtime(shift.start), timezone.localtime(shift.end)
        base = [start.date().isoformat(), _(start.strftime("%A")), start.strftime("%H:%M"), end.strftime("%H:%M"),
                shift.duty.name, shift_title(shift), "" if is_visit(shift) else shift.location,
                shift.min_staff, cell.staffed]
        if not cell.assignments:
            yield base + ["", ""]
        for assignment in cell.assignments:
            yield base + [assignment.member.name, _("yes") if assignment.pinned else ""]


def _title(view) -> list:
    """The first row: whose roster, which week, and which version of when (a file travels without its page)."""
    return [f"{view.community.name} {view.week_start:%Y-%m-%d} – {view.days[6]:%Y-%m-%d} · {view.version_label}"]


def _header():
    return [_("Date"), _("Weekday"), _("From"), _("Until"), _("Duty"), _("Shift"), _("Meeting point"),
            _("People wanted"), _("People on it"), _("Member"), _("Pinned")]


@staff_required
def export_week(request, community_id, week, fmt):
    community = community_for(request.user, community_id)
    view = build_week(community, week_from_url(week), request.GET.get("show"), printed=True)
    if view.roster is None:
        raise Http404
    filename = f"roster-{community.pk}-{view.week_start.isoformat()}"
    if view.roster.status == Roster.Status.PUBLISHED:
        filename += f"-v{view.roster.version}"
    else:
        filename += f"-{view.roster.status}"
    preamble = [_title(view)]
    if fmt == "csv":
        response = HttpResponse(csv_bytes(_header(), _rows(view), preamble=preamble),
                                content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        content = xlsx_bytes(_header(), _rows(view), title=view.week_start.isoformat(), widths=WIDTHS,
                             bold_header=True, preamble=preamble)
        response = HttpResponse(content, content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response

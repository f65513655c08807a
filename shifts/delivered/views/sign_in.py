"""The week's sign-in sheet: a printout with names and boxes, and the same rows as a blank CSV or Excel file that
the attendance import reads back (shifts.delivered.sign_in_sheet)."""

from django.http import Http404, HttpResponse
from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.delivered.sign_in_sheet import WIDTHS, headers, sign_in_blocks, sign_in_rows
from shifts.rostering.views.common import week_from_url, week_param
from volunteers.selectors import community_for
from volunteers.services.spreadsheets import csv_bytes, xlsx_bytes


@staff_required
def sign_in_sheet(request, community_id, week):
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    return render(request, "shifts/print/sign_in.html", {
        "community": community, "week_start": week_start, "week": week_param(week_start),
        "blocks": sign_in_blocks(community, week_start), "headers": headers()})


@staff_required
def sign_in_sheet_export(request, community_id, week, fmt):
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    rows = list(sign_in_rows(sign_in_blocks(community, week_start)))
    if fmt == "csv":
        response = HttpResponse(csv_bytes(headers(), rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(headers(), rows, title=week_start.isoformat(), widths=WIDTHS,
                                           bold_header=True),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="sign-in-{community.pk}-{week_start.isoformat()}.{fmt}"'
    return response

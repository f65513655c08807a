"""Large-print A4 rosters for the notice board: one page per community-week, optionally one per member.

Printouts never show health, caregiving or visit addresses: only names, times, duties and meeting points.
They hang on a notice board, so a home visit is called 入户探访, never by its household.
A printout is of the published roster unless the secretary picks the proposal; every page names its version.
"""

from collections import defaultdict

from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.messaging.labels import shift_title
from shifts.models.duties import is_visit
from shifts.rostering.readmodels.week_grid import build_week
from shifts.rostering.views.common import week_from_url
from volunteers.selectors import community_for, member_for


def _label_cells(view) -> None:
    for cell in view.cells:
        cell.title = shift_title(cell.shift)
        cell.place = "" if is_visit(cell.shift) else cell.shift.location


@staff_required
def print_week(request, community_id, week):
    community = community_for(request.user, community_id)
    view = build_week(community, week_from_url(week), request.GET.get("show"), printed=True)
    _label_cells(view)
    member_pages = []
    if request.GET.get("members") == "1":
        by_member = defaultdict(list)
        for cell in view.cells:
            for assignment in cell.assignments:
                by_member[assignment.member].append(cell)
        member_pages = sorted(by_member.items(), key=lambda item: item[0].name)
    return render(request, "shifts/print/week.html", {"week": view, "member_pages": member_pages})


@staff_required
def print_member(request, member_id, week):
    member = member_for(request.user, member_id)
    week_start = week_from_url(week)
    view = build_week(member.community, week_start, request.GET.get("show"), printed=True)
    _label_cells(view)
    cells = [cell for cell in view.cells if any(a.member_id == member.pk for a in cell.assignments)]
    return render(request, "shifts/print/member.html", {"week": view, "member": member, "cells": cells})

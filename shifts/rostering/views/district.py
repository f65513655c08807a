"""The district administrator's one button for next week: every community's roster is made at once, one task per
connected group of communities on the queue (shifts.rostering.district.district_generate), as the weekly
schedule and `manage.py roster district` do. Communities already solving keep their run."""

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from scheduler_site.access import district_admin_required
from shifts.rostering.district import district_generate
from shifts.rostering.views.common import this_monday
from volunteers.selectors import communities_for


@district_admin_required
@require_POST
def district_generate_next_week(request):
    week_start = this_monday() + dt.timedelta(days=7)
    communities = list(communities_for(request.user).order_by("name"))
    _job, runs = district_generate(communities=communities, week_start=week_start, by=request.user)
    if runs:
        messages.success(request, ngettext(
            "Next week's roster is being made for %(count)d community; each shows its progress below.",
            "Next week's rosters are being made for %(count)d communities; each shows its progress below.",
            len(runs)) % {"count": len(runs)})
    else:
        messages.info(request, _("Every community is already making next week's roster."))
    return redirect("dashboard")

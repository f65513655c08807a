"""The secretary's dashboard: this week and next for each community (shifts.rostering.readmodels.dashboard), who
no channel reaches, and the open welfare ladders (who did not arrive or is not back from a patrol). It combines
rostering, messaging and delivered, so it stands at the top of shifts beside member_home."""

import datetime as dt

from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.delivered.selectors import welfare_ladders_open
from shifts.rostering.cover.selectors import cover_calls_for_dashboard
from shifts.rostering.readmodels.dashboard import community_summaries
from shifts.rostering.views.common import redact_roster_reasons, this_monday
from shifts.rostering.views.reach import reach_context
from volunteers.calendars import years_estimated
from volunteers.selectors import communities_for, is_district_admin, sensitive_community_ids


@staff_required
def dashboard(request):
    communities = list(communities_for(request.user).order_by("name"))
    weeks = [this_monday(), this_monday() + dt.timedelta(days=7)]
    summaries = community_summaries(communities, weeks)
    redact_roster_reasons(request.user, [week.proposal for summary in summaries for week in summary.weeks])
    # A planning week in a year whose State Council dates are not entered is planned on the package's estimate.
    estimated = years_estimated(weeks[0], weeks[-1] + dt.timedelta(days=7))
    return render(request, "shifts/dashboard.html", {"summaries": summaries, "weeks": weeks,
                                                     "estimated_years": estimated,
                                                     "calendar_editor": is_district_admin(request.user),
                                                     "cover_calls": cover_calls_for_dashboard(communities),
                                                     "ladders": welfare_ladders_open(
                                                         communities,
                                                         private_ids=sensitive_community_ids(request.user)),
                                                     **reach_context(communities)})

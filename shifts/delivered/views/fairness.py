"""Hours served per member over the last eight published weeks (shifts.delivered.fairness)."""

from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.delivered.fairness import fairness_table
from shifts.rostering.views.common import this_monday
from volunteers.selectors import community_for


@staff_required
def fairness(request, community_id):
    community = community_for(request.user, community_id)
    table = fairness_table(community, this_monday())
    return render(request, "shifts/fairness.html", {"community": community, "table": table,
                                                    "weeks": table.weeks, "loads": table.loads})

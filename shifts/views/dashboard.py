"""The secretary's dashboard."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from volunteers.selectors import communities_for


@login_required
def dashboard(request):
    return render(request, "shifts/dashboard.html", {"communities": communities_for(request.user)})

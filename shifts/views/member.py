"""A member's own pages, for a phone."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from volunteers.selectors import member_of


@login_required
def my_shifts(request):
    member = member_of(request.user)
    if member is None:
        raise Http404
    return render(request, "shifts/my_shifts.html", {"member": member})

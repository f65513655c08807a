"""A member's own caregiving times (school runs, looking after a spouse), entered with weekday boxes and time
pickers, the same form the secretary uses; removing one asks first on its own page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from scheduler_site.forms import errors_to_form
from volunteers.forms import CaregivingForm
from volunteers.selectors import member_of
from volunteers.services.members import caregiving_add, caregiving_remove

from ..rule_text import caregiving_in_words


def _own_member(request):
    member = member_of(request.user)
    if member is None:
        raise Http404
    return member


@login_required
@require_http_methods(["GET", "POST"])
def my_caregiving(request):
    member = _own_member(request)
    form = CaregivingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            caregiving_add(member=member, by=request.user, **form.window())
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved. You will not get shifts at these times."))
            return redirect("my_caregiving")
    windows = list(member.caregiving.all())
    for window in windows:
        window.in_words = caregiving_in_words(window)
    return render(request, "volunteers/my_caregiving.html", {"member": member, "form": form, "windows": windows},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def my_caregiving_remove(request, window_id):
    member = _own_member(request)
    window = get_object_or_404(member.caregiving, pk=window_id)
    if request.method == "POST":
        caregiving_remove(window=window, by=request.user)
        messages.success(request, _("Removed."))
        return redirect("my_caregiving")
    window.in_words = caregiving_in_words(window)
    return render(request, "volunteers/my_caregiving_remove.html", {"window": window})

"""A member's own answers, for a phone: "I can't come" for one shift, and a period away."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler_site.access import member_required
from shifts.models import Assignment, Roster
from shifts.rostering.absences import absence_report
from shifts.rostering.forms import AbsencePeriodForm, CantComeForm


@member_required
def cant_come(request, assignment_id, member):
    """One tap from My shifts, a reason, confirm: the secretary and the re-planning are told."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("shift__duty"), pk=assignment_id, member=member,
        roster__status=Roster.Status.PUBLISHED, shift__end__gt=timezone.now())
    form = CantComeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        shift = assignment.shift
        try:
            absence_report(member=member, start=shift.start, end=shift.end,
                                    reason=form.cleaned_data["reason"], by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Thank you for telling us. Your secretary is finding someone to take "
                                        "your place; you will get a message when it is settled."))
            return redirect("my_shifts")
    return render(request, "shifts/cant_come.html", {"assignment": assignment, "form": form},
                  status=400 if form.errors else 200)


@member_required
def absence_period(request, member):
    """A longer time away: every shift in it is re-planned."""
    form = AbsencePeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        start, end = form.period()
        try:
            absence_report(member=member, start=start, end=end, reason=form.cleaned_data["reason"],
                                    by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your time away is noted. Shifts in that period will be given to others."))
            return redirect("my_shifts")
    return render(request, "shifts/absence_period.html", {"form": form, "member": member},
                  status=400 if form.errors else 200)


"""A member's own pages, for a phone: the next four weeks, "I can't come", and a period away."""

import datetime as dt
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import services
from shifts.forms import AbsencePeriodForm, CantComeForm
from shifts.models import Assignment, Roster, ShiftExclusion
from shifts.selectors import published_assignments

from .common import member_required

logger = logging.getLogger(__name__)

WEEKS_AHEAD = 4


def _subscribe_context(member) -> dict:
    """The calendar-subscribe partial's context (link, webcal link, QR code) from the feeds package."""
    from shifts.feeds.tokens import member_token
    from shifts.feeds.views import subscribe_context
    return subscribe_context(member_token(member))


def _upcoming(member):
    """The member's published assignments from now for four weeks, each with teammates and any absence."""
    now = timezone.now()
    until = now + dt.timedelta(weeks=WEEKS_AHEAD)
    mine = list(published_assignments(member, now, until))
    team = {}
    for other in (Assignment.objects.filter(roster_id__in={a.roster_id for a in mine},
                                            shift_id__in={a.shift_id for a in mine})
                  .exclude(member=member).select_related("member").order_by("member__name")):
        team.setdefault((other.roster_id, other.shift_id), []).append(other.member)
    absences = list(member.unavailability.filter(end__gt=now, start__lt=until))
    for assignment in mine:
        shift = assignment.shift
        assignment.teammates = team.get((assignment.roster_id, shift.pk), [])
        assignment.reported_absent = any(a.start < shift.end and shift.start < a.end for a in absences)
        assignment.week_start = timezone.localtime(shift.start).date() - dt.timedelta(
            days=timezone.localtime(shift.start).weekday())
    return mine, absences


def _given_up(member):
    """Shifts ahead that the member said they cannot come to, taken off the published roster at once."""
    now = timezone.now()
    return list(ShiftExclusion.objects.filter(member=member, cause=ShiftExclusion.Cause.ABSENT, shift__start__gt=now,
                                              shift__start__lt=now + dt.timedelta(weeks=WEEKS_AHEAD))
                .select_related("shift__duty").order_by("shift__start"))


def _waiting_context(member) -> dict:
    """What waits for the member (the notices and confirmations partial)."""
    from shifts.services.confirmations import confirmations_pending
    from shifts.services.notices import notices_unread
    return {"notices": list(notices_unread(member)), "confirmations": list(confirmations_pending(member))}


@member_required
def my_shifts(request, member):
    assignments, absences = _upcoming(member)
    return render(request, "shifts/my_shifts.html", {
        "member": member, "assignments": assignments, "absences": absences, "given_up": _given_up(member),
        **_subscribe_context(member), **_waiting_context(member),
    })


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
            services.absence_report(member=member, start=shift.start, end=shift.end,
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
            services.absence_report(member=member, start=start, end=end, reason=form.cleaned_data["reason"],
                                    by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Your time away is noted. Shifts in that period will be given to others."))
            return redirect("my_shifts")
    return render(request, "shifts/absence_period.html", {"form": form, "member": member},
                  status=400 if form.errors else 200)


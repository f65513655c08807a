"""A member's own pages, for a phone: the next four weeks, "I can't come", and a period away."""

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler_site.access import member_required
from shifts import services
from shifts.feeds.tokens import member_token
from shifts.feeds.views import subscribe_context
from shifts.forms import AbsencePeriodForm, CantComeForm
from shifts.models import Assignment, Roster
from shifts.readmodels.member_shifts import next_assignment, shift_in_words, shifts_given_up, upcoming_assignments
from shifts.services.confirmations import confirmations_pending
from shifts.services.notices import notices_unread
from volunteers.selectors import community_secretary_phone

logger = logging.getLogger(__name__)


def _subscribe_context(member) -> dict:
    """The calendar-subscribe partial's context (link, webcal link, QR code) from the feeds package."""
    return subscribe_context(member_token(member))


def _waiting_context(member) -> dict:
    """What waits for the member (the notices and confirmations partial)."""
    return {"notices": list(notices_unread(member)), "confirmations": list(confirmations_pending(member))}


@member_required
def my_shifts(request, member):
    assignments, absences = upcoming_assignments(member)
    return render(request, "shifts/my_shifts.html", {
        "member": member, "assignments": assignments, "absences": absences, "given_up": shifts_given_up(member),
        # Why the member is away is health or family information: a relative acting for them sees only when.
        "show_reasons": getattr(request, "acting_proxy", None) is None,
        **_subscribe_context(member), **_waiting_context(member),
    })


@member_required
def member_home(request, member):
    """长辈模式's simplified home: 我的值班, 我来不了 (the next shift), 给书记打电话, and the next shift in words.
    What waits on My shifts (notices, the week to confirm) is counted on its button rather than shown here."""
    upcoming = next_assignment(member)
    waiting = _waiting_context(member)
    return render(request, "shifts/member_home.html", {
        "member": member, "next_assignment": upcoming,
        "waiting": len(waiting["notices"]) + len(waiting["confirmations"]),
        "next_in_words": shift_in_words(upcoming.shift, today=timezone.localdate()) if upcoming else "",
        "secretary_phone": community_secretary_phone(member.community),
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


"""The secretary's "answers by phone" page of a member: one tap each for what the member said on the telephone
(I will come this week; I cannot come to this shift, because…; I am away from … to …), recorded on the member's
behalf and audited as taken by phone (shifts.rostering.phone_answers)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form
from shifts.models import Assignment, Roster, WeekConfirmation
from shifts.rostering.confirmations import confirmations_pending
from shifts.rostering.forms import AbsencePeriodForm
from shifts.rostering.phone_answers import phone_away, phone_cant_come, phone_confirmed
from shifts.rostering.readmodels.member_shifts import upcoming_assignments
from shifts.rostering.readmodels.month_card import card_words
from volunteers.models import Unavailability
from volunteers.selectors import member_for


class PhoneCantComeForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Why not?"), choices=Unavailability.Reason.choices,
                               initial=Unavailability.Reason.ILLNESS)
    note = forms.CharField(label=gettext_lazy("Note (optional)"), max_length=200, required=False)


def _context(request, member, **forms_):
    assignments, _absences = upcoming_assignments(member)
    today = timezone.localdate()
    for assignment in assignments:
        assignment.words = card_words(assignment.shift, today=today)
        assignment.form = PhoneCantComeForm(prefix=f"a{assignment.pk}")
    pending = list(confirmations_pending(member))  # the weeks the member is still asked about, as on My shifts
    context = {"member": member, "assignments": assignments, "pending": pending,
               "away_form": AbsencePeriodForm(prefix="away")}
    context.update(forms_)
    return context


@staff_required
def phone_answers(request, member_id):
    member = member_for(request.user, member_id)
    if request.method != "POST":
        return render(request, "shifts/phone_answers.html", _context(request, member))
    answer = request.POST.get("answer")
    try:
        if answer == "confirmed":
            confirmation = get_object_or_404(WeekConfirmation, pk=request.POST.get("confirmation") or 0,
                                             member=member)
            phone_confirmed(member=member, confirmation=confirmation, by=request.user)
            messages.success(request, _("Noted: %(name)s will come this week (by phone).") % {"name": member.name})
        elif answer == "cant_come":
            assignment = get_object_or_404(
                Assignment.objects.select_related("shift__duty", "roster"), member=member,
                pk=request.POST.get("assignment") or 0, roster__status=Roster.Status.PUBLISHED)
            form = PhoneCantComeForm(request.POST, prefix=f"a{assignment.pk}")
            if not form.is_valid():
                raise ValidationError(" ".join(e for errors in form.errors.values() for e in errors))
            phone_cant_come(member=member, assignment=assignment, by=request.user, **form.cleaned_data)
            messages.success(request, _("Noted: %(name)s cannot come (by phone). The shift is being re-planned.")
                             % {"name": member.name})
        elif answer == "away":
            form = AbsencePeriodForm(request.POST, prefix="away")
            if form.is_valid():
                try:
                    phone_away(member=member, by=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    errors_to_form(form, exc)
            if form.errors:
                return render(request, "shifts/phone_answers.html", _context(request, member, away_form=form),
                              status=400)
            messages.success(request, _("Noted: %(name)s is away (by phone). Shifts in that period will be "
                                        "given to others.") % {"name": member.name})
        else:
            raise ValidationError(_("Choose an answer."))
    except ValidationError as exc:
        context = _context(request, member, error=" ".join(exc.messages))
        return render(request, "shifts/phone_answers.html", context, status=400)
    return redirect("member_phone_answers", member.pk)

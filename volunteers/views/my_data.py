"""A member's own details: see everything Yure holds about them, and correct contact and caregiving times."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from scheduler_site.forms import errors_to_form
from volunteers.models import Member
from volunteers.selectors import community_secretary_phone, member_of, member_sensitive_details
from volunteers.services.self_service import member_update_own_details
from volunteers.signals import my_details_sections

from ..rule_text import caregiving_in_words


class OwnDetailsForm(forms.Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=Member.Language.choices)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    member = member_of(request.user)
    if member is None:
        raise Http404
    details = member_sensitive_details(user=request.user, member=member)
    # Shown as the member knows it (138 0000 0001), stored as E.164.
    phone = member.phone.as_national if member.phone and member.phone.is_valid() else str(member.phone or "")
    initial = {"phone": phone, "email": member.email, "language": member.language}
    form = OwnDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            member_update_own_details(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved. Thank you."))
            return redirect("my_data")
    return render(request, "volunteers/my_data.html", {
        "member": member, "form": form, "health": member.get_health_display(),
        "skills": [s.name for s in member.skills.all()], "households": details["households"],
        # Whom to ask about a wrong name, birth date or health: the secretary's phone (or the community's).
        "secretary_phone": community_secretary_phone(member.community),
        "caregiving": [caregiving_in_words(window) for window in member.caregiving.all()],
        # What other apps add (shifts: hours and stars), through volunteers.signals.my_details_sections.
        "sections": [html for _, html in my_details_sections.send(sender=Member, request=request, member=member)
                     if html],
    }, status=400 if form.is_bound and form.errors else 200)

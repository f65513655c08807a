"""The secretary's member list (search and filters) and profile editor (limits, skills, preferences,
caregiving windows, absences), which shows in words the rules each setting creates.

These pages are about people as the rosters see them (fit for a duty, hours this month, absences that re-plan),
so they live in shifts, which may read volunteers; volunteers knows nothing of rosters."""

import datetime as dt
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form
from shifts.models import Duty
from shifts.rostering.absences import absence_report
from shifts.rostering.load import member_month_minutes
from shifts.rostering.rules import members_fit_for
from shifts.weeks import week_start_of
from volunteers.calendars import school_week
from volunteers.forms import CaregivingForm, MemberFilterForm, MemberProfileForm, StaffAbsenceForm
from volunteers.rule_text import caregiving_in_words, member_rules
from volunteers.selectors import (
    can_see_sensitive,
    communities_for,
    member_for,
    members_for,
    sensitive_community_ids,
)
from volunteers.services.audit import audit_log
from volunteers.services.members import caregiving_add, caregiving_remove, member_update_profile, unavailability_remove

logger = logging.getLogger(__name__)
PAGE_SIZE = 50
HEAVY_MINUTES = 8 * 60


def _duties() -> list[Duty]:
    return list(Duty.objects.order_by("code"))


def _birth_range(band: str) -> Q:
    """Members whose age today lies in the band '70-74', '-64' or '80-'."""
    today = timezone.localdate()
    low, _sep, high = band.partition("-")
    query = Q()
    if low:  # at least `low` years old: born on or before today minus low years
        query &= Q(birth_date__lte=_years_ago(today, int(low)))
    if high:  # at most `high`: born after today minus (high + 1) years
        query &= Q(birth_date__gt=_years_ago(today, int(high) + 1))
    return query


def _years_ago(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


@staff_required
def member_list(request):
    communities = list(communities_for(request.user).order_by("name"))
    duties = _duties()
    form = MemberFilterForm(request.GET or None, communities=communities, duties=duties)
    members = members_for(request.user).select_related("community").prefetch_related("skills").order_by("name")
    load_band = ""
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            members = members.filter(Q(name__icontains=data["q"]) | Q(phone__icontains=data["q"]))
        if data["community"]:
            members = members.filter(community_id=data["community"])
        if data["age"]:
            members = members.filter(_birth_range(data["age"]))
        load_band = data["load"]
    members = list(members)
    if form.is_valid() and form.cleaned_data["duty"]:
        duty = next(d for d in duties if d.code == form.cleaned_data["duty"])
        members = members_fit_for(duty, members, day=timezone.localdate(),
                                  health_visible=set(sensitive_community_ids(request.user)))
    minutes = member_month_minutes([m.pk for m in members])
    today = timezone.localdate()
    for member in members:
        member.month_minutes = minutes.get(member.pk, 0)
        member.month_hours = round(member.month_minutes / 60, 1)
        member.age = member.age_on(today)
    if load_band == "none":
        members = [m for m in members if not m.month_minutes]
    elif load_band == "light":
        members = [m for m in members if 0 < m.month_minutes < HEAVY_MINUTES]
    elif load_band == "heavy":
        members = [m for m in members if m.month_minutes >= HEAVY_MINUTES]
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "volunteers/member_list.html", {
        "form": form, "page": page, "total": len(members), "query": query.urlencode()})


def _editor_context(request, member, **forms_):
    sensitive = can_see_sensitive(request.user, member)
    duties = _duties()
    caregiving = list(member.caregiving.all()) if sensitive else []
    for window in caregiving:
        window.in_words = caregiving_in_words(window)
    absences = list(member.unavailability.filter(end__gt=timezone.now()).order_by("start"))
    if sensitive:
        audit_log(action="volunteers.member.sensitive_viewed", actor=request.user, community=member.community,
                  obj=member, data={"page": "profile"})
    context = {
        "member": member, "sensitive": sensitive, "caregiving": caregiving, "absences": absences,
        "rules": member_rules(member, sensitive=sensitive, duty_names={d.code: d.name for d in duties},
                              caregiving=caregiving, absences=absences,
                              school_week=school_week(member.community.district,
                                                      week_start_of(timezone.localdate()))),
        "profile_form": MemberProfileForm(member=member, duties=duties, sensitive=sensitive),
        "caregiving_form": CaregivingForm(), "absence_form": StaffAbsenceForm(),
        "age": member.age_on(timezone.localdate()),
    }
    context.update(forms_)
    return context


@staff_required
def member_edit(request, member_id):
    member = member_for(request.user, member_id)
    if request.method != "POST":
        return render(request, "volunteers/member_edit.html", _editor_context(request, member))
    duties = _duties()
    form = MemberProfileForm(request.POST, member=member, duties=duties,
                             sensitive=can_see_sensitive(request.user, member))
    if form.is_valid():
        try:
            member_update_profile(member=member, by=request.user, **form.changes())
        except ValidationError as exc:  # a limit kept in minutes is typed in hours: its error goes on that field
            errors_to_form(form, exc, shown_as={minutes: hours for hours, minutes in form.MINUTE_LIMITS.items()})
        else:
            messages.success(request, _("Saved. The rules below are what the next roster will respect."))
            return redirect("member_edit", member.pk)
        member.refresh_from_db()
    return render(request, "volunteers/member_edit.html", _editor_context(request, member, profile_form=form),
                  status=400)




def _sensitive_member(request, member_id):
    member = member_for(request.user, member_id)
    if not can_see_sensitive(request.user, member):
        raise Http404
    return member


@staff_required
@require_POST
def caregiving_create(request, member_id):
    member = _sensitive_member(request, member_id)
    form = CaregivingForm(request.POST)
    return _editor_post(request, member, form, form_name="caregiving_form", done=_("Caregiving time added."),
                        save=lambda: caregiving_add(member=member, by=request.user, **form.window()))


def _editor_post(request, member, form, *, form_name: str, done: str, save):
    """A form posted from the member's editor: when it is valid, save() and back to the editor saying `done`;
    otherwise (or when the service refuses) the editor again with the form's errors."""
    if form.is_valid():
        try:
            save()
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, done)
            return redirect("member_edit", member.pk)
    return render(request, "volunteers/member_edit.html", _editor_context(request, member, **{form_name: form}),
                  status=400)


@staff_required
@require_POST
def caregiving_delete(request, member_id, window_id):
    member = _sensitive_member(request, member_id)
    window = get_object_or_404(member.caregiving, pk=window_id)
    caregiving_remove(window=window, by=request.user)
    messages.success(request, _("Caregiving time removed."))
    return redirect("member_edit", member.pk)


@staff_required
@require_POST
def absence_create(request, member_id):
    member = member_for(request.user, member_id)
    form = StaffAbsenceForm(request.POST)

    def save():
        data = form.cleaned_data
        absence_report(member=member, start=data["start"], end=data["end"], reason=data["reason"],
                       note=data["note"].strip(), by=request.user)

    return _editor_post(request, member, form, form_name="absence_form",
                        done=_("Absence recorded. Affected shifts are being re-planned."), save=save)


@staff_required
@require_POST
def absence_delete(request, member_id, absence_id):
    member = member_for(request.user, member_id)
    absence = get_object_or_404(member.unavailability, pk=absence_id)
    unavailability_remove(absence=absence, by=request.user)
    messages.success(request, _("Absence withdrawn."))
    return redirect("member_edit", member.pk)

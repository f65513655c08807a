"""The secretary's set-up pages: the community's duties, weekly shifts, visit households, one new member, and one
shift of a published week. One thing at a time, each with a list, a form and a confirmation page before deleting.

Everything is fetched through the scoping selectors: another community's objects answer 404.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form
from shifts.models import Duty, Roster
from shifts.models.duties import is_visit
from shifts.rostering import setup as services
from shifts.rostering.forms import DutyForm, MemberAddForm, ShiftEditForm, TemplateForm, VisitTargetForm
from shifts.scope import shift_for, template_for
from shifts.weeks import week_start_of
from volunteers.selectors import (
    can_see_sensitive_in,
    communities_for,
    community_for,
    is_district_admin,
    visit_target_for,
)

SETUP = "shifts/setup/"




def _render_form(request, community, form, *, title, back, status=200, **extra):
    return render(request, SETUP + "form.html", {"community": community, "form": form, "title": title,
                                                 "back": reverse(back[0], args=back[1:]), **extra},
                  status=400 if form.is_bound and form.errors else status)


def _tell_follow(request, report: services.FollowReport) -> None:
    """Say on the next page what the change did to the weeks not yet published: which draft places went, which
    kept places now break a rule, and that the drafts are planned again."""
    if report.dropped:
        messages.warning(request, ngettext("%(count)d place in the draft went with a shift that no longer runs:",
                                           "%(count)d places in the draft went with the shifts that no longer run:",
                                           len(report.dropped)) % {"count": len(report.dropped)})
        for line in report.dropped:
            messages.warning(request, line)
    if report.conflicts:
        messages.warning(request, _("These people stay on their changed shifts but now break a rule. The week's "
                                    "page marks them, and publishing asks about them first:"))
        for line in report.conflicts:
            messages.warning(request, line)
    for week in report.held:
        messages.warning(request, _("The draft of the week of %(week)s is not planned again yet, because a pinned "
                                    "place above now breaks a rule. Unpin or take off those people on the week's "
                                    "page, then press “%(button)s”.")
                         % {"week": date_format(week, "MONTH_DAY_FORMAT"), "button": _("Re-solve (keeps pinned)")})
    if report.runs:
        messages.info(request, _("The draft is being planned again so the other places follow the new times; "
                                 "pinned places stay."))


def _save_form(request, form, *, save, done, go):
    """On a valid POST: ``save()`` through the service, say ``done`` on the next page (and, when it returns a
    FollowReport, what the change did to the weeks not yet published) and answer with the redirect to ``go`` (a
    URL name and its arguments). ``done`` and ``go`` may be functions of what save() returned. None when there is
    nothing to save or the service refused (its errors are then on the form's fields)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = save()
    except ValidationError as exc:
        errors_to_form(form, exc)
        return None
    messages.success(request, done(result) if callable(done) else done)
    if isinstance(result, services.FollowReport):
        _tell_follow(request, result)
    return redirect(*(go(result) if callable(go) else go))


def _delete_page(request, community, *, delete, done: str, title, question, back, places=None):
    """The confirmation page before deleting (`question`, and the draft places ``places()`` names); on POST, run
    ``delete()``, go `back` and say there how it went: its refusal, or ``done`` and (for a delete that returns a
    FollowReport) what it did to the weeks not yet published."""
    if request.method == "POST":
        try:
            report = delete()
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, done)
            if report is not None:
                _tell_follow(request, report)
        return redirect(*back)
    return render(request, SETUP + "confirm_delete.html", {"community": community, "title": title,
                                                           "question": question,
                                                           "places": places() if places else (),
                                                           "back": reverse(back[0], args=back[1:])})


@staff_required
def setup_home(request, community_id=None):
    communities = list(communities_for(request.user).order_by("name"))
    if community_id is None and len(communities) == 1:
        return redirect("setup_community", communities[0].pk)
    community = community_for(request.user, community_id) if community_id is not None else None
    context = {"communities": communities, "community": community}
    if community is not None:
        private = can_see_sensitive_in(request.user, community)
        templates = list(community.templates.select_related("duty", "visit_target").order_by("weekday", "start"))
        for template in templates:
            _label_template(template, private=private)
        context.update(templates=templates,
                       households=community.visit_targets.order_by("household") if private else None)
    return render(request, SETUP + "home.html", context)


def _label_template(template, *, private: bool) -> None:
    """A weekly visit's name and meeting point say whose home it is ("探访谢家", the household's door): the
    community's own staff read them and may change the visit; anyone else reads "入户探访"."""
    visit = is_visit(template)
    template.editable = private or not visit
    if visit and not private:
        template.shown_name, template.shown_location = _("Home visit"), ""
    else:
        template.shown_name, template.shown_location = template.name or template.duty.display_name, template.location


# ------------------------------------------------------------------ duties (shared by all communities)

def _duty_for(request, community, duty_id) -> Duty:
    duty = Duty.objects.filter(pk=duty_id).exclude(code="study").first()
    if duty is None or not _may_edit_duty(request, duty):
        raise Http404
    return duty


def _may_edit_duty(request, duty) -> bool:
    return is_district_admin(request.user) or services.duty_editable_by(
        duty=duty, communities=communities_for(request.user))


@staff_required
def duty_list(request, community_id):
    community = community_for(request.user, community_id)
    duties = list(Duty.objects.exclude(code="study").prefetch_related("required_skills").order_by("name"))
    for duty in duties:
        duty.editable = _may_edit_duty(request, duty)
    return render(request, SETUP + "duties.html", {"community": community, "duties": duties})


@staff_required
def duty_edit(request, community_id, duty_id=None):
    community = community_for(request.user, community_id)
    duty = _duty_for(request, community, duty_id) if duty_id else Duty()
    form = DutyForm(request.POST or None, instance=duty)
    saved = _save_form(request, form, done=_("Duty saved."), go=("setup_duties", community.pk),
                       save=lambda: services.duty_save(duty=form.save(commit=False), by=request.user,
                                                       community=community,
                                                       required_skills=form.cleaned_data["required_skills"]))
    return saved or _render_form(request, community, form, back=("setup_duties", community.pk),
                                 title=_("Change duty") if duty.pk else _("New duty"))


@staff_required
def duty_delete(request, community_id, duty_id):
    community = community_for(request.user, community_id)
    duty = _duty_for(request, community, duty_id)
    return _delete_page(request, community, title=_("Delete duty"), back=("setup_duties", community.pk),
                        delete=lambda: services.duty_delete(duty=duty, by=request.user, community=community),
                        done=_("Duty deleted."),
                        question=_("Delete the duty “%(name)s”? This cannot be undone.") % {"name": duty.name})


# ------------------------------------------------------------------ weekly shifts

def _template_in(request, community, template_id):
    template = template_for(request.user, template_id)
    if template.community_id != community.pk:
        raise Http404
    if is_visit(template) and not can_see_sensitive_in(request.user, community):
        raise Http404  # a weekly visit names its household: the community's own staff change it
    return template


@staff_required
def template_edit(request, community_id, template_id=None):
    community = community_for(request.user, community_id)
    template = _template_in(request, community, template_id) if template_id else None
    form = TemplateForm(request.POST or None, instance=template, community=community,
                        households_visible=can_see_sensitive_in(request.user, community))
    saved = _save_form(request, form, go=("setup_community", community.pk),
                       save=lambda: services.template_save(template=form.save(commit=False), by=request.user),
                       done=_("Weekly shift saved. Weeks not yet published follow it; a published week keeps its "
                              "shifts (change one of them on the week's page)."))
    return saved or _render_form(request, community, form, back=("setup_community", community.pk),
                                 title=_("Change weekly shift") if template else _("New weekly shift"),
                                 published_shifts=services.template_published_shifts(template) if template else ())


@staff_required
def template_delete(request, community_id, template_id):
    community = community_for(request.user, community_id)
    template = _template_in(request, community, template_id)
    return _delete_page(request, community, title=_("Delete weekly shift"), back=("setup_community", community.pk),
                        delete=lambda: services.template_delete(template=template, by=request.user),
                        done=_("Weekly shift deleted."),
                        places=lambda: services.template_draft_places(template, by=request.user),
                        question=_("Delete the weekly shift “%(name)s”? Weeks not yet published lose it; "
                                   "published weeks keep theirs.") % {"name": str(template)})


# ------------------------------------------------------------------ visit households (sensitive)

def _sensitive_community(request, community_id):
    community = community_for(request.user, community_id)
    if not can_see_sensitive_in(request.user, community):
        raise Http404
    return community


def _household_in(request, community, target_id):
    target = visit_target_for(request.user, target_id)
    if target.community_id != community.pk:
        raise Http404
    return target


@staff_required
def household_edit(request, community_id, target_id=None):
    community = _sensitive_community(request, community_id)
    target = _household_in(request, community, target_id) if target_id else None
    form = VisitTargetForm(request.POST or None, instance=target, community=community)
    saved = _save_form(request, form, done=_("Household saved."), go=("setup_community", community.pk),
                       save=lambda: services.visit_target_save(
                           target=form.save(commit=False), by=request.user,
                           preferred_visitors=form.cleaned_data["preferred_visitors"]))
    return saved or _render_form(request, community, form, back=("setup_community", community.pk),
                                 title=_("Change household") if target else _("New household"))


@staff_required
def household_delete(request, community_id, target_id):
    community = _sensitive_community(request, community_id)
    target = _household_in(request, community, target_id)
    return _delete_page(request, community, title=_("Delete household"), back=("setup_community", community.pk),
                        delete=lambda: services.visit_target_delete(target=target, by=request.user),
                        done=_("Household deleted."),
                        places=lambda: services.household_draft_places(target, by=request.user),
                        question=_("Delete the household “%(name)s” and its visits in weeks not yet published? To "
                                   "stop visits for a while, untick “Visited” on its page instead.")
                        % {"name": target.household})


# ------------------------------------------------------------------ one new member

@staff_required
def member_add(request, community_id):
    community = community_for(request.user, community_id)
    form = MemberAddForm(request.POST or None, community=community)
    saved = _save_form(request, form, go=lambda member: ("member_edit", member.pk),
                       save=lambda: services.member_add(member=form.save(commit=False), by=request.user,
                                                        skills=form.cleaned_data["skills"]),
                       done=lambda member: _("%(name)s added. Set their limits and preferences below.")
                       % {"name": member.name})
    return saved or _render_form(request, community, form, back=("setup_community", community.pk),
                                 title=_("Add one member"))


# ------------------------------------------------------------------ one shift of a published week

@staff_required
def shift_edit(request, community_id, shift_id):
    community = community_for(request.user, community_id)
    shift = shift_for(request.user, shift_id)
    if shift.community_id != community.pk or shift.start <= timezone.now():
        raise Http404
    form = ShiftEditForm(request.POST or None, instance=shift)

    def save():
        data = form.cleaned_data
        return services.shift_edit(shift=shift, by=request.user, start=data["start"], end=data["end"],
                                   location=data["location"], min_staff=data["min_staff"],
                                   max_staff=data["max_staff"])

    saved = _save_form(request, form, save=save,
                       done=_("Shift changed. Members on it see the new details in their calendars."),
                       go=lambda changed: ("roster_week", community.pk, week_start_of(changed.start).isoformat()))
    if saved:
        return saved
    week = week_start_of(shift.start)
    published = Roster.objects.filter(community=community, week_start=week, status=Roster.Status.PUBLISHED).exists()
    return _render_form(request, community, form, back=("roster_week", community.pk, week.isoformat()),
                        title=_("Change one shift"), shift=shift, published=published)

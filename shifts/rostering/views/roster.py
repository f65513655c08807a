"""The secretary's week grid: who is on which shift, hand edits, solving and publishing.

Views parse the request, call one lifecycle service (shifts.services) and redirect back to the grid; the rules for
what is allowed live in those services and in the solver's checker, never here.
"""

import datetime as dt
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler_site.access import staff_required
from scheduler_site.forms import errors_to_form
from shifts.messaging.labels import shift_title
from shifts.models import Assignment, Roster, Shift, SolveRun
from shifts.models.duties import is_visit
from shifts.rostering import repair, review
from shifts.rostering import rosters as roster_services
from shifts.rostering.affected import proposal_affected
from shifts.rostering.cover.selectors import cover_badges
from shifts.rostering.forms import AddMemberForm, RemoveAssignmentForm
from shifts.rostering.readmodels.candidates import candidate_view
from shifts.rostering.readmodels.week_grid import build_week, roster_changes, rosters_for_week, staffing_problems
from shifts.rostering.rosters import PublishConflicts, conflict_lines
from shifts.rostering.rules import roster_conflicts, roster_rule_breaks
from shifts.rostering.views.common import (
    redact_candidate_reasons,
    redact_roster_reasons,
    redact_week,
    week_bounds,
    week_from_url,
)
from volunteers.calendars import school_week, years_estimated
from volunteers.rule_text import school_week_in_words
from volunteers.selectors import communities_for, community_for, sensitive_community_ids

logger = logging.getLogger(__name__)


def _week_url(community, week_start, anchor: str = "", status: str = "") -> str:
    url = reverse("roster_week", args=[community.pk, week_start.isoformat()])
    if status:
        url += f"?show={status}"
    return url + (f"#{anchor}" if anchor else "")


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@staff_required
def roster_week(request, community_id, week):
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    view = build_week(community, week_start, request.GET.get("show"))
    _attach_urls(view)
    _label_visits(view, private=community.pk in sensitive_community_ids(request.user))
    badges = cover_badges([cell.shift.pk for cell in view.cells])  # a call-down on a shift: its badge
    for cell in view.cells:
        cell.cover = badges.get(cell.shift.pk)
    redact_roster_reasons(request.user, [view.roster])
    redact_week(request.user, view)
    context = {
        "week": view, "community": community, "week_start": week_start,
        "prev_week": week_start - dt.timedelta(days=7), "next_week": week_start + dt.timedelta(days=7),
        "communities": communities_for(request.user),
        "remove_form": RemoveAssignmentForm(),
        # What the calendar does to this week: estimated holiday dates, and school runs that do not hold.
        "estimated_years": years_estimated(week_start, week_start + dt.timedelta(days=7)),
        "school_notes": school_week_in_words(school_week(community.district, week_start)),
    }
    if view.roster is not None and view.roster.status == Roster.Status.PROPOSAL:
        context["proposal_diff"] = roster_changes(view.roster, view.rosters.get(Roster.Status.PUBLISHED))
        context["proposal_staffing"] = staffing_problems(view.cells)
        # Who adopting it tells what: the same reading the messages sent after adopting use.
        private = community.pk in sensitive_community_ids(request.user)
        context["proposal_told"] = [{"name": person.member.name, "lines": person.lines(private=private),
                                     "confirm": person.asked_to_confirm}
                                    for person in proposal_affected(view.roster)]
    replaced = (view.roster.cause or {}).get("replaced_draft") if view.roster is not None else None
    if view.roster is not None and view.roster.status == Roster.Status.DRAFT and replaced:
        # solved again because a fact changed: what changed against the draft the secretary was reviewing
        before = Roster.objects.filter(pk=replaced, community=community).first()
        if before is not None:
            context["draft_diff"] = roster_changes(view.roster, before)
    return render(request, "shifts/roster_week.html", context)


def _attach_urls(view) -> None:
    """Each button's URL, made from one reversed pattern per action: reversing ~200 URLs per page dominated the
    render time of a 100-member week."""
    def maker(name, *args):
        template = reverse(name, args=[*args, 987654321])
        return lambda pk: template.replace("987654321", str(pk))

    pin, remove = maker("assignment_pin"), maker("assignment_remove")
    candidates = maker("shift_candidates", view.roster.pk) if view.roster else None
    # One published shift is changed where it is seen (its time, place, numbers): the staff-only edit page.
    published = view.roster is not None and view.roster.status == Roster.Status.PUBLISHED
    edit, now = maker("setup_shift_edit", view.community.pk), timezone.now()
    for cell in view.cells:
        cell.candidates_url = candidates(cell.shift.pk) if candidates else ""
        cell.edit_url = edit(cell.shift.pk) if published and cell.shift.start > now and not cell.is_gathering else ""
        for assignment in cell.assignments:
            assignment.pin_url, assignment.remove_url = pin(assignment.pk), remove(assignment.pk)


def _label_visits(view, *, private: bool) -> None:
    """A home visit shows its household ("谢家（和平街1号）") to staff of its own community only; others see
    the street alone, as before. Printouts and feeds never get this label."""
    for cell in view.cells:
        cell.visit_label = shift_title(cell.shift, private=True) if private and is_visit(cell.shift) else ""


@staff_required
@require_POST
def roster_generate(request, community_id, week):
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    kind = "resolve" if request.POST.get("kind") == "resolve" else "generate"
    try:
        roster_services.roster_generate(community=community, week_start=week_start, by=request.user, kind=kind)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("The optimizer is working on the week. This page shows its progress."))
    return redirect(_week_url(community, week_start))


@staff_required
def solve_progress(request, run_id):
    """htmx partial polled every second while a run is queued or running; reloads the page when it ends."""
    run = get_object_or_404(SolveRun.objects.select_related("community"), pk=run_id,
                            community__in=communities_for(request.user))
    finished = run.status in (SolveRun.Status.SUCCEEDED, SolveRun.Status.FAILED)
    response = render(request, "shifts/partials/solve_progress.html", {"run": run, "finished": finished})
    if finished and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@staff_required
def roster_publish(request, community_id, week):
    """The preview of what publishing changes; publishing refuses bookings against what people told us, unless
    the secretary gives a reason (audited)."""
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    rosters = rosters_for_week(community, week_start)
    draft = rosters.get(Roster.Status.DRAFT)
    if draft is None:
        messages.error(request, _("There is no draft for this week to publish. Generate one first."))
        return redirect(_week_url(community, week_start))
    conflicts, status = [], 200
    override_reason = request.POST.get("override_reason", "").strip()[:300]
    if request.method == "POST":
        try:
            roster_services.roster_publish(roster=draft, by=request.user, override_reason=override_reason)
        except PublishConflicts as exc:
            conflicts, status = exc.lines, 409
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(_week_url(community, week_start))
        else:
            messages.success(request, _("The roster is published. Members see it in their calendars."))
            return redirect(_week_url(community, week_start, status=Roster.Status.PUBLISHED))
    else:
        conflicts = conflict_lines(draft, roster_conflicts(draft), roster_rule_breaks(draft), reader=request.user)
    context = {"community": community, "week_start": week_start, "draft": draft,
               "published": rosters.get(Roster.Status.PUBLISHED), "conflicts": conflicts,
               "override_asked": request.method == "POST" and "override" in request.POST,
               "diff": roster_changes(draft, rosters.get(Roster.Status.PUBLISHED))}
    return render(request, "shifts/roster_publish.html", context, status=status)


def _scoped_assignment(request, assignment_id) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("roster__community", "shift", "member"),
                             pk=assignment_id, roster__community__in=communities_for(request.user))


@staff_required
@require_POST
def assignment_pin(request, assignment_id):
    assignment = _scoped_assignment(request, assignment_id)
    pinned = request.POST.get("pinned") == "1"
    try:
        review.assignment_pin(roster=assignment.roster, shift=assignment.shift, member=assignment.member,
                                pinned=pinned, by=request.user)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(_back_to_week(assignment))


def _back_to_week(assignment: Assignment) -> str:
    """The week page at the shift: the version acted on while it is open, else the week's current version (the
    page was made from a draft or proposal solved again since: the message says so)."""
    roster = assignment.roster
    status = roster.status if roster.status in Roster.EDITABLE else ""
    return _week_url(roster.community, roster.week_start, f"shift-{assignment.shift_id}", status)


@staff_required
@require_POST
def assignment_remove(request, assignment_id):
    assignment = _scoped_assignment(request, assignment_id)
    roster = assignment.roster
    form = RemoveAssignmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason of at most 300 characters."))
    else:
        try:
            review.assignment_remove(roster=roster, shift=assignment.shift, member=assignment.member,
                                       by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, _("%(name)s was taken off the shift.") % {"name": assignment.member.name})
    return redirect(_back_to_week(assignment))


def _scoped_shift_and_roster(request, roster_id, shift_id):
    roster = get_object_or_404(Roster.objects.select_related("community"), pk=roster_id,
                               community__in=communities_for(request.user))
    start, end = week_bounds(roster.week_start)
    shift = get_object_or_404(Shift.objects.select_related("duty"), pk=shift_id, community=roster.community,
                              start__gte=start, start__lt=end)
    return roster, shift


def _stale(request, roster: Roster, shift: Shift):
    """A 谁能接？ page of a version solved again (or published) since it was opened: say so in words, with the
    way back to the week and, when the week has an open version, to 谁能接？ there (HTTP 409, not a raw 404)."""
    current = rosters_for_week(roster.community, roster.week_start)
    open_version = current.get(Roster.Status.DRAFT) or current.get(Roster.Status.PROPOSAL)
    try:
        roster_services.roster_check_editable(roster)
    except ValidationError as exc:
        text = _error_text(exc)
    return render(request, "shifts/roster_stale.html", {
        "text": text, "week_url": _week_url(roster.community, roster.week_start, f"shift-{shift.pk}"),
        "candidates_url": reverse("shift_candidates", args=[open_version.pk, shift.pk]) if open_version else "",
        "community": roster.community, "week_start": roster.week_start}, status=409)


@staff_required
def shift_candidates(request, roster_id, shift_id):
    """谁能接？: the best ten (members who keep every rule first, lightest load first) with why, and a name search
    that finds anyone serving the community, with why they can or cannot."""
    roster, shift = _scoped_shift_and_roster(request, roster_id, shift_id)
    if roster.status not in Roster.EDITABLE:
        return _stale(request, roster, shift)
    view = candidate_view(roster=roster, shift=shift, query=request.GET.get("q", ""))
    redact_candidate_reasons(request.user, view.ranked)
    return render(request, "shifts/candidates_page.html", {"roster": roster, "shift": shift, "view": view,
                                                           "form": AddMemberForm(candidates=view.ranked)})


@staff_required
@require_POST
def shift_add_member(request, roster_id, shift_id):
    roster, shift = _scoped_shift_and_roster(request, roster_id, shift_id)
    if roster.status not in Roster.EDITABLE:
        return _stale(request, roster, shift)
    view = candidate_view(roster=roster, shift=shift, query=request.POST.get("q", ""))
    redact_candidate_reasons(request.user, view.ranked)
    form = AddMemberForm(request.POST, candidates=view.ranked)
    if form.is_valid():
        try:
            review.assignment_add(roster=roster, shift=shift, member=form.cleaned_data["member"], by=request.user,
                                    override_reason=form.cleaned_data["override_reason"])
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            name = form.cleaned_data["member"].name
            messages.success(request, _("%(name)s was added to the shift.") % {"name": name})
            return redirect(_week_url(roster.community, roster.week_start, f"shift-{shift.pk}", roster.status))
    chosen = form.cleaned_data.get("member")
    return render(request, "shifts/candidates_page.html",
                  {"roster": roster, "shift": shift, "view": view, "form": form,
                   "chosen_pk": chosen.pk if chosen else None}, status=400)


@staff_required
@require_POST
def proposal_decide(request, roster_id):
    # Not only open proposals: one applied or made again since the page was opened is refused in words below.
    roster = get_object_or_404(Roster.objects.select_related("community"), pk=roster_id,
                               community__in=communities_for(request.user))
    decision = request.POST.get("decision")
    if decision not in ("apply", "discard"):
        raise Http404
    try:
        if decision == "apply":
            repair.proposal_apply(roster=roster, by=request.user)
            messages.success(request, _("The re-plan is published and the members affected are told."))
        else:
            repair.proposal_discard(roster=roster, by=request.user)
            messages.success(request, _("The re-plan was discarded; the published roster stays as it was."))
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect(_week_url(roster.community, roster.week_start))

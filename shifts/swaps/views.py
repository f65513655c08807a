"""Swap pages: a member offers, trades or asks cover for a shift and answers colleagues' requests; the
secretary approves or declines accepted swaps. Views parse input, call one service and render."""

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from scheduler_site.access import member_required
from shifts.messaging.labels import shift_label
from shifts.models import Assignment, Roster, SwapRequest
from shifts.swaps import requests as swap_requests
from shifts.swaps import rules as swap_rules
from shifts.swaps import selectors as swap_reads
from shifts.swaps.rules import SwapError, SwapRefused
from volunteers.models import Member
from volunteers.selectors import is_staff_member, sensitive_community_ids

logger = logging.getLogger(__name__)

Kind = SwapRequest.Kind

EXPIRY_LABELS = {
    0: gettext_lazy("When the shift starts"),
    120: gettext_lazy("2 hours before it starts"),
    24 * 60: gettext_lazy("1 day before it starts"),
    48 * 60: gettext_lazy("2 days before it starts"),
}
KIND_HELP = {
    Kind.GIVE_AWAY: gettext_lazy("Anyone who can take it under the roster rules may say yes."),
    Kind.COVER: gettext_lazy("Only the colleagues you choose are asked."),
    Kind.DIRECT: gettext_lazy("You take one of a colleague's shifts, and they take yours."),
}


class _Choice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return self.labels.get(obj.pk, str(obj))


class _MultiChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return self.labels.get(obj.pk, str(obj))


class SwapForm(forms.Form):
    """One form for the three kinds; the kind decides which of invited / counterpart is shown and required."""

    expires = forms.TypedChoiceField(label=gettext_lazy("Stop asking"), coerce=int,
                                     choices=list(EXPIRY_LABELS.items()), initial=0, widget=forms.RadioSelect)
    note = forms.CharField(label=gettext_lazy("A note for your colleagues (optional)"), required=False,
                           max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind, report=None, options=(), teammates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        invalid = _("That choice is no longer on the list; please choose again.")
        if kind == Kind.COVER:
            candidates = report.candidates if report else []
            field = _MultiChoice(label=gettext_lazy("Whom to ask"), widget=forms.CheckboxSelectMultiple,
                                 queryset=Member.objects.filter(pk__in=[c.member.pk for c in candidates]),
                                 error_messages={"invalid_choice": invalid, "required":
                                                 _("Choose at least one colleague to ask.")})
            teammates = teammates or {}
            field.labels = {c.member.pk: _candidate_label(c, teammates.get(c.member.pk, 0)) for c in candidates}
            # The member's usual teammates first (most shared shifts), then the ranking: lightest load first.
            order = [c.member.pk for c in sorted(candidates, key=lambda c: -teammates.get(c.member.pk, 0))]
            field.choices = [(pk, field.labels[pk]) for pk in order]
            self.teammate_count = sum(1 for pk in order if teammates.get(pk))
            self.fields["invited"] = field
        elif kind == Kind.DIRECT:
            field = _Choice(label=gettext_lazy("Which shift you would take in return"), widget=forms.RadioSelect,
                            queryset=Assignment.objects.filter(pk__in=[o.assignment.pk for o in options]),
                            empty_label=None,
                            error_messages={"invalid_choice": invalid,
                                            "required": _("Choose the colleague's shift you would take in return.")})
            field.labels = {o.assignment.pk: f"{o.member.name} · {o.label}" for o in options}
            field.choices = [(o.assignment.pk, field.labels[o.assignment.pk]) for o in options]
            self.fields["counterpart"] = field


def _candidate_label(candidate, together: int = 0) -> str:
    if candidate.shifts == 0:
        label = _("%(name)s · no other shifts this week") % {"name": candidate.member.name}
    else:
        label = _("%(name)s · %(count)d shifts (%(hours)g h) this week") % {
            "name": candidate.member.name, "count": candidate.shifts, "hours": candidate.hours}
    if together:
        label += " · " + _("often on shifts with you")
    return label


# The cover form shows this many colleagues at first (usual teammates first); the others are found by the search
# box (a plain GET filter; yure.js filters as one types) or by "show everyone".
COVER_SHOWN = 10


def _error(request, message, status=400):
    return render(request, "shifts/swaps/error.html", {"message": message}, status=status)


# ------------------------------------------------------------------------------------------- member pages

@member_required
def swap_home(request, member):
    pending_ids = set(SwapRequest.objects.filter(state__in=swap_rules.PENDING, assignment__member=member)
                      .values_list("assignment_id", flat=True))
    shifts = [{"assignment": a, "label": shift_label(a.shift, private=True), "pending": a.pk in pending_ids}
              for a in swap_reads.swappable_assignments(member=member)]
    mine = list(swap_reads.swaps_of_member(member=member)[:30])
    offers = swap_reads.swap_offers_for(member=member)
    return render(request, "shifts/swaps/home.html", {
        "member": member, "shifts": shifts, "offers": [_row(s, member) for s in offers],
        "pending": [_row(s, member) for s in mine if s.state in swap_rules.PENDING],
        "history": [_row(s, member) for s in mine if s.state in swap_rules.CLOSED][:15],
        "limit": swap_requests.MAX_OPEN_REQUESTS,
    })


def _row(swap, member=None, *, staff_of=frozenset()) -> dict:
    """A swap for a page. A home visit's household shows only to its visitor (the member whose assignment it
    is) and to staff of its community (staff_of: their community ids); others read 入户探访."""
    def label(assignment):
        if assignment is None:
            return ""
        own = member is not None and assignment.member_id == member.pk
        return shift_label(assignment.shift, private=own or assignment.shift.community_id in staff_of)

    return {
        "swap": swap, "shift": label(swap.assignment if swap.assignment_id else None),
        "counterpart": label(swap.counterpart_assignment if swap.counterpart_assignment_id else None),
        "mine": member is not None and swap.requester_id == member.pk,
        "can_decline": member is not None and swap.kind != Kind.GIVE_AWAY and swap.requester_id != member.pk,
    }


def _own_assignment(member, pk):
    """(assignment, "", 200), or (None, a clear error, its status): not theirs (404), a closed week or a shift
    that has started (400)."""
    assignment = (Assignment.objects.filter(pk=pk, member=member)
                  .select_related("shift__duty__lead_skill", "shift__community", "roster", "member").first())
    if assignment is None:
        return None, _("That shift is not one of yours."), 404
    if assignment.roster.status != Roster.Status.PUBLISHED:
        return None, _("That week's roster is closed: it has been replaced or withdrawn."), 400
    if assignment.shift.start <= timezone.now():
        return None, _("That shift has already started or is over."), 400
    return assignment, "", 200


@member_required
def swap_new(request, assignment_id, member):
    assignment, problem, status = _own_assignment(member, assignment_id)
    if assignment is None:
        return _error(request, problem, status=status)
    kind = request.POST.get("kind") or request.GET.get("kind")
    context = {"assignment": assignment, "label": shift_label(assignment.shift, private=True), "kinds": [
        {"value": k, "label": Kind(k).label, "help": KIND_HELP[k]} for k in (Kind.GIVE_AWAY, Kind.COVER, Kind.DIRECT)]}
    if kind is None:
        return render(request, "shifts/swaps/choose_kind.html", context)
    if kind not in Kind.values:
        return _error(request, _("Choose what kind of request this is."))
    checker = swap_rules.RuleChecker()
    # The colleagues who fit are shown on the page and are the choices of a cover request; a give-away or a
    # direct swap that is sent needs no ranking (swap_request_create checks its own rules).
    report = None
    if request.method != "POST" or kind == Kind.COVER:
        report = swap_reads.swap_candidates(assignment=assignment, checker=checker)
    options = swap_reads.swap_direct_options(assignment=assignment, checker=checker) if kind == Kind.DIRECT \
        else []
    teammates = swap_reads.usual_teammates(member=member) if kind == Kind.COVER else None
    form = SwapForm(request.POST or None, kind=kind, report=report, options=options, teammates=teammates)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                swap_requests.swap_request_create(
                    requester=member, kind=kind, assignment=assignment,
                    counterpart_assignment=form.cleaned_data.get("counterpart"),
                    invited=form.cleaned_data.get("invited") or (), note=form.cleaned_data["note"],
                    expires_minutes_before=form.cleaned_data["expires"], by=request.user)
            except SwapError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Your request has been sent."))
                return redirect("swap_home")
        status = 400
        report = report or swap_reads.swap_candidates(assignment=assignment, checker=checker)
    nobody = (kind in (Kind.GIVE_AWAY, Kind.COVER) and not report.candidates) or (kind == Kind.DIRECT and not options)
    if kind == Kind.COVER and "invited" in form.fields:
        context.update(_cover_list(request, form))
    context.update({"kind": kind, "kind_label": Kind(kind).label, "form": form, "report": report,
                    "options": options, "nobody": nobody,
                    "direct_nobody": _("No colleague has a shift in the next three weeks that you could trade "
                                       "for this one under the roster rules.")})
    return render(request, "shifts/swaps/new.html", context, status=status)


def _cover_list(request, form) -> dict:
    """The colleagues' checkboxes, each with whether it is shown: those matching the search (?q=), everyone
    (?all=1, or after a failed submit), else the first COVER_SHOWN. Hidden boxes stay in the form, so a ticked
    colleague is sent even when the search hides them."""
    query = (request.GET.get("q") or "").strip()[:30]
    everyone = request.GET.get("all") == "1" or request.method == "POST"
    boxes = []
    for index, box in enumerate(form["invited"]):
        name = str(box.choice_label).split(" · ")[0]
        shown = (query in name) if query else (everyone or index < COVER_SHOWN)
        boxes.append({"box": box, "name": name, "shown": shown})
    return {"cover_boxes": boxes, "cover_query": query, "cover_hidden": sum(1 for b in boxes if not b["shown"]),
            "cover_matches": sum(1 for b in boxes if b["shown"]), "cover_teammates": form.teammate_count}


def _visible_swap(member, pk):
    """A swap this member may act on: theirs, sent to them, taken by them, or a give-away in a community they
    serve. Anything else is a 404, with no hint that it exists."""
    communities = [member.community_id, *member.extra_communities.values_list("pk", flat=True)]
    swap = (SwapRequest.objects.filter(pk=pk).filter(
        Q(requester=member) | Q(invited=member) | Q(accepted_by=member)
        | Q(counterpart_assignment__member=member)
        | Q(kind=Kind.GIVE_AWAY, assignment__shift__community_id__in=communities)).distinct().first())
    if swap is None:
        raise Http404
    return swap


def _member_action(request, member, pk, action, done_message):
    swap = _visible_swap(member, pk)
    try:
        action(swap=swap, member=member, by=request.user)
    except SwapError as exc:
        messages.error(request, exc.message)
        return redirect("swap_home")
    messages.success(request, done_message(swap))
    return redirect("swap_home")


@member_required
@require_POST
def swap_accept(request, pk, member):
    def done(swap):
        swap.refresh_from_db()
        if swap.state == SwapRequest.State.APPLIED:
            return _("Done: the shift is now yours.")
        return _("Thank you. The secretary will confirm the swap; until then the shift stays with %(name)s.") % {
            "name": swap.requester.name}
    return _member_action(request, member, pk, swap_requests.swap_request_accept, done)


@member_required
@require_POST
def swap_decline(request, pk, member):
    return _member_action(request, member, pk, swap_requests.swap_request_decline,
                          lambda swap: _("You said no. %(name)s will be told.") % {"name": swap.requester.name})


@member_required
@require_POST
def swap_withdraw(request, pk, member):
    return _member_action(request, member, pk, swap_requests.swap_request_withdraw,
                          lambda swap: _("Your request has been withdrawn. The shift stays yours."))


# ------------------------------------------------------------------------------------------- secretary

class DecisionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note to both members (optional)"), required=False, max_length=300)


@login_required
def swap_inbox(request):
    if not is_staff_member(request.user):
        raise Http404
    rows = swap_reads.swaps_for_staff(user=request.user)
    staff_of = sensitive_community_ids(request.user)
    pending = [_row(s, staff_of=staff_of)
               for s in rows.filter(state=SwapRequest.State.ACCEPTED).order_by("expires_at")]
    open_requests = [_row(s, staff_of=staff_of)
                     for s in rows.filter(state=SwapRequest.State.OPEN).order_by("expires_at")]
    history = [_row(s, staff_of=staff_of)
               for s in rows.filter(state__in=swap_rules.CLOSED).order_by("-updated_at")[:50]]
    return render(request, "shifts/swaps/inbox.html", {
        "pending": pending, "open_requests": open_requests, "history": history, "form": DecisionForm()})


def _staff_action(request, pk, action, done_message):
    if not is_staff_member(request.user):
        raise Http404
    swap = swap_reads.swaps_for_staff(user=request.user).filter(pk=pk).first()
    if swap is None:
        raise Http404
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The note is too long: at most 300 characters."))
        return redirect("swap_inbox")
    try:
        action(swap=swap, by=request.user, note=form.cleaned_data["note"])
    except SwapRefused as exc:
        messages.error(request, _("Not applied, and nothing changed. %(reason)s") % {"reason": exc.message})
        return redirect("swap_inbox")
    except SwapError as exc:
        messages.error(request, exc.message)
        return redirect("swap_inbox")
    messages.success(request, done_message)
    return redirect("swap_inbox")


@login_required
@require_POST
def swap_approve(request, pk):
    return _staff_action(request, pk, swap_requests.swap_request_approve,
                         _("Approved: the roster is updated and both members are told."))


@login_required
@require_POST
def swap_reject(request, pk):
    return _staff_action(request, pk, swap_requests.swap_request_reject,
                         _("Declined: both members are told."))

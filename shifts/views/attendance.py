"""Attendance pages: a member checks in and out (from My shifts or a poster's QR code), a team leader checks in
the team, the secretary prints posters, back-fills the week from the paper book or imports a sheet."""

import datetime as dt
import re

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler_site.access import member_required, staff_required
from scheduler_site.forms import local_path
from shifts.models import Assignment, Attendance, Roster
from shifts.scope import shift_for
from shifts.selectors import shift_title
from shifts.selectors_delivered import attendance_sheet, open_shifts
from shifts.services import attendance as service
from shifts.services.attendance_import import AttendanceImportRejected, attendance_import
from volunteers.selectors import communities_for, community_for, member_of, members_for, sensitive_community_ids

from .common import week_from_url, week_param

_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def _back(request, fallback: str = "my_shifts"):
    """Back where the member pressed the button (My shifts, a poster's page): only a path on this site."""
    target = local_path(request, request.POST.get("next"))
    return HttpResponseRedirect(target) if target else redirect(fallback)


def _own_assignment(member, assignment_id) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("shift__duty", "shift__community"),
                             pk=assignment_id, member=member, roster__status=Roster.Status.PUBLISHED)


@require_POST
@member_required
def attendance_check(request, assignment_id, action, member):
    """Check in ("in") or out ("out") of one of the member's own shifts."""
    assignment = _own_assignment(member, assignment_id)
    source = Attendance.Source.POSTER if request.POST.get("source") == "poster" else Attendance.Source.APP
    if request.acting_proxy is not None:  # recorded as the relative's word, to be confirmed by someone there
        source = Attendance.Source.RELATIVE
    try:
        if action == "in":
            service.attendance_check_in(member=member, shift=assignment.shift, by=request.user, source=source)
            messages.success(request, _("Checked in at %(time)s. Thank you!")
                             % {"time": timezone.localtime().strftime("%H:%M")})
        elif action == "out":
            service.attendance_check_out(member=member, shift=assignment.shift, by=request.user, source=source)
            messages.success(request, _("Checked out at %(time)s. Thank you for your service!")
                             % {"time": timezone.localtime().strftime("%H:%M")})
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request)


@require_POST
@member_required
def attendance_team(request, assignment_id, action, member):
    """The team leader checks the whole team in or out. Not a relative: they vouch for people they cannot see."""
    _not_a_relative(request)
    assignment = _own_assignment(member, assignment_id)
    try:
        if action == "in":
            done = service.attendance_team_check_in(leader=member, shift=assignment.shift, by=request.user)
        elif action == "out":
            done = service.attendance_team_check_out(leader=member, shift=assignment.shift, by=request.user)
        else:
            raise Http404
        messages.success(request, _("Done for %(n)d people.") % {"n": len(done)})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request)


def _not_a_relative(request) -> None:
    if request.acting_proxy is not None:
        raise PermissionDenied


@require_POST
@member_required
def attendance_presence(request, assignment_id, member_id, member):
    """A team-mate confirms that a member whom a relative checked in is really here."""
    _not_a_relative(request)
    assignment = _own_assignment(member, assignment_id)
    mate = get_object_or_404(Assignment.objects.select_related("member"), shift=assignment.shift,
                             member_id=member_id, roster__status=Roster.Status.PUBLISHED).member
    try:
        service.attendance_presence_confirm(shift=assignment.shift, member=mate, witness=member, by=request.user)
        messages.success(request, _("Thank you: %(name)s's time counts now.") % {"name": mate.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request)


@login_required
def poster_scan(request, token):
    """Where a poster's QR code leads: the member's shifts at that meeting point, with big buttons."""
    try:
        community, location = service.poster_place(token)
    except ValidationError as exc:
        return render(request, "shifts/attendance/poster_invalid.html", {"error": " ".join(exc.messages)},
                      status=404)
    member = member_of(request.user)
    items = []
    if member is not None:
        items = open_shifts(member, assignments=service.poster_assignments(member=member, community=community,
                                                                           location=location))
    return render(request, "shifts/attendance/poster_scan.html", {
        "community": community, "location": location, "items": items, "member": member,
        "here": request.get_full_path()})


@staff_required
def posters_print(request, community_id):
    """One A4 poster per meeting point: a big QR code to check in and out there."""
    community = community_for(request.user, community_id)
    posters = []
    for place in service.meeting_points(community):
        url = request.build_absolute_uri(reverse("poster_scan", args=[service.poster_token(community, place)]))
        qr = segno.make(url, error="m").svg_inline(scale=10, svgclass="qr poster-qr",
                                                    title=_("QR code to check in at %(place)s") % {"place": place})
        posters.append({"place": place, "url": url, "qr": qr})
    return render(request, "shifts/print/posters.html", {"community": community, "posters": posters})


def _moment(raw: str, shift, field_label: str) -> dt.datetime | None:
    text = (raw or "").strip()
    if not text:
        return None
    match = _TIME.match(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValidationError(_("%(field)s: “%(value)s” is not a time; write it like 09:00.")
                              % {"field": field_label, "value": text[:20]})
    local = timezone.localtime(shift.start)
    moment = dt.datetime.combine(local.date(), dt.time(int(match.group(1)), int(match.group(2))),
                                 tzinfo=local.tzinfo)
    if moment < local - dt.timedelta(hours=12):  # after midnight on a night round
        moment += dt.timedelta(days=1)
    return moment


@staff_required
def attendance_week(request, community_id, week):
    """The paper book, typed in: each shift of the published week, its team, their times."""
    community = community_for(request.user, community_id)
    week_start = week_from_url(week)
    errors: dict[int, str] = {}
    if request.method == "POST":
        shift = shift_for(request.user, request.POST.get("shift"))
        if shift.community_id != community.pk:
            raise Http404
        errors = _save_shift_times(request, shift)
        if not errors:
            messages.success(request, _("Attendance saved."))
            return redirect(f"{reverse('attendance_week', args=[community.pk, week_param(week_start)])}"
                            f"#shift-{shift.pk}")
    sheet = attendance_sheet(community, week_start)
    private = community.pk in sensitive_community_ids(request.user)  # a home visit's household: own staff only
    for item in sheet:
        item.title = shift_title(item.shift, private=private)
    return render(request, "shifts/attendance/week.html", {
        "community": community, "week_start": week_start, "sheet": sheet, "errors": errors,
        "previous": week_param(week_start - dt.timedelta(days=7)),
        "next": week_param(week_start + dt.timedelta(days=7)),
    }, status=400 if errors else 200)


def _save_shift_times(request, shift) -> dict[int, str]:
    whole = request.POST.get("whole") == "1"
    member_ids = request.POST.getlist("member")
    members = {m.pk: m for m in members_for(request.user).filter(pk__in=[i for i in member_ids if i.isdigit()])}
    members.update({m.pk: m for m in service.team_members(shift) if str(m.pk) in member_ids})
    errors = {}
    for member in members.values():
        try:
            if whole:
                check_in, check_out = shift.start, shift.end
            else:
                check_in = _moment(request.POST.get(f"in-{member.pk}"), shift, _("Check-in"))
                check_out = _moment(request.POST.get(f"out-{member.pk}"), shift, _("Check-out"))
                if check_in is not None and check_out is not None and check_out <= check_in:
                    check_out += dt.timedelta(days=1)
            service.attendance_set(shift=shift, member=member, check_in=check_in, check_out=check_out,
                                   by=request.user)
        except ValidationError as exc:
            errors[member.pk] = " ".join(exc.messages)
    return errors


@staff_required
def attendance_import_view(request, community_id):
    """Upload the typed-up attendance book; every row is checked and nothing is saved unless all are right."""
    community = community_for(request.user, community_id)
    context = {"community": community, "errors": [], "file_error": ""}
    status = 200
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["file_error"] = _("Choose a file to upload.")
        else:
            try:
                result = attendance_import(data=upload.read(), filename=upload.name,
                                           communities=communities_for(request.user), community=community,
                                           by=request.user)
            except AttendanceImportRejected as exc:
                context.update(errors=exc.result.errors, file_error=str(exc))
            else:
                messages.success(request, _("%(n)d attendance rows imported.") % {"n": len(result.rows)})
                return redirect("attendance_import", community.pk)
        status = 400
    return render(request, "shifts/attendance/import.html", context, status=status)

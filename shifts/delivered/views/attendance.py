"""Attendance pages: a member checks in and out (from My shifts or a poster's QR code), a team leader checks in
the team, the secretary prints posters, back-fills the week from the paper book or imports a sheet."""

import datetime as dt
import hashlib
import re
from types import SimpleNamespace

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from scheduler_site.access import member_required, staff_required
from scheduler_site.forms import local_path
from shifts.delivered import attendance as service
from shifts.delivered.selectors import attendance_sheet, open_gatherings, open_shifts
from shifts.messaging.labels import shift_title
from shifts.models import Assignment, Attendance, Roster, Shift
from shifts.rostering.views.common import week_from_url, week_param
from shifts.scope import shift_for
from volunteers.models import MemberImportJob
from volunteers.selectors import community_for, import_job_of, member_of, members_for, sensitive_community_ids
from volunteers.services.import_jobs import import_job_start, upload_store
from volunteers.views.imports import IMPORT_MAX_BYTES, POLL_SECONDS

_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
ATTENDANCE_TASK = "shifts.tasks.attendance_import_run"


def _back(request, fallback: str = "my_shifts"):
    """Back where the member pressed the button (My shifts, a poster's page): only a path on this site."""
    target = local_path(request, request.POST.get("next"))
    return HttpResponseRedirect(target) if target else redirect(fallback)


def _own_assignment(member, assignment_id) -> Assignment:
    return get_object_or_404(Assignment.objects.select_related("shift__duty", "shift__community"),
                             pk=assignment_id, member=member, roster__status=Roster.Status.PUBLISHED)


def _source(request) -> str:
    """How a check-in came: from a poster's page or the app; a relative's is recorded as theirs, to be
    confirmed by someone who was there."""
    if request.acting_proxy is not None:
        return Attendance.Source.RELATIVE
    return Attendance.Source.POSTER if request.POST.get("source") == "poster" else Attendance.Source.APP


def _check(request, *, member, shift, action: str):
    """Check the member in ("in") or out ("out") of the shift and go back where they pressed the button."""
    if action not in ("in", "out"):
        raise Http404
    try:
        if action == "in":
            service.attendance_check_in(member=member, shift=shift, by=request.user, source=_source(request))
            messages.success(request, _("Checked in at %(time)s. Thank you!")
                             % {"time": timezone.localtime().strftime("%H:%M")})
        else:
            service.attendance_check_out(member=member, shift=shift, by=request.user, source=_source(request))
            messages.success(request, _("Checked out at %(time)s. Thank you for your service!")
                             % {"time": timezone.localtime().strftime("%H:%M")})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(request)


@require_POST
@member_required
def attendance_check(request, assignment_id, action, member):
    """Check in ("in") or out ("out") of one of the member's own shifts."""
    return _check(request, member=member, shift=_own_assignment(member, assignment_id).shift, action=action)


@require_POST
@member_required
def gathering_check(request, shift_id, action, member):
    """Check in ("in") or out ("out") of a gathering of the member's community (the study session): no roster,
    so it goes by the shift; the service checks that the member serves its community."""
    shift = get_object_or_404(Shift.objects.select_related("duty", "community"), pk=shift_id,
                              duty__code__in=settings.UNROSTERED_DUTIES)
    return _check(request, member=member, shift=shift, action=action)


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
        # The study session: any member serving the community checks in from its poster (or a poster where it is).
        items += [item for item in open_gatherings(member) if item.shift.community_id == community.pk
                  and item.shift.location in (service.GATHERING_POSTER, location)]
    return render(request, "shifts/attendance/poster_scan.html", {
        "community": community, "location": service.poster_label(location), "items": items, "member": member,
        "here": request.get_full_path()})


@staff_required
def posters_print(request, community_id):
    """One A4 poster per meeting point: a big QR code to check in and out there."""
    community = community_for(request.user, community_id)
    posters = []
    for place in service.poster_places(community):
        url = request.build_absolute_uri(reverse("poster_scan", args=[service.poster_token(community, place)]))
        label = service.poster_label(place)
        qr = segno.make(url, error="m").svg_inline(scale=10, svgclass="qr poster-qr",
                                                    title=_("QR code to check in at %(place)s") % {"place": label})
        posters.append({"place": label, "url": url, "qr": qr})
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
        if errors and item.shift.pk == shift.pk:  # a refused row shows what was typed, next to why
            for line in item.lines:
                if line.member.pk in errors:
                    line.typed = (request.POST.get(f"in-{line.member.pk}", ""),
                                  request.POST.get(f"out-{line.member.pk}", ""))
                    line.error = errors[line.member.pk]
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
    """Upload the typed-up attendance book. A queue worker reads and checks it (attendance_import_job_run);
    the secretary sees its progress, then every row's problem or what will be saved, and confirms."""
    community = community_for(request.user, community_id)
    file_error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            file_error = _("Choose a file to upload.")
        elif upload.size > IMPORT_MAX_BYTES:
            file_error = _("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // 2**20}
        else:
            data = upload.read()
            job = import_job_start(user=request.user, community=community, file_id=upload_store(data),
                                   sha256=hashlib.sha256(data).hexdigest(), filename=upload.name or "",
                                   sheet=MemberImportJob.Sheet.ATTENDANCE, task=ATTENDANCE_TASK)
            return redirect("attendance_import_job", community.pk, job.pk)
    return render(request, "shifts/attendance/import.html", {"community": community, "file_error": file_error},
                  status=400 if file_error else 200)


def _attendance_job(request, community, job_id) -> MemberImportJob:
    return import_job_of(user=request.user, community=community, job_id=job_id,
                         sheet=MemberImportJob.Sheet.ATTENDANCE)


@staff_required
@require_GET
def attendance_import_job(request, community_id, job_id):
    """The reading's progress; then the check (errors, or the rows to save and a button), or the import's end."""
    community = community_for(request.user, community_id)
    job = _attendance_job(request, community, job_id)
    if job.status in (MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING):
        return render(request, "volunteers/import/progress.html", {
            "community": community, "job": job, "poll_seconds": POLL_SECONDS, "refresh_url": request.path,
            "heading": _("Reading the attendance book for %(name)s") % {"name": community.name}})
    if job.status == MemberImportJob.Status.FAILED:
        messages.error(request, job.message or _("The file could not be read. Please upload it again."))
        return redirect("attendance_import", community.pk)
    result = job.result
    if result.get("imported"):
        messages.success(request, _("%(n)d attendance rows imported.") % {"n": result["rows"]})
        return redirect("attendance_import", community.pk)
    errors = [SimpleNamespace(**error) for error in result.get("errors", [])]
    file_error = result.get("rejected") or result.get("file_error") or (
        _("%(n)d rows have errors; nothing was imported.") % {"n": result.get("error_rows", 0)} if errors else "")
    confirmable = job.kind == MemberImportJob.Kind.PREVIEW and result.get("ok")
    return render(request, "shifts/attendance/import.html", {
        "community": community, "job": job, "file_error": file_error, "errors": errors,
        "more_errors": result.get("more_errors", 0), "confirmable": confirmable,
        "sample": [SimpleNamespace(**row) for row in result.get("sample", [])] if confirmable else [],
        "rows": result.get("rows", 0), "more_rows": result.get("more_rows", 0),
    }, status=200 if confirmable else 400)


@staff_required
@require_POST
def attendance_import_confirm(request, community_id, job_id):
    """Import the book a preview job checked: read and checked again by a worker, all rows or none."""
    community = community_for(request.user, community_id)
    preview = _attendance_job(request, community, job_id)
    if preview.kind != MemberImportJob.Kind.PREVIEW or not preview.result.get("ok"):
        raise Http404
    job = import_job_start(user=request.user, community=community, file_id=preview.file_id,
                           sha256=preview.file_sha256, filename=preview.filename, kind=MemberImportJob.Kind.APPLY,
                           sheet=MemberImportJob.Sheet.ATTENDANCE, task=ATTENDANCE_TASK)
    return redirect("attendance_import_job", community.pk, job.pk)

"""Member import (upload → preview with column mapping → confirm) and export, for a community's staff.

The uploaded file is kept in a private temporary folder between preview and confirmation, named by a
random id held in the secretary's session. Reading it is a queue job (volunteers.services.import_jobs): the
request stores the file, queues the job and shows its progress page, which polls until the preview (or the
import's result) is ready. Confirming reads the file again and writes all rows or none.
"""

import hashlib
import logging
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from volunteers.models import MemberImportJob
from volunteers.selectors import community_for, import_job_of, is_staff_member
from volunteers.services.import_files import MAX_COLUMNS
from volunteers.services.import_jobs import import_job_start, upload_forget, upload_read, upload_store
from volunteers.services.member_exports import member_export
from volunteers.services.member_text import FIELD_CHOICES

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 5 * 1024 * 1024
_SESSION_KEY = "member_import"
POLL_SECONDS = 2


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Member list (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // 2**20})
        return upload


def _staff_community(request, community_id):
    if not is_staff_member(request.user):
        raise Http404
    return community_for(request.user, community_id)


def _entry(request, community) -> dict | None:
    """The session's upload for this community, if its file is still there and unchanged."""
    entry = request.session.get(_SESSION_KEY)
    if not entry or entry.get("community") != community.pk:
        return None
    if upload_read(entry["file"], entry["sha256"]) is None:
        return None
    return entry


def _forget(request):
    entry = request.session.pop(_SESSION_KEY, None)
    if entry:
        upload_forget(entry["file"])


def _mapping_from_post(post) -> dict[int, str]:
    known = {f for f, _label in FIELD_CHOICES}
    return {i: post.get(f"col_{i}") for i in range(MAX_COLUMNS) if post.get(f"col_{i}") in known}


def _decisions_from_post(post) -> dict[str, str]:
    """The secretary's answers for same-name rows: same_<row> = "new" or the pk of the member it is."""
    answers = {}
    for key, value in post.items():
        if key.startswith("same_") and key[5:].isdigit() and (value == "new" or value.isdigit()):
            answers[key[5:]] = value
    return answers


def _start(request, community, entry, **kwargs):
    job = import_job_start(user=request.user, community=community, file_id=entry["file"], sha256=entry["sha256"],
                           filename=entry["name"], **kwargs)
    entry["job"] = job.pk
    request.session[_SESSION_KEY] = entry
    return redirect("member_import_job", community_id=community.pk, job_id=job.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, community_id):
    community = _staff_community(request, community_id)
    if request.method == "POST" and "remap" in request.POST:
        entry = _entry(request, community)
        if entry is None:
            messages.error(request, _("The uploaded file has expired; please upload it again."))
            return redirect("member_import", community_id=community.pk)
        return _start(request, community, entry, mapping=_mapping_from_post(request.POST))
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        _forget(request)
        entry = {"community": community.pk, "file": upload_store(data), "sha256": hashlib.sha256(data).hexdigest(),
                 "name": (upload.name or "")[-100:], "mapping": {}, "fingerprint": ""}
        return _start(request, community, entry)
    status = 400 if request.method == "POST" else 200
    return render(request, "volunteers/import/upload.html", {"community": community, "form": form}, status=status)


def _job_for(request, community, job_id) -> MemberImportJob:
    return import_job_of(user=request.user, community=community, job_id=job_id, sheet=MemberImportJob.Sheet.MEMBERS)


@login_required
@require_GET
def import_job(request, community_id, job_id):
    """The job's progress while it runs; then the preview, or the import's result."""
    community = _staff_community(request, community_id)
    job = _job_for(request, community, job_id)
    if job.status in (MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING):
        return render(request, "volunteers/import/progress.html",
                      {"community": community, "job": job, "poll_seconds": POLL_SECONDS, "refresh_url": request.path})
    if job.status == MemberImportJob.Status.FAILED:
        messages.error(request, job.message or _("The file could not be read. Please upload it again."))
        return redirect("member_import", community_id=community.pk)
    result = job.result
    entry = request.session.get(_SESSION_KEY)
    current = entry is not None and entry.get("job") == job.pk
    if job.kind == MemberImportJob.Kind.APPLY and result.get("imported"):
        if current:
            _forget(request)
        messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % {
            "created": result["created"], "updated": result["updated"], "unchanged": result["unchanged"]})
        return redirect("member_import", community_id=community.pk)
    if current:  # the preview the secretary confirms next
        entry["mapping"], entry["fingerprint"] = result.get("mapping", {}), result.get("fingerprint", "")
        request.session[_SESSION_KEY] = entry
    if result.get("rejected"):
        messages.error(request, result["rejected"])
        status = 409
    else:
        status = 200 if result.get("ok") else 400
    return _preview(request, community, result, confirmable=current, status=status)


def _preview(request, community, result: dict, *, confirmable: bool, status: int):
    mapping = {int(k): v for k, v in result.get("mapping", {}).items()}
    headers = result.get("headers", [])
    # Only the columns the sheet uses (a header or a value), and any mapped one: not 60 empty ones.
    shown = sorted(set(result.get("used_columns", range(len(headers)))) | set(mapping))
    columns = [{"index": i, "header": headers[i], "field": mapping.get(i, "")} for i in shown if i < len(headers)]
    plan = SimpleNamespace(file_error=result.get("file_error", ""), headers=result.get("headers", []),
                           ok=bool(result.get("ok")) and confirmable)
    return render(request, "volunteers/import/preview.html", {
        "community": community, "plan": plan, "columns": columns, "field_choices": FIELD_CHOICES,
        "changed_rows": [SimpleNamespace(**row) for row in result.get("changed_rows", [])],
        "created": result.get("created", 0),
        "updated": result.get("updated", 0), "unchanged": result.get("unchanged", 0),
        "error_rows": result.get("error_rows", 0),
        "errors": [SimpleNamespace(**error) for error in result.get("errors", [])],
        "more_errors": result.get("more_errors", 0),
        "questions": [SimpleNamespace(**{**question, "options": [SimpleNamespace(**o) for o in question["options"]],
                                         "rows": [SimpleNamespace(**r) for r in question.get("rows", [])]})
                      for question in result.get("questions", [])],
        "skipped": [SimpleNamespace(**line) for line in result.get("skipped", [])],
        "more_skipped": result.get("more_skipped", 0),
        "more_questions": result.get("more_questions", 0),
        "notes": [SimpleNamespace(**note) for note in result.get("notes", [])],
        "more_notes": result.get("more_notes", 0),
    }, status=status)


@login_required
@require_POST
def import_confirm(request, community_id):
    community = _staff_community(request, community_id)
    entry = _entry(request, community)
    if entry is None or not entry.get("fingerprint"):
        messages.error(request, _("The uploaded file has expired; please upload it again."))
        return redirect("member_import", community_id=community.pk)
    return _start(request, community, entry, kind=MemberImportJob.Kind.APPLY,
                  mapping={int(k): v for k, v in entry["mapping"].items()},
                  expected_fingerprint=entry["fingerprint"], decisions=_decisions_from_post(request.POST))


@login_required
@require_GET
def member_export_view(request, community_id, fmt):
    community = _staff_community(request, community_id)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    content, content_type, filename = member_export(user=request.user, community=community, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response

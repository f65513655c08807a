"""Member import (upload → preview with column mapping → confirm) and export, for a community's staff.

The uploaded file is kept in a private temporary folder between preview and confirmation, named by a
random id held in the secretary's session; confirming validates it again and writes all rows or none.
"""

import hashlib
import logging
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from volunteers.selectors import community_for, is_staff_member
from volunteers.services.imports import (
    FIELD_CHOICES,
    MAX_COLUMNS,
    ImportRejected,
    member_export,
    member_import_apply,
    member_import_plan,
)

logger = logging.getLogger(__name__)

IMPORT_MAX_BYTES = 5 * 1024 * 1024
PREVIEW_ROWS = 300
_SESSION_KEY = "member_import"
_KEEP_SECONDS = 24 * 3600


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


def _store_dir() -> Path:
    path = Path(getattr(settings, "IMPORT_TMP_DIR", "") or Path(tempfile.gettempdir()) / "yure-imports")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _store(data: bytes) -> str:
    folder = _store_dir()
    for old in folder.glob("*.upload"):  # housekeeping: previews nobody confirmed
        try:
            if old.stat().st_mtime < time.time() - _KEEP_SECONDS:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another worker confirmed or cleaned it up between glob and stat
            continue
    file_id = secrets.token_hex(16)
    (folder / f"{file_id}.upload").write_bytes(data)
    return file_id


def _load(request, community) -> tuple[bytes, dict] | None:
    entry = request.session.get(_SESSION_KEY)
    if not entry or entry.get("community") != community.pk:
        return None
    path = _store_dir() / f"{entry['file']}.upload"
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return None
    return data, entry


def _forget(request):
    entry = request.session.pop(_SESSION_KEY, None)
    if entry:
        (_store_dir() / f"{entry['file']}.upload").unlink(missing_ok=True)


def _mapping_from_post(post) -> dict[int, str]:
    known = {f for f, _label in FIELD_CHOICES}
    return {i: post.get(f"col_{i}") for i in range(MAX_COLUMNS) if post.get(f"col_{i}") in known}


def _preview(request, community, plan, *, status=200):
    columns = [{"index": i, "header": h, "field": plan.mapping.get(i, "")} for i, h in enumerate(plan.headers)]
    changed = [r for r in plan.rows if r.action != "unchanged"][:PREVIEW_ROWS]
    return render(request, "volunteers/import/preview.html", {
        "community": community, "plan": plan, "columns": columns, "field_choices": FIELD_CHOICES,
        "changed_rows": changed, "created": plan.count("create"), "updated": plan.count("update"),
        "unchanged": plan.count("unchanged"), "error_rows": len({e.row for e in plan.errors}),
        "errors": plan.errors[:1000], "more_errors": max(len(plan.errors) - 1000, 0),
    }, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request, community_id):
    community = _staff_community(request, community_id)
    if request.method == "POST" and "remap" in request.POST:
        loaded = _load(request, community)
        if loaded is None:
            messages.error(request, _("The uploaded file has expired; please upload it again."))
            return redirect("member_import", community_id=community.pk)
        data, entry = loaded
        plan = member_import_plan(user=request.user, community=community, data=data, filename=entry["name"],
                                  mapping=_mapping_from_post(request.POST))
        entry["mapping"] = {str(k): v for k, v in plan.mapping.items()}
        entry["fingerprint"] = plan.fingerprint
        request.session[_SESSION_KEY] = entry
        return _preview(request, community, plan, status=200 if plan.ok else 400)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        name = (upload.name or "")[-100:]
        plan = member_import_plan(user=request.user, community=community, data=data, filename=name)
        _forget(request)
        request.session[_SESSION_KEY] = {
            "community": community.pk, "file": _store(data), "sha256": hashlib.sha256(data).hexdigest(),
            "name": name, "mapping": {str(k): v for k, v in plan.mapping.items()}, "fingerprint": plan.fingerprint}
        return _preview(request, community, plan, status=200 if plan.ok else 400)
    status = 400 if request.method == "POST" else 200
    return render(request, "volunteers/import/upload.html", {"community": community, "form": form}, status=status)


@login_required
@require_POST
def import_confirm(request, community_id):
    community = _staff_community(request, community_id)
    loaded = _load(request, community)
    if loaded is None:
        messages.error(request, _("The uploaded file has expired; please upload it again."))
        return redirect("member_import", community_id=community.pk)
    data, entry = loaded
    mapping = {int(k): v for k, v in entry["mapping"].items()}
    try:
        plan = member_import_apply(user=request.user, community=community, data=data, filename=entry["name"],
                                   mapping=mapping, expected_fingerprint=entry["fingerprint"])
    except ImportRejected as exc:
        entry["fingerprint"] = exc.plan.fingerprint
        request.session[_SESSION_KEY] = entry
        messages.error(request, str(exc))
        return _preview(request, community, exc.plan, status=409)
    _forget(request)
    messages.success(request, _("Imported: %(created)d new, %(updated)d updated, %(unchanged)d unchanged.") % {
        "created": plan.count("create"), "updated": plan.count("update"), "unchanged": plan.count("unchanged")})
    return redirect("member_import", community_id=community.pk)


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

"""Member imports on the queue: the upload is stored, a MemberImportJob is queued, a worker reads the file in
a resource-limited child process (import_files.read_sheet_isolated) and plans or applies it, and the page polls
the job for its progress and result. The request itself never parses a spreadsheet."""

import datetime as dt
import hashlib
import logging
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_q import tasks as django_q_tasks

from volunteers.models import Community, MemberImportJob

from .import_files import ImportFileError, read_sheet_isolated
from .imports import ImportPlan, ImportRejected, member_import_apply, member_import_plan

logger = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 300
PREVIEW_ERRORS = 1000


def store_dir() -> Path:
    path = Path(settings.IMPORT_TMP_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def upload_store(data: bytes) -> str:
    """Keep an upload under a random id (private folder); uploads nobody confirmed go after a day."""
    folder = store_dir()
    for old in folder.glob("*.upload"):
        try:
            if old.stat().st_mtime < time.time() - KEEP_SECONDS:
                old.unlink(missing_ok=True)
        except FileNotFoundError:  # another worker confirmed or cleaned it up between glob and stat
            continue
    file_id = secrets.token_hex(16)
    (folder / f"{file_id}.upload").write_bytes(data)
    return file_id


def upload_read(file_id: str, sha256: str) -> bytes | None:
    try:
        data = (store_dir() / f"{file_id}.upload").read_bytes()
    except (OSError, ValueError):
        return None
    return data if hashlib.sha256(data).hexdigest() == sha256 else None


def upload_forget(file_id: str) -> None:
    (store_dir() / f"{file_id}.upload").unlink(missing_ok=True)


def import_jobs_purge(now=None) -> int:
    """Forget import jobs (their previews name members) and their uploads after a day; run by retention."""
    cutoff = (now or timezone.now()) - dt.timedelta(seconds=KEEP_SECONDS)
    old = MemberImportJob.objects.filter(created_at__lt=cutoff)
    for file_id in set(old.values_list("file_id", flat=True)):
        upload_forget(file_id)
    return old.delete()[0]


def import_job_start(*, user, community: Community, file_id: str, sha256: str, filename: str,
                     kind: str = MemberImportJob.Kind.PREVIEW, mapping: dict | None = None,
                     expected_fingerprint: str = "", decisions: dict | None = None) -> MemberImportJob:
    """Queue the reading of a stored upload; the job is marked failed if the queue cannot take it."""
    job = MemberImportJob.objects.create(
        community=community, created_by=user, kind=kind, file_id=file_id, file_sha256=sha256,
        filename=filename[-100:], mapping={str(k): v for k, v in (mapping or {}).items()},
        expected_fingerprint=expected_fingerprint or "",
        decisions={str(k): str(v) for k, v in (decisions or {}).items()})
    try:
        django_q_tasks.async_task("volunteers.tasks.member_import_run", job.pk, task_name=f"member-import-{job.pk}")
    except Exception:  # broker down: say so on the page instead of a job that never moves
        logger.exception("could not queue member import %s", job.pk)
        _finish(job, MemberImportJob.Status.FAILED,
                message=_("The import could not be started just now. Please try again in a few minutes."))
    job.refresh_from_db()
    return job


def import_job_run(job_id: int) -> str:
    """The queue task: read, plan and (for an import) write; the outcome goes into the job row."""
    job = MemberImportJob.objects.select_related("community", "created_by").get(pk=job_id)
    if job.status not in (MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING):
        return job.status  # a retried task after the job finished
    MemberImportJob.objects.filter(pk=job.pk).update(status=MemberImportJob.Status.RUNNING)
    data = upload_read(job.file_id, job.file_sha256)
    if data is None:
        _finish(job, MemberImportJob.Status.FAILED, message=_("The uploaded file has expired; please upload it again."))
        return job.status

    def progress(rows: int) -> None:
        MemberImportJob.objects.filter(pk=job.pk).update(rows_read=rows)

    mapping = {int(k): v for k, v in job.mapping.items()} if job.mapping else None
    try:
        sheet = read_sheet_isolated(data, job.filename, progress=progress)
    except ImportFileError as exc:
        plan = ImportPlan(headers=[], header_row=0, mapping={}, file_error=str(exc))
        _finish(job, MemberImportJob.Status.DONE, result=plan_summary(plan))
        return job.status
    progress(len(sheet.rows) + sheet.header_row)
    kwargs = dict(user=job.created_by, community=job.community, filename=job.filename, mapping=mapping, sheet=sheet,
                  decisions=job.decisions or None)
    if job.kind == MemberImportJob.Kind.PREVIEW:
        _finish(job, MemberImportJob.Status.DONE, result=plan_summary(member_import_plan(**kwargs)))
        return job.status
    try:
        plan = member_import_apply(**kwargs, expected_fingerprint=job.expected_fingerprint or None)
    except ImportRejected as exc:
        _finish(job, MemberImportJob.Status.DONE, result={**plan_summary(exc.plan), "rejected": str(exc)})
    else:
        _finish(job, MemberImportJob.Status.DONE, result={**plan_summary(plan), "imported": True})
    return job.status


def _finish(job: MemberImportJob, status: str, *, result: dict | None = None, message: str = "") -> None:
    job.status, job.result, job.message, job.finished_at = status, result or {}, message[:300], timezone.now()
    job.save(update_fields=["status", "result", "message", "finished_at"])


def plan_summary(plan: ImportPlan) -> dict:
    """What the preview page shows of a plan, as JSON."""
    changed = [r for r in plan.rows if r.action not in ("unchanged", "ask")][:PREVIEW_ROWS]
    asked = [r for r in plan.rows if r.same_name]
    return {
        "file_error": plan.file_error, "ok": plan.ok, "headers": plan.headers, "used_columns": plan.used_columns,
        "mapping": {str(k): v for k, v in plan.mapping.items()}, "fingerprint": plan.fingerprint,
        "created": plan.count("create"), "updated": plan.count("update"), "unchanged": plan.count("unchanged"),
        "error_rows": len({e.row for e in plan.errors}),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in plan.errors[:PREVIEW_ERRORS]],
        "more_errors": max(len(plan.errors) - PREVIEW_ERRORS, 0),
        "changed_rows": [{"row": r.row, "action": r.action, "name": r.name, "changes": r.changes} for r in changed],
        "questions": [{"row": r.row, "name": r.name, "about": r.about, "answered": r.action != "ask",
                       "member_id": r.member_id, "options": [{"member_id": pk, "label": label}
                                                             for pk, label in r.same_name]}
                      for r in asked[:PREVIEW_ROWS]],
        "more_questions": max(len(asked) - PREVIEW_ROWS, 0),
        "notes": [{"row": n.row, "column": n.column, "message": n.message} for n in plan.notes[:PREVIEW_ERRORS]],
        "more_notes": max(len(plan.notes) - PREVIEW_ERRORS, 0),
    }

"""Imports on the queue: the upload is stored, a MemberImportJob is queued, a worker reads the file in a
resource-limited child process (import_files.read_sheet_isolated) and plans or applies it, and the page polls
the job for its progress and result. The request itself never parses a spreadsheet.

The member list is read here; the attendance book (shifts.delivered.attendance_import) uses the same job rows
through import_job_start, import_job_claim, import_job_finish and import_task_guarded. No job stays running:
a task that raises marks its job failed (import_task_guarded), and import_jobs_expire, run every two minutes
by a Schedule, fails a job still running past its task's timeout (a worker killed by the timeout runs no
`except`) or still waiting long after the queue should have taken it."""

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

from .import_apply import ImportRejected, member_import_apply
from .import_files import ImportFileError, import_task_timeout, read_sheet_isolated
from .import_plan import ImportPlan, member_import_plan

logger = logging.getLogger(__name__)

KEEP_SECONDS = 24 * 3600
PREVIEW_ROWS = 300
PREVIEW_ERRORS = 1000
# A job the queue has not taken after this long never will be (a broker that lost it): the secretary is told.
QUEUE_WAIT_SECONDS = 30 * 60
# Beyond the task's timeout, so a job is only failed once django-q2 has stopped its worker.
EXPIRE_MARGIN_SECONDS = 30


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
                     expected_fingerprint: str = "", decisions: dict | None = None,
                     sheet: str = MemberImportJob.Sheet.MEMBERS,
                     task: str = "volunteers.tasks.member_import_run") -> MemberImportJob:
    """Queue the reading of a stored upload by `task` (a function taking the job's id); the job is marked failed
    if the queue cannot take it."""
    job = MemberImportJob.objects.create(
        community=community, created_by=user, sheet=sheet, kind=kind, file_id=file_id, file_sha256=sha256,
        filename=filename[-100:], mapping={str(k): v for k, v in (mapping or {}).items()},
        expected_fingerprint=expected_fingerprint or "",
        decisions={str(k): str(v) for k, v in (decisions or {}).items()})
    try:
        django_q_tasks.async_task(task, job.pk, task_name=f"{sheet}-import-{job.pk}", timeout=import_task_timeout())
    except Exception:  # broker down: say so on the page instead of a job that never moves
        logger.exception("could not queue %s import %s", sheet, job.pk)
        import_job_finish(job, MemberImportJob.Status.FAILED,
                          message=_("The import could not be started just now. Please try again in a few minutes."))
    job.refresh_from_db()
    return job


def import_job_claim(job_id: int, *, sheet: str) -> MemberImportJob | None:
    """The job, marked running from now; None when it is finished already (a retried task, or failed by
    import_jobs_expire meanwhile)."""
    job = MemberImportJob.objects.select_related("community", "created_by").get(pk=job_id, sheet=sheet)
    if job.status not in (MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING):
        return None
    job.status, job.started_at = MemberImportJob.Status.RUNNING, timezone.now()
    MemberImportJob.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at)
    return job


def import_job_progress(job: MemberImportJob):
    """progress(rows) for read_sheet_isolated: the count the progress page shows."""
    def progress(rows: int) -> None:
        MemberImportJob.objects.filter(pk=job.pk).update(rows_read=rows)
    return progress


def import_job_begin(job_id: int, *, sheet: str):
    """The start every import task shares: claim the job and read its stored upload. Returns (job, bytes,
    progress), or None when there is nothing to read: the job was taken or finished already, or its file expired
    (the job then says so)."""
    job = import_job_claim(job_id, sheet=sheet)
    if job is None:
        return None
    data = upload_read(job.file_id, job.file_sha256)
    if data is None:
        import_job_finish(job, MemberImportJob.Status.FAILED,
                          message=_("The uploaded file has expired; please upload it again."))
        return None
    return job, data, import_job_progress(job)


def import_job_run(job_id: int) -> str:
    """The queue task: read, plan and (for an import) write; the outcome goes into the job row."""
    begun = import_job_begin(job_id, sheet=MemberImportJob.Sheet.MEMBERS)
    if begun is None:
        return MemberImportJob.objects.get(pk=job_id).status
    job, data, progress = begun
    mapping = {int(k): v for k, v in job.mapping.items()} if job.mapping else None
    try:
        sheet = read_sheet_isolated(data, job.filename, progress=progress)
    except ImportFileError as exc:
        plan = ImportPlan(headers=[], header_row=0, mapping={}, file_error=str(exc))
        import_job_finish(job, MemberImportJob.Status.DONE, result=plan_summary(plan))
        return job.status
    progress(len(sheet.rows) + sheet.header_row)
    kwargs = dict(user=job.created_by, community=job.community, filename=job.filename, mapping=mapping, sheet=sheet,
                  decisions=job.decisions or None)
    if job.kind == MemberImportJob.Kind.PREVIEW:
        import_job_finish(job, MemberImportJob.Status.DONE, result=plan_summary(member_import_plan(**kwargs)))
        return job.status
    try:
        plan = member_import_apply(**kwargs, expected_fingerprint=job.expected_fingerprint or None)
    except ImportRejected as exc:
        import_job_finish(job, MemberImportJob.Status.DONE, result={**plan_summary(exc.plan), "rejected": str(exc)})
    else:
        import_job_finish(job, MemberImportJob.Status.DONE, result={**plan_summary(plan), "imported": True})
    return job.status


def import_job_finish(job: MemberImportJob, status: str, *, result: dict | None = None, message: str = "") -> None:
    """Record the outcome, unless the job was finished meanwhile (failed by import_jobs_expire: the secretary
    has been told already, and a page must not change its answer)."""
    job.status, job.result, job.message, job.finished_at = status, result or {}, message[:300], timezone.now()
    MemberImportJob.objects.filter(
        pk=job.pk, status__in=(MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING),
    ).update(status=job.status, result=job.result, message=job.message, finished_at=job.finished_at)


def _not_read_message() -> str:
    return _("The file could not be read to the end; please upload it again.")


def import_job_failed(job_id: int, *, message: str = "") -> bool:
    """Mark a job that has not finished as failed; False if it had finished."""
    return bool(MemberImportJob.objects.filter(
        pk=job_id, status__in=(MemberImportJob.Status.QUEUED, MemberImportJob.Status.RUNNING),
    ).update(status=MemberImportJob.Status.FAILED, message=(message or _not_read_message())[:300],
             finished_at=timezone.now()))


def import_task_guarded(job_id: int, run) -> str:
    """Run an import task's body; if it raises, its job is marked failed with a plain message (the page stops
    polling and says so) and the exception goes on to django-q2, which records the failed task."""
    try:
        return run(job_id)
    except Exception:
        logger.exception("import job %s failed", job_id)
        import_job_failed(job_id)
        raise


def import_jobs_expire(now=None) -> int:
    """Fail the jobs still running past their task's timeout, or still waiting after QUEUE_WAIT_SECONDS; idempotent,
    run every two minutes. A worker django-q2 stopped at the timeout ran no `except`: this tells its secretary."""
    now = now or timezone.now()
    unfinished = MemberImportJob.objects.filter(status__in=(MemberImportJob.Status.QUEUED,
                                                            MemberImportJob.Status.RUNNING))
    running_since = now - dt.timedelta(seconds=import_task_timeout() + EXPIRE_MARGIN_SECONDS)
    stuck = (unfinished.filter(status=MemberImportJob.Status.RUNNING, started_at__lt=running_since)
             | unfinished.filter(status=MemberImportJob.Status.QUEUED,
                                 created_at__lt=now - dt.timedelta(seconds=QUEUE_WAIT_SECONDS)))
    failed = 0
    for job_id in list(stuck.values_list("pk", flat=True)):
        if import_job_failed(job_id):
            logger.warning("import job %s expired: still unfinished past its deadline", job_id)
            failed += 1
    return failed


def plan_summary(plan: ImportPlan) -> dict:
    """What the preview page shows of a plan, as JSON."""
    changed = [r for r in plan.rows if r.action not in ("unchanged", "ask")][:PREVIEW_ROWS]
    asked = [r for r in plan.rows if r.asked]
    return {
        "file_error": plan.file_error, "ok": plan.ok, "headers": plan.headers, "used_columns": plan.used_columns,
        "mapping": {str(k): v for k, v in plan.mapping.items()}, "fingerprint": plan.fingerprint,
        "created": plan.count("create"), "updated": plan.count("update"), "unchanged": plan.count("unchanged"),
        "error_rows": len({e.row for e in plan.errors}),
        "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in plan.errors[:PREVIEW_ERRORS]],
        "more_errors": max(len(plan.errors) - PREVIEW_ERRORS, 0),
        "changed_rows": [{"row": r.row, "action": r.action, "name": r.name, "changes": r.changes,
                          "details": r.details} for r in changed],
        "questions": [{"row": r.row, "name": r.name, "about": r.about, "answered": r.action != "ask",
                       "member_id": r.member_id, "options": [{"member_id": pk, "label": label}
                                                             for pk, label in r.same_name],
                       "rows": [{"row": n, "label": label} for n, label in r.same_name_rows]}
                      for r in asked[:PREVIEW_ROWS]],
        "more_questions": max(len(asked) - PREVIEW_ROWS, 0),
        "notes": [{"row": n.row, "column": n.column, "message": n.message} for n in plan.notes[:PREVIEW_ERRORS]],
        "more_notes": max(len(plan.notes) - PREVIEW_ERRORS, 0),
        "skipped": [{"row": n.row, "message": n.message} for n in plan.skipped[:PREVIEW_ERRORS]],
        "more_skipped": max(len(plan.skipped) - PREVIEW_ERRORS, 0),
    }

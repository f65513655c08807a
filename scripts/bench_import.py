"""Member import benchmark: read, validate, apply and re-check a 10,000-row 名册, as .xlsx and as GBK CSV.

Runs in a throw-away test database (created and dropped by the script):

    python scripts/bench_import.py [--rows 10000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_trust_bench python scripts/bench_import.py

Prints the figures; record them in docs/benchmarks.md (## Trust: member import).
"""

import argparse
import csv
import io
import logging
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
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database():
        run(args.rows)


def run(count: int):
    from django.db import connection

    from tests import factories
    from volunteers.services.import_files import read_sheet, read_sheet_isolated
    from volunteers.services.imports import member_import_apply, member_import_plan
    from volunteers.services.member_exports import member_export

    community = factories.community(name="基准社区")
    factories.skill("first_aid", "急救")
    user = factories.secretary(community)
    table = [HEADER, *rows(count, community.name)]
    xlsx, gbk = as_xlsx(table), as_gbk_csv(table)
    print(f"{count} rows on {connection.vendor}; xlsx {len(xlsx) / 1024:.0f} KiB, GBK CSV {len(gbk) / 1024:.0f} KiB")
    kw = {"user": user, "community": community}
    # Reading alone, in this process and as the queue worker does it (a forked child under CPU/memory limits).
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

"""The member import runs on the queue, reading the file in a child process with CPU-time and memory
limits, and the page shows its progress; hostile spreadsheets end in a plain 4xx message (issue 16)."""

import functools
import io
import random
import zipfile

import pytest
from django.urls import reverse
from django_q.conf import Conf

from volunteers import tasks
from volunteers.models import Member, MemberImportJob
from volunteers.services.import_files import ImportFileError, read_sheet_isolated

from .test_imports import HEADER, csv_bytes, good_rows, xlsx

pytestmark = pytest.mark.django_db


def _post(client, community, data, name="名册.xlsx", **extra):
    upload = io.BytesIO(data)
    upload.name = name
    return client.post(reverse("member_import", args=[community.pk]), {"file": upload}, **extra)


def _raw_xlsx(sheet_xml: str) -> bytes:
    """A minimal .xlsx around a hand-written sheet, for shapes openpyxl would not write."""
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.'
        'org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return out.getvalue()


def _sheet(rows_xml: str, merges: list[str] = ()) -> str:
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main"><sheetData>{rows_xml}</sheetData>{merged}</worksheet>')


def _inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>'
                    for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _small_sheet_rows() -> str:
    return (_inline_row(1, ["姓名", "出生日期", "健康"]) + _inline_row(2, ["王秀英", "1950-01-01", "良好"])
            + _inline_row(3, ["李建国", "1951-02-02", "一般"]))


# ------------------------------------------------------------------ the queue and the progress page

def test_the_request_only_queues_the_reading_and_the_page_shows_progress(client, world, skills, monkeypatch):
    client.force_login(world.a.secretary)
    monkeypatch.setattr(Conf, "SYNC", False)  # a real ORM broker: the task waits for a worker
    response = _post(client, world.a.community, xlsx([HEADER, *good_rows()]))
    job = MemberImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("member_import_job", args=[world.a.community.pk, job.pk])
    assert job.status == MemberImportJob.Status.QUEUED
    waiting = client.get(response["Location"])
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()
    assert "created" not in waiting.context

    assert tasks.member_import_run(job.pk) == MemberImportJob.Status.DONE  # what the worker runs
    preview = client.get(response["Location"])
    assert preview.status_code == 200 and preview.context["created"] == 3
    assert not Member.objects.filter(name="王秀英").exists()
    confirm = client.post(reverse("member_import_confirm", args=[world.a.community.pk]))
    apply_job = MemberImportJob.objects.get(kind=MemberImportJob.Kind.APPLY)
    assert confirm["Location"] == reverse("member_import_job", args=[world.a.community.pk, apply_job.pk])
    assert not Member.objects.filter(name="王秀英").exists()  # nothing written in the request
    tasks.member_import_run(apply_job.pk)
    assert client.get(confirm["Location"]).status_code == 302
    assert Member.objects.filter(community=world.a.community, name__in=["王秀英", "李建国", "张桂兰"]).count() == 3


def test_progress_counts_rows_as_the_child_reads_them(world, skills, settings):
    rows = [HEADER] + [[f"成员{i}", f"138{i:08d}", "1950-01-01", "良好", "", "", ""] for i in range(1200)]
    seen = []
    sheet = read_sheet_isolated(csv_bytes(rows), "x.csv", progress=seen.append)
    assert len(sheet.rows) == 1200
    assert seen[:2] == [500, 1000]


def test_jobs_of_other_secretaries_and_communities_are_404(client, world, skills):
    client.force_login(world.a.secretary)
    _post(client, world.a.community, xlsx([HEADER, *good_rows()]))
    job = MemberImportJob.objects.get()
    client.force_login(world.b.secretary)
    assert client.get(reverse("member_import_job", args=[world.b.community.pk, job.pk])).status_code == 404
    assert client.get(reverse("member_import_job", args=[world.a.community.pk, job.pk])).status_code == 404


def test_import_jobs_and_their_uploads_are_forgotten_after_a_day(client, world, skills):
    import datetime as dt

    from volunteers.services.import_jobs import import_jobs_purge, upload_read

    client.force_login(world.a.secretary)
    _post(client, world.a.community, xlsx([HEADER, *good_rows()]))
    job = MemberImportJob.objects.get()
    assert upload_read(job.file_id, job.file_sha256) is not None
    assert import_jobs_purge(now=job.created_at + dt.timedelta(hours=23)) == 0
    assert import_jobs_purge(now=job.created_at + dt.timedelta(hours=25)) == 1
    assert not MemberImportJob.objects.exists() and upload_read(job.file_id, job.file_sha256) is None


# ------------------------------------------------------------------ hostile spreadsheets

def _preview_of(client, community, data):
    response = _post(client, community, data, follow=True)
    return response, response.context["plan"].file_error if response.context and "plan" in response.context else ""


def test_merged_cells_beyond_the_rows_any_sheet_may_have_are_refused(client, world, skills):
    client.force_login(world.a.secretary)
    data = _raw_xlsx(_sheet(_small_sheet_rows(), ["A4:BH30000"]))  # 1.8 million cells from a few kB
    response, error = _preview_of(client, world.a.community, data)
    assert response.status_code == 400 and "30000" in error


def test_merged_cells_below_the_data_are_refused(client, world, skills):
    client.force_login(world.a.secretary)
    data = _raw_xlsx(_sheet(_small_sheet_rows(), [f"A{r}:BH{r + 1}" for r in range(4, 20000, 2)]))
    assert len(data) < 200_000
    response, error = _preview_of(client, world.a.community, data)
    assert response.status_code == 400 and "19999" in error and not Member.objects.filter(name="王秀英").exists()


def test_merged_cells_inside_the_data_still_fill_in(client, world, skills):
    client.force_login(world.a.secretary)
    rows = (_inline_row(1, ["姓名", "出生日期", "健康", "所属社区"])
            + _inline_row(2, ["王秀英", "1950-01-01", "良好", "A社区"])
            + _inline_row(3, ["李建国", "1951-02-02", "一般"]))
    response, error = _preview_of(client, world.a.community, _raw_xlsx(_sheet(rows, ["D2:D3"])))
    assert response.status_code == 200 and not error and response.context["created"] == 2


@functools.lru_cache(maxsize=1)
def _heavy_sheet(rows: int, columns: int) -> bytes:
    """Many cells with varied values: costly to parse, yet not compressible enough to trip the zip-bomb guard."""
    rng = random.Random(16)
    header = _inline_row(1, ["姓名", "出生日期", "健康"])
    body = "".join(f'<row r="{r}">' + "".join(f'<c r="{chr(65 + c % 26)}{r}"><v>{rng.randrange(10**9)}</v></c>'
                                              for c in range(columns)) + "</row>" for r in range(2, rows + 2))
    return _raw_xlsx(_sheet(header + body))


def test_a_file_that_takes_too_much_cpu_is_stopped_with_a_plain_message(client, world, skills, settings):
    settings.IMPORT_CPU_SECONDS = 1
    data = _heavy_sheet(15000, 26)
    with pytest.raises(ImportFileError):
        read_sheet_isolated(data, "heavy.xlsx")
    client.force_login(world.a.secretary)
    response, error = _preview_of(client, world.a.community, data)
    assert response.status_code == 400 and error


def test_a_file_that_takes_too_much_memory_is_stopped_with_a_plain_message(world, settings):
    """1.2 million two-letter cells in 3.6 MB of CSV need far more than 16 MB once read into Python objects.
    (The limit is on memory beyond what the worker already maps, so the shape is made much larger than it.)"""
    settings.IMPORT_MEMORY_MB = 16
    settings.IMPORT_MAX_ROWS = 20_000
    data = ("姓名,出生日期,健康" + ",ab" * 57 + "\n").encode() + ("ab," * 59 + "ab\n").encode() * 20_000
    with pytest.raises(ImportFileError, match="memory|内存"):
        read_sheet_isolated(data, "wide.csv")
    settings.IMPORT_MEMORY_MB = 1024
    assert len(read_sheet_isolated(data, "wide.csv").rows) == 20_000  # the same file with room to read it

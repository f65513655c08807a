"""`scripts/demo.sh` stopped with `kill <pid>` or Ctrl-C stops what it started (issue #25: qcluster kept running).

The real script runs in a copy of the project whose `.venv/bin/python` is a stand-in: for `qcluster` and
`runserver` it starts a child and waits, as runserver's autoreloader (the server is its child) and qcluster (its
workers) do; every other command succeeds at once. A stand-in `id` makes the script skip its apt-get step. Starting
the real Django processes would need the whole demo seed; the process handling under test is the same."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FAKE_PYTHON = """#!/usr/bin/env bash
case "$2" in
  qcluster|runserver)
    sleep 300 &
    echo "$2 child $!" >> "$PIDS_FILE"
    echo "$2 parent $$" >> "$PIDS_FILE"
    wait ;;
  help) exit 1 ;;
  *) exit 0 ;;
esac
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.fixture
def demo(tmp_path):
    project = tmp_path / "yure"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "demo.sh", project / "scripts" / "demo.sh")
    (project / "scripts" / "venv.sh").write_text("venv_ready() { :; }\n")
    (project / "requirements.txt").write_text("")
    (project / ".venv" / "bin").mkdir(parents=True)
    python = project / ".venv" / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "id").write_text("#!/bin/sh\necho 1000\n")
    (bin_dir / "id").chmod(0o755)
    pids_file = tmp_path / "pids"
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PIDS_FILE": str(pids_file),
           "PORT": "18999"}
    started = []

    def start():
        process = subprocess.Popen(["bash", str(project / "scripts" / "demo.sh")], env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        started.append(process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            lines = pids_file.read_text().split("\n") if pids_file.exists() else []
            if len([line for line in lines if line]) == 4:
                break
            time.sleep(0.1)
        pids = {line.rsplit(" ", 1)[0]: int(line.rsplit(" ", 1)[1]) for line in pids_file.read_text().split("\n")
                if line}
        assert set(pids) == {"qcluster child", "qcluster parent", "runserver child", "runserver parent"}
        time.sleep(0.3)  # the traps are set right after the two start
        return process, pids

    yield start
    for process in started:  # never leave anything behind, even when an assertion failed
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
    for line in pids_file.read_text().split("\n") if pids_file.exists() else []:
        if line and _alive(int(line.rsplit(" ", 1)[1])):
            os.kill(int(line.rsplit(" ", 1)[1]), signal.SIGKILL)


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_stopping_demo_sh_stops_the_worker_and_the_server_with_their_children(demo, stop_with):
    process, pids = demo()
    assert all(_alive(pid) for pid in pids.values())
    process.send_signal(stop_with)
    process.wait(timeout=20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids.values()):
        time.sleep(0.1)
    assert [name for name, pid in pids.items() if _alive(pid)] == []
    assert process.returncode == (143 if stop_with == signal.SIGTERM else 130)


def test_the_worker_stops_when_the_server_ends_by_itself(demo):
    process, pids = demo()
    os.kill(pids["runserver parent"], signal.SIGKILL)  # e.g. the port was taken
    os.kill(pids["runserver child"], signal.SIGKILL)
    process.wait(timeout=20)
    deadline = time.monotonic() + 10
    # Both get the group's SIGTERM; on a loaded machine the child may still be exiting when the parent is gone.
    worker = (pids["qcluster parent"], pids["qcluster child"])
    while time.monotonic() < deadline and any(_alive(pid) for pid in worker):
        time.sleep(0.1)
    assert not _alive(pids["qcluster parent"]) and not _alive(pids["qcluster child"])

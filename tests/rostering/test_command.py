"""`manage.py roster`: the stable command-line interface for cron, scripts and outside checks."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from shifts.weeks import iso_week_label

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def roster(*args) -> dict:
    out = StringIO()
    call_command("roster", *args, stdout=out)
    return json.loads(out.getvalue())


def test_generate_status_export_and_publish(town, settings, tmp_path):
    settings.SOLVER_TIME_LIMIT = 3
    name, week = town["community"].name, iso_week_label(town["week_start"])
    data = roster("generate", "--community", name, "--week", week, "--wait", "--pickup", "0", "--json")
    assert data["status"] == "draft" and data["run"]["status"] == "succeeded"
    assert data["objective"] is not None and data["bound"] is not None and data["gap"] is not None
    assert data["fill_rate"] == 1.0 and data["unfilled"] == []
    status = roster("status", "--community", str(town["community"].pk), "--week", town["week_start"].isoformat(),
                    "--json")
    assert status["roster"]["id"] == data["roster"]["id"] and status["status"] == "draft"

    problem, solution = tmp_path / "p.json", tmp_path / "s.json"
    call_command("roster", "export", "--community", name, "--week", week, "--problem", str(problem),
                 "--solution", str(solution), stdout=StringIO())
    assert json.loads(solution.read_text())["objective"] == data["objective"]
    spec_fields = {"format", "timezone", "horizon", "duties", "members", "shifts", "rules", "weights",
                   "visit_targets", "pins", "forbid", "previous"}  # docs/roster-problem.md, without extensions
    assert set(json.loads(problem.read_text())) <= spec_fields
    check = subprocess.run([sys.executable, "-m", "solver", "check", str(problem), str(solution)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr

    published = roster("publish", "--community", name, "--week", week, "--json")
    assert published["status"] == "published" and published["roster"]["version"] == 1
    with pytest.raises(CommandError, match="no draft to publish"):
        call_command("roster", "publish", "--community", name, "--week", week, stdout=StringIO())


def test_text_summary_lists_unfilled_shifts_with_reasons(town, settings):
    settings.SOLVER_TIME_LIMIT = 3
    for member in town["members"]:
        member.skills.remove(*member.skills.filter(code="mediation"))
    out = StringIO()
    call_command("roster", "generate", "--community", town["community"].name, "--week",
                 town["week_start"].isoformat(), "--wait", "--pickup", "0", stdout=out)
    text = out.getvalue()
    assert "draft" in text and "fill rate" in text
    assert "unfilled s" in text and "技能" in text


@pytest.mark.parametrize("args, message", [
    (["--community", "没有这个社区", "--week", "2026-W48"], "--community: no community"),
    (["--community", "幸福里", "--week", "2026-W60"], "--week: '2026-W60' is not a week"),
])
def test_bad_arguments_name_the_option(town, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("roster", "status", *args, stdout=StringIO())

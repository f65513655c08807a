"""A district generate on the deployed service: every community gets a draft, and the improvement tasks run."""

import json
import re

import pytest

from .test_roster import SOLVE_DEADLINE, roster_status

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

DISTRICT = "示范街道"  # the demo district (shifts.demo.DISTRICT)


def _tasks_of(admin, group: str, kind: str) -> list[str]:
    """The function names of the job's tasks on the admin's successful (kind="success") or failed task list."""
    page = admin.get(f"/admin/django_q/{kind}/", q=group)
    return re.findall(r'<td class="field-func">([^<]+)</td>', page.html)


def test_a_district_generate_drafts_every_community_and_improves_them(deployment, admin, weeks):
    week = weeks[1]
    out = deployment.manage("roster", "district", "--district", DISTRICT, "--week", week, "--json").stdout
    queued = json.loads(out)
    communities = [item["community"]["id"] for item in queued["communities"]]
    assert len(communities) == 3

    def drafted():
        statuses = [roster_status(deployment, week, community) for community in communities]
        failed = [s["run"]["error"] for s in statuses if s["status"] == "failed"]
        assert not failed, failed
        return all(s["status"] == "draft" for s in statuses)

    deployment.wait_until(drafted, SOLVE_DEADLINE, f"a draft in each community of {DISTRICT}", interval=2)
    # The demo's communities share members, so the collect step queues improvement tasks for them.
    deployment.wait_until(lambda: any("improve" in func for func in _tasks_of(admin, queued["job"], "success")),
                          SOLVE_DEADLINE, "the district's improvement tasks", interval=2,
                          detail=lambda: f"tasks done so far: {_tasks_of(admin, queued['job'], 'success')}")
    assert _tasks_of(admin, queued["job"], "failure") == []

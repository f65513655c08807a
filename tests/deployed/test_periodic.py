"""The periodic schedules `migrate` creates, run by the cluster's own scheduler (the no-show check: test_welfare)."""

import re

import pytest

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

SCHEDULER_DEADLINE = 150  # django-q2's scheduler looks every 30 s; a busy machine adds to that


def schedule_row(admin, name: str) -> str:
    page = admin.get("/admin/django_q/schedule/", q=name)
    rows = [row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.html, flags=re.S) if f">{name}<" in row]
    assert len(rows) == 1, f"schedule {name} is not listed once on the admin's schedule list: {page.text[:1500]}"
    return rows[0]


def test_the_schedules_migrate_created_are_run_by_the_cluster(deployment, admin):
    """yure.solve_recover runs every minute: the scheduler must have run it, and it must have succeeded."""
    def ran():
        row = schedule_row(admin, "yure.solve_recover")
        return row if "/admin/django_q/success/" in row or "/admin/django_q/failure/" in row else None

    row = deployment.wait_until(ran, SCHEDULER_DEADLINE, "the scheduler to run yure.solve_recover", interval=3)
    assert "/admin/django_q/success/" in row, f"yure.solve_recover failed: {row}"

"""Rostering: the roster lifecycle (tasks run synchronously through django-q2's real worker code path), the week
grid, set-up, printouts and the member's pages. Shared fixtures (town, site, staff, run_on_commit) are in
tests/conftest.py."""

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture(autouse=True)
def _fast_passwords(fast_passwords):
    """Logins are made per test; the slow production hasher adds nothing here."""


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

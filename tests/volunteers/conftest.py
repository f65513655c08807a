"""Volunteers: the member list and profile, member import, and the calendars (school days, holidays) that shape
members' rules. Shared fixtures (site, staff, run_on_commit) are in tests/conftest.py."""

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(fast_passwords):
    """Logins are made per test; the slow production hasher adds nothing here."""

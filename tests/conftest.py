"""Shared fixtures: a small community with duties, members and staff logins."""

import datetime as dt

import pytest


@pytest.fixture
def week_start() -> dt.date:
    """A Monday in the future, so nothing in it counts as past."""
    from django.utils import timezone
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())

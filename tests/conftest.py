"""Shared fixtures. Tests run with production settings except for what a test client cannot do."""

import datetime as dt

import pytest


@pytest.fixture(autouse=True)
def _test_transport(settings):
    # The test client speaks plain HTTP and there is no collectstatic step before tests.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture
def week_start() -> dt.date:
    """The Monday of next week, so nothing in it counts as past."""
    from django.utils import timezone
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday())

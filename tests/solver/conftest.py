"""Solver tests are pure Python: they must run with or without pytest-django."""

import types

import pytest


@pytest.fixture
def settings():
    # Shadows pytest-django's fixture so the project-wide autouse fixture in
    # tests/conftest.py works even under ``-p no:django``; solver tests never touch Django.
    return types.SimpleNamespace(STORAGES={})

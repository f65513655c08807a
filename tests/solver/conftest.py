"""Solver tests are pure Python: they must run with or without pytest-django.

Every autouse fixture of ``tests/conftest.py`` (they need Django settings) is
shadowed here, under the same name, by a no-op, as in ``tests/solver_bench``.
"""

import types

import pytest

import tests.conftest as shared


@pytest.fixture
def settings():
    # Solver tests never touch Django.
    return types.SimpleNamespace(STORAGES={})


def _no_op():
    yield


def _shadow_autouse_fixtures() -> None:
    for name, value in list(vars(shared).items()):
        marker = getattr(value, "_fixture_function_marker", None)
        if marker is not None and marker.autouse:
            globals()[name] = pytest.fixture(autouse=True, name=marker.name or name)(_no_op)


_shadow_autouse_fixtures()

"""The solver benchmarks run without Django (``-p no:django``).

``tests/conftest.py`` holds autouse fixtures that need Django settings. Every
autouse fixture defined there is shadowed here, under the same name, by a
no-op, so this directory needs no settings however many are added later.
"""

import pytest

import tests.conftest as shared


def _no_op():
    yield


def _shadow_autouse_fixtures() -> None:
    for name, value in list(vars(shared).items()):
        marker = getattr(value, "_fixture_function_marker", None)
        if marker is not None and marker.autouse:
            globals()[name] = pytest.fixture(autouse=True, name=marker.name or name)(_no_op)


_shadow_autouse_fixtures()

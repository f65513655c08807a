"""The solver benchmarks run without Django (``-p no:django``).

``tests/conftest.py`` has Django-only autouse fixtures; the same names here
override them with no-ops for this directory, so it needs no settings.
"""

import pytest


@pytest.fixture(autouse=True)
def _test_transport():
    yield

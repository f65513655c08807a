import pytest


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a callable and then the on_commit callbacks it registered (and those they register)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return call

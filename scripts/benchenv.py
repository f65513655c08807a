"""What every benchmark script needs: Django started with settings fit for a local measurement, and a
scratch database to measure in. Variables already in the environment win, so DATABASE_URL=postgres://…
measures on PostgreSQL."""

import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "scheduler_site.settings",
    "SECRET_KEY": "bench-only-" + "k" * 40,
    "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "LOG_LEVEL": "WARNING",
}


def django_start(**env: str) -> None:
    """Put the project on sys.path, fill in the environment defaults (plus `env`), then set Django up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for name, value in {**DEFAULTS, **env}.items():
        os.environ.setdefault(name, value)
    import django

    django.setup()


@contextlib.contextmanager
def scratch_database():
    """A throwaway test database beside the configured one, dropped on the way out; yields the connection."""
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

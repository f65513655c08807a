"""Queue tasks for people's data: plain importable functions that call the services."""

import logging

from volunteers.services import import_jobs
from volunteers.services.import_jobs import import_job_run, import_jobs_purge, import_task_guarded
from volunteers.services.logins import code_login_failures_purge, login_tokens_purge
from volunteers.services.retention import retention_run

logger = logging.getLogger(__name__)


def retention_daily() -> dict:
    """Anonymise members past the retention period, purge spent login links and day-old member imports;
    idempotent, runs daily."""
    anonymised = retention_run()
    purged = login_tokens_purge()
    code_login_failures_purge()
    imports = import_jobs_purge()
    logger.info("retention: %d members anonymised, %s login links and %d imports purged", anonymised, purged, imports)
    return {"anonymised": anonymised, "purged": purged, "imports": imports}


def member_import_run(job_id: int) -> str:
    """Read (in a resource-limited child process), check and, when confirmed, import one member list; if it
    fails, its job says so."""
    return import_task_guarded(job_id, import_job_run)


def import_jobs_expire() -> int:
    """Fail the import jobs (members, attendance) still unfinished past their deadline; every two minutes."""
    return import_jobs.import_jobs_expire()

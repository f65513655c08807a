"""Queue tasks for people's data: plain importable functions that call the services."""

import logging

from volunteers.services.logins import login_tokens_purge
from volunteers.services.retention import retention_run

logger = logging.getLogger(__name__)


def retention_daily() -> dict:
    """Anonymise members past the retention period and purge spent login links; idempotent, runs daily."""
    anonymised = retention_run()
    purged = login_tokens_purge()
    logger.info("retention: %d members anonymised, %s login links purged", anonymised, purged)
    return {"anonymised": anonymised, "purged": purged}

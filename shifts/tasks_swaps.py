"""Queue jobs for swaps. Plain importable functions: django-q2 runs them by dotted name."""

import logging

from shifts.services.swaps import swaps_expire

logger = logging.getLogger(__name__)


def swaps_expire_due() -> int:
    """Close swap requests whose time has come and tell the requesters; runs every 15 minutes (idempotent).

    Acceptance and approval also check the expiry themselves, so a late run never lets an expired request
    through; this job only makes sure the requester hears in time."""
    return swaps_expire()

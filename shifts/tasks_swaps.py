"""Queue jobs for swaps. Plain importable functions: django-q2 runs them by dotted name."""

import logging

from shifts.services.swaps import swaps_expire

logger = logging.getLogger(__name__)


def swaps_expire_due() -> int:
    """Close swap requests whose time has come and tell the requesters; runs every 15 minutes (idempotent).

    Acceptance and approval also check the expiry themselves, so a late run never lets an expired request
    through; this job only makes sure the requester hears in time."""
    return swaps_expire()


def swap_messages_send(swap_id: int, kind: str) -> None:
    """Send the messages for one swap event (kind like "swaps/applied"); enqueued after the swap commits."""
    from shifts.services.swaps import swap_messages_send as send

    send(swap_id=swap_id, kind=kind)

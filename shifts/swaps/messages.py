"""Messages for member-to-member swaps: who hears of which event, queued after the swap commits."""

import logging

from django.urls import reverse

from shifts.messaging import jobs as message_jobs
from shifts.messaging import notify
from shifts.messaging.labels import shift_label
from shifts.models import SwapRequest
from shifts.swaps.rules import Kind
from shifts.swaps.selectors import swap_candidates
from volunteers.models import Member

logger = logging.getLogger(__name__)

# Give-away offers are announced to at most this many of the most lightly loaded eligible colleagues.
ANNOUNCE_MAX = 20


def swap_messages_queue(swap_id: int, kind: str) -> None:
    """Inside the swap's transaction: record that this event's messages are owed, and queue them once it
    commits (mail must not hold up a page). A broker that is down delays them until the catch-up, never loses
    them (shifts.messaging.jobs)."""
    message_jobs.message_job_queue(task="shifts.tasks.swap_messages_send", args=[swap_id, kind],
                                   key=f"{kind}:{swap_id}")


def swap_messages_send(*, swap_id: int, kind: str) -> None:
    """Send the messages for one event of a swap. One place decides who hears of what: the requester always
    hears the outcome, the colleague who took it too, the secretary approvals and applied swaps. Idempotent:
    every message has a dedupe key."""
    swap = (SwapRequest.objects.select_related("requester", "accepted_by", "assignment__shift__duty",
                                               "assignment__shift__community", "counterpart_assignment__member",
                                               "counterpart_assignment__shift__duty")
            .filter(pk=swap_id).first())
    if swap is None or swap.assignment is None:
        return
    context = _message_context(swap)
    both = [swap.requester] + ([swap.accepted_by] if swap.accepted_by_id else [])
    people = {
        "swaps/offered": lambda: _recipients_of_offer(swap),
        "swaps/expired": lambda: [swap.requester],
        "swaps/withdrawn": lambda: [swap.accepted_by] if swap.accepted_by_id else [],
    }.get(kind, lambda: both)()
    for person in people:  # each reader is addressed as themselves ("您已同意接替…"), the others by name
        notify.notify_member(member=person, kind=kind, dedupe_key=f"{kind}:{swap.pk}:{person.pk}",
                             context={**context, "reader_is_taker": person.pk == swap.accepted_by_id,
                                      "reader_is_requester": person.pk == swap.requester_id})
    if kind in ("swaps/awaiting_approval", "swaps/applied"):
        notify.notify_staff(community=swap.assignment.shift.community, kind=kind,
                            dedupe_key=f"{kind}:{swap.pk}", context=context)


def _recipients_of_offer(swap: SwapRequest) -> list[Member]:
    if swap.kind == Kind.COVER:
        return list(swap.invited.all())
    if swap.kind == Kind.DIRECT:
        return [swap.counterpart_assignment.member] if swap.counterpart_assignment else []
    return [c.member for c in swap_candidates(assignment=swap.assignment).candidates[:ANNOUNCE_MAX]]


def _message_context(swap: SwapRequest) -> dict:
    return {
        "swap_id": swap.pk, "kind": swap.kind, "state": swap.state,
        "requester": swap.requester.name, "taker": swap.accepted_by.name if swap.accepted_by_id else "",
        "shift": shift_label(swap.assignment.shift),
        "counterpart_shift": shift_label(swap.counterpart_assignment.shift) if swap.counterpart_assignment else "",
        "note": swap.note, "decision_note": swap.decision_note, "refusal": swap.refusal,
        "expires_at": swap.expires_at, "swap_path": reverse("swap_home"), "inbox_path": reverse("swap_inbox"),
    }

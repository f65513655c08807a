"""Applying an agreed swap to the published roster, and closing requests whose time has come.

Locking order, everywhere: the SwapRequest row, then the published Roster rows (by pk), then Assignment rows.
"""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import signals
from shifts.messaging.labels import shift_label
from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SwapRequest
from shifts.rostering.follow import plans_follow
from shifts.rostering.rosters import exclusion_record
from shifts.swaps.messages import swap_messages_queue
from shifts.swaps.rules import PENDING, Kind, RuleChecker, State, SwapError, SwapRefused, swap_moves
from volunteers.models import Community
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


def swap_locked(swap: SwapRequest) -> SwapRequest:
    return (SwapRequest.objects.select_for_update(of=("self",))
            .select_related("requester", "accepted_by", "assignment__shift__duty__lead_skill",
                            "assignment__shift__community", "assignment__roster",
                            "counterpart_assignment__shift__duty__lead_skill", "counterpart_assignment__roster")
            .get(pk=swap.pk))


def swap_expire_if_due(swap: SwapRequest, now) -> bool:
    if swap.state in PENDING and swap.expires_at <= now:
        swap_set_state(swap, State.EXPIRED)
        audit_log(action="shifts.swap.expired", community=swap_community(swap), obj=swap)
        swap_messages_queue(swap.pk, "swaps/expired")
        return True
    return False


def swap_community(swap: SwapRequest) -> Community | None:
    return swap.assignment.shift.community if swap.assignment_id else None


def swap_set_state(swap: SwapRequest, state: str, **fields) -> None:
    swap.state = state
    for name, value in fields.items():
        setattr(swap, name, value)
    swap.full_clean()
    swap.save()


def swap_refuse(swap: SwapRequest, exc: SwapError, *, by) -> None:
    swap.refresh_from_db(fields=["state", "applied_at"])
    swap_set_state(swap, State.DECLINED, refusal=exc.message[:300])
    audit_log(action="shifts.swap.refused", actor=by, community=swap_community(swap), obj=swap,
              reason=exc.message)
    swap_messages_queue(swap.pk, "swaps/refused")


def swap_apply(swap: SwapRequest, *, by, now) -> None:
    """Change the published roster. Runs inside the caller's transaction with the swap row locked; raises
    SwapRefused (and changes nothing) when the shift changed hands or a rule would break."""
    taker = swap.accepted_by
    moves = swap_moves(swap, taker)
    roster_ids = sorted({swap.assignment.roster_id}
                        | ({swap.counterpart_assignment.roster_id} if swap.counterpart_assignment else set()))
    rosters = {r.pk: r for r in Roster.objects.select_for_update().filter(pk__in=roster_ids).order_by("pk")}
    targets = [swap.assignment] + ([swap.counterpart_assignment] if swap.kind == Kind.DIRECT else [])
    if any(t is None for t in targets):
        raise SwapRefused([_("a shift in this swap is no longer on the roster")])
    locked = {a.pk: a for a in Assignment.objects.select_for_update().filter(pk__in=[t.pk for t in targets])}
    owners = [swap.requester_id] + ([taker.pk] if swap.kind == Kind.DIRECT else [])
    for target, owner in zip(targets, owners, strict=True):
        current = locked.get(target.pk)
        if current is None or current.member_id != owner:
            raise SwapRefused([_("%(shift)s has changed hands since the request")
                               % {"shift": shift_label(target.shift)}])
        if rosters[current.roster_id].status != Roster.Status.PUBLISHED:
            raise SwapRefused([_("that week's roster is closed: it has been replaced or withdrawn")])
        if target.shift.start <= now:
            raise SwapRefused([_("%(shift)s has already started") % {"shift": shift_label(target.shift)}])
    found = RuleChecker().breaks(moves)
    if found:
        raise SwapRefused([b.text for b in found])
    new_owner = {swap.assignment.pk: taker}
    if swap.kind == Kind.DIRECT:
        new_owner[swap.counterpart_assignment.pk] = swap.requester
    for pk, member in new_owner.items():
        Assignment.objects.filter(pk=pk).update(member=member, source=Assignment.Source.SWAP, override_reason="",
                                                created_by=by if getattr(by, "is_authenticated", False) else None)
    for move in moves:  # the giver handed the shift on: no later plan of the week puts them back on it
        exclusion_record(shift=move.shift, member=move.remove, cause=ShiftExclusion.Cause.GAVE_AWAY,
                         reason=_("gave the shift to %(name)s") % {"name": move.add.name}, by=by)
    shift_ids = {t.shift_id for t in targets}
    Shift.objects.filter(pk__in=shift_ids).update(sequence=F("sequence") + 1, updated_at=now)
    swap_set_state(swap, State.APPLIED, applied_at=now)
    audit_log(action="shifts.assignment.swapped", actor=by, community=swap_community(swap), obj=swap,
              data={"kind": swap.kind, "shifts": sorted(shift_ids),
                    "moves": [{"shift": m.shift.pk, "from": m.remove.pk, "to": m.add.pk} for m in moves]})
    member_ids = {swap.requester_id, taker.pk}
    community_ids = {rosters[r].community_id for r in roster_ids}
    swap_id = swap.pk
    transaction.on_commit(lambda: signals.assignments_changed.send(
        sender=SwapRequest, member_ids=member_ids, shift_ids=shift_ids, community_ids=community_ids))
    swap_messages_queue(swap_id, "swaps/applied")
    for roster in rosters.values():  # a draft or proposal of the week must not book the giver back
        transaction.on_commit(partial(plans_follow, community=roster.community, week_start=roster.week_start,
                                      cause="swap"))
    logger.info("swap %s applied: shifts %s, members %s", swap.pk, sorted(shift_ids), sorted(member_ids))


# --------------------------------------------------------------------------------------------- expiry

def swaps_expire(*, now: dt.datetime | None = None) -> int:
    """Close every pending request whose time has come and tell the requester. Idempotent; returns how many
    it closed."""
    now = now or timezone.now()
    closed = 0
    for pk in SwapRequest.objects.filter(state__in=PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            swap = swap_locked(SwapRequest(pk=pk))
            closed += swap_expire_if_due(swap, now)
    if closed:
        logger.info("expired %d swap requests", closed)
    return closed

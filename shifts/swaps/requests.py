"""Member-to-member shift swaps on the published roster.

Three kinds (SwapRequest.Kind): a direct swap of two members' shifts, a give-away to anyone eligible and a
request for cover sent to chosen colleagues. States: open -> accepted -> (approved, when the community wants
the secretary's approval) -> applied, or declined / withdrawn / expired.

The giver stays on the shift until the swap is applied. Every rule check goes through the optimizer's own
checker (solver.member_violations / solver.pair_exclusion) on the proposed published roster built by
shifts.rostering.problem (the slice of the week the swap touches), so the swap form and the optimizer can never
disagree about a rule.

Locking order, everywhere: the SwapRequest row, then the published Roster rows (by pk), then Assignment rows.
"""
import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shifts.models import Assignment, Roster, SwapRequest
from shifts.swaps.apply import (
    swap_apply,
    swap_community,
    swap_expire_if_due,
    swap_locked,
    swap_refuse,
    swap_set_state,
)
from shifts.swaps.messages import swap_messages_queue
from shifts.swaps.rules import (
    CLOSED,
    PENDING,
    Kind,
    Move,
    RuleChecker,
    State,
    SwapError,
    SwapRefused,
    swap_moves,
)
from shifts.swaps.selectors import swap_anyone_can_take, swap_candidates
from volunteers.models import Member
from volunteers.selectors import communities_for, is_district_admin
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

MAX_OPEN_REQUESTS = 3
# How long before the shift a request stops being answerable; offered as choices in the form.
EXPIRY_CHOICES_MINUTES = (0, 120, 24 * 60, 48 * 60)

def _check_assignment_open(assignment: Assignment | None, member: Member, *, field: str, now) -> None:
    """The shift is still this member's, on the live published roster, and has not started."""
    if assignment is None:
        raise SwapError(_("That shift no longer exists on the roster."), field=field)
    if assignment.member_id != member.pk:
        raise SwapError(_("That shift is not %(name)s's.") % {"name": member.name}, field=field)
    if assignment.roster.status != Roster.Status.PUBLISHED:
        raise SwapError(_("That week's roster is closed: it has been replaced or withdrawn."), field=field)
    if assignment.shift.start <= now:
        raise SwapError(_("That shift has already started or is over."), field=field)


def swap_request_create(*, requester: Member, kind: str, assignment: Assignment,
                        counterpart_assignment: Assignment | None = None, invited=(), note: str = "",
                        expires_minutes_before: int = 0, by=None) -> SwapRequest:
    """Open a request. Checks ownership, the roster week, the open-request limit and, before anything goes
    out, the rules for everyone involved."""
    now = timezone.now()
    if kind not in Kind.values:
        raise SwapError(_("Choose what kind of request this is."), field="kind")
    _check_assignment_open(assignment, requester, field="assignment", now=now)
    if expires_minutes_before not in EXPIRY_CHOICES_MINUTES:
        raise SwapError(_("Choose when the request should close."), field="expires")
    expires_at = assignment.shift.start - dt.timedelta(minutes=expires_minutes_before)
    if expires_at <= now:
        raise SwapError(_("It is too late for that: the request would already be closed."), field="expires")
    invited = list(invited)
    checker = RuleChecker()
    with transaction.atomic():
        Member.objects.select_for_update().filter(pk=requester.pk).first()  # serialises one member's requests
        pending = SwapRequest.objects.filter(requester=requester, state__in=PENDING, expires_at__gt=now)
        if pending.count() >= MAX_OPEN_REQUESTS:
            raise SwapError(ngettext("You already have %(n)d open request; withdraw one first.",
                                     "You already have %(n)d open requests; withdraw one first.",
                                     MAX_OPEN_REQUESTS) % {"n": MAX_OPEN_REQUESTS})
        if SwapRequest.objects.filter(state__in=PENDING, expires_at__gt=now).filter(
                Q(assignment=assignment) | Q(counterpart_assignment=assignment)).exists():
            raise SwapError(_("There is already an open request for that shift."), field="assignment")
        if kind == Kind.DIRECT:
            _check_direct(assignment, counterpart_assignment, requester, checker, now)
        elif kind == Kind.COVER:
            _check_cover(assignment, invited, requester, checker)
        elif not swap_anyone_can_take(assignment=assignment, checker=checker):
            raise SwapError(swap_candidates(assignment=assignment, checker=checker).explanation)
        swap = SwapRequest(kind=kind, requester=requester, assignment=assignment, note=note.strip()[:300],
                           counterpart_assignment=counterpart_assignment if kind == Kind.DIRECT else None,
                           expires_at=expires_at)
        swap.full_clean()
        swap.save()
        if kind == Kind.COVER:
            swap.invited.set(invited)
        audit_log(action="shifts.swap.requested", actor=by, community=assignment.shift.community, obj=swap,
                  data={"kind": kind, "shift": assignment.shift_id, "invited": [m.pk for m in invited],
                        "counterpart": counterpart_assignment.pk if counterpart_assignment else None})
        swap_messages_queue(swap.pk, "swaps/offered")
    logger.info("swap %s opened (%s) by member %s for shift %s", swap.pk, kind, requester.pk, assignment.shift_id)
    return swap


def _check_direct(assignment, counterpart, requester, checker, now) -> None:
    if counterpart is None:
        raise SwapError(_("Choose the colleague's shift you would take in return."), field="counterpart")
    if counterpart.member_id == requester.pk or counterpart.shift_id == assignment.shift_id:
        raise SwapError(_("Choose a colleague's shift, not your own."), field="counterpart")
    if counterpart.roster.status != Roster.Status.PUBLISHED:
        raise SwapError(_("That week's roster is closed: it has been replaced or withdrawn."), field="counterpart")
    if counterpart.shift.start <= now:
        raise SwapError(_("That shift has already started or is over."), field="counterpart")
    found = checker.breaks([Move(assignment.shift, requester, counterpart.member),
                            Move(counterpart.shift, counterpart.member, requester)])
    if found:
        raise SwapRefused([b.text for b in found])


def _check_cover(assignment, invited, requester, checker) -> None:
    if not invited:
        raise SwapError(_("Choose at least one colleague to ask."), field="invited")
    fitting = {c.member.pk for c in swap_candidates(assignment=assignment, checker=checker).candidates}
    unfit = [m for m in invited if m.pk not in fitting]
    if unfit:
        raise SwapError(_("These colleagues cannot take this shift under the roster rules: %(names)s.")
                        % {"names": ", ".join(m.name for m in unfit)}, field="invited")
    if any(m.pk == requester.pk for m in invited):
        raise SwapError(_("You cannot ask yourself."), field="invited")


def swap_request_accept(*, swap: SwapRequest, member: Member, by=None) -> SwapRequest:
    """`member` takes the offer. Exactly one acceptance wins (row lock); the rules are checked again. Without
    approval the swap is applied at once, in the same transaction."""
    now = timezone.now()
    expired = False
    with transaction.atomic():
        swap = swap_locked(swap)
        expired = swap_expire_if_due(swap, now)
        if not expired:
            _check_can_accept(swap, member)
            _check_assignment_open(swap.assignment, swap.requester, field="assignment", now=now)
            found = RuleChecker().breaks(swap_moves(swap, member))
            if found:
                raise SwapRefused([b.text for b in found])
            swap_set_state(swap, State.ACCEPTED, accepted_by=member)
            audit_log(action="shifts.swap.accepted", actor=by, community=swap_community(swap), obj=swap,
                      data={"member": member.pk})
            if swap.assignment.shift.community.swap_requires_approval:
                swap_messages_queue(swap.pk, "swaps/awaiting_approval")
            else:
                swap_apply(swap, by=by, now=now)
    if expired:
        raise SwapError(_("This request has expired."))
    return swap


def _check_can_accept(swap: SwapRequest, member: Member) -> None:
    if swap.state != State.OPEN:
        if swap.state in (State.ACCEPTED, State.APPROVED, State.APPLIED):
            raise SwapError(_("Someone else has already taken this shift."))
        raise SwapError(_("This request is no longer open."))
    if member.pk == swap.requester_id:
        raise SwapError(_("You cannot accept your own request."))
    if swap.kind == Kind.COVER and not swap.invited.filter(pk=member.pk).exists():
        raise SwapError(_("This request was sent to other colleagues."))
    if swap.kind == Kind.DIRECT and (swap.counterpart_assignment is None
                                     or swap.counterpart_assignment.member_id != member.pk):
        raise SwapError(_("This swap was offered to another colleague."))


def swap_request_decline(*, swap: SwapRequest, member: Member, by=None) -> SwapRequest:
    """An asked colleague says no. A direct swap is then declined; a cover request is declined once every
    colleague asked has said no."""
    with transaction.atomic():
        swap = swap_locked(swap)
        if swap.state != State.OPEN:
            raise SwapError(_("This request is no longer open."))
        if swap.kind == Kind.DIRECT and swap.counterpart_assignment and \
                swap.counterpart_assignment.member_id == member.pk:
            swap_set_state(swap, State.DECLINED)
        elif swap.kind == Kind.COVER and swap.invited.filter(pk=member.pk).exists():
            swap.invited.remove(member)
            if not swap.invited.exists():
                swap_set_state(swap, State.DECLINED)
        else:
            raise SwapError(_("This request was not sent to you."))
        audit_log(action="shifts.swap.declined", actor=by, community=swap_community(swap), obj=swap,
                  data={"member": member.pk})
        if swap.state == State.DECLINED:
            swap_messages_queue(swap.pk, "swaps/declined")
    return swap


def swap_request_withdraw(*, swap: SwapRequest, member: Member, by=None) -> SwapRequest:
    """The requester takes the request back; possible until it is applied."""
    with transaction.atomic():
        swap = swap_locked(swap)
        if swap.requester_id != member.pk:
            raise SwapError(_("Only the person who asked can withdraw this request."))
        if swap.state not in PENDING:
            raise SwapError(_("This request is no longer open."))
        swap_set_state(swap, State.WITHDRAWN)
        audit_log(action="shifts.swap.withdrawn", actor=by, community=swap_community(swap), obj=swap)
        if swap.accepted_by_id:
            swap_messages_queue(swap.pk, "swaps/withdrawn")
    return swap


def _check_staff_scope(swap: SwapRequest, by) -> None:
    community = swap_community(swap)
    if community is None or not (is_district_admin(by) or communities_for(by).filter(pk=community.pk).exists()):
        raise SwapError(_("This swap is not in one of your communities."))


def swap_request_approve(*, swap: SwapRequest, by, note: str = "") -> SwapRequest:
    """The secretary approves an accepted swap; it is applied at once, or refused (and declined) with the
    reason when it would now break a rule. Raises SwapRefused in that case, after recording the refusal."""
    now = timezone.now()
    refused: SwapRefused | None = None
    expired = False
    with transaction.atomic():
        swap = swap_locked(swap)
        _check_staff_scope(swap, by)
        expired = swap_expire_if_due(swap, now)
        if not expired:
            if swap.state in CLOSED:
                raise SwapError(_("This request is no longer open."))
            if swap.state != State.ACCEPTED:
                raise SwapError(_("Only a swap a colleague has accepted can be approved."))
            swap_set_state(swap, State.APPROVED, decided_by=by, decision_note=note.strip()[:300])
            try:
                with transaction.atomic():  # a refusal rolls back the assignment changes only
                    swap_apply(swap, by=by, now=now)
            except SwapRefused as exc:
                refused = exc
                swap_refuse(swap, exc, by=by)
    if expired:
        raise SwapError(_("This request has expired."))
    if refused is not None:
        raise refused
    return swap


def swap_request_reject(*, swap: SwapRequest, by, note: str = "") -> SwapRequest:
    """The secretary declines an accepted (or still open) swap, with a note both members see."""
    with transaction.atomic():
        swap = swap_locked(swap)
        _check_staff_scope(swap, by)
        if swap.state not in PENDING:
            raise SwapError(_("This request is no longer open."))
        swap_set_state(swap, State.DECLINED, decided_by=by, decision_note=note.strip()[:300])
        audit_log(action="shifts.swap.declined", actor=by, community=swap_community(swap), obj=swap, reason=note)
        swap_messages_queue(swap.pk, "swaps/declined")
    return swap

"""Member-to-member shift swaps on the published roster.

Three kinds (SwapRequest.Kind): a direct swap of two members' shifts, a give-away to anyone eligible and a
request for cover sent to chosen colleagues. States: open -> accepted -> (approved, when the community wants
the secretary's approval) -> applied, or declined / withdrawn / expired.

The giver stays on the shift until the swap is applied. Every rule check goes through the optimizer's own
checker (solver.member_violations / solver.pair_exclusion) on the proposed published roster built by
shifts.services.problem, so the swap form and the optimizer can never disagree about a rule.

Locking order, everywhere: the SwapRequest row, then the published Roster rows (by pk), then Assignment rows.
"""

import datetime as dt
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shifts import signals
from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SwapRequest
from shifts.models.shifts import wall_minutes
from volunteers.models import Community, Member
from volunteers.selectors import communities_for, is_district_admin, members_serving
from volunteers.services.audit import ACTION_LABELS, audit_log

from .labels import shift_label
from .repair import rosters_follow_decisions
from .rosters import exclusion_record
from .rules import REASON_ORDER, WeekRules, reason_sentence
from .rules import Move as RuleMove
from .weeks import week_start_of

logger = logging.getLogger(__name__)

MAX_OPEN_REQUESTS = 3
# How long before the shift a request stops being answerable; offered as choices in the form.
EXPIRY_CHOICES_MINUTES = (0, 120, 24 * 60, 48 * 60)
# Direct swaps look this far ahead for a colleague's shift to trade, and offer at most this many.
DIRECT_LOOKAHEAD = dt.timedelta(days=21)
DIRECT_MAX_OPTIONS = 40
# Give-away offers are announced to at most this many of the most lightly loaded eligible colleagues.
ANNOUNCE_MAX = 20

State = SwapRequest.State
Kind = SwapRequest.Kind
PENDING = (State.OPEN, State.ACCEPTED, State.APPROVED)
CLOSED = (State.APPLIED, State.DECLINED, State.WITHDRAWN, State.EXPIRED)

ACTION_LABELS.update({
    "shifts.swap.requested": "Swap requested",
    "shifts.swap.accepted": "Swap accepted",
    "shifts.swap.declined": "Swap declined",
    "shifts.swap.withdrawn": "Swap withdrawn",
    "shifts.swap.expired": "Swap expired",
    "shifts.swap.refused": "Swap refused by the rules",
    "shifts.assignment.swapped": "Shift swapped",
})


class SwapError(Exception):
    """A request that cannot go ahead; `message` is plain language for the person who asked, `field` names
    the form field at fault when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class SwapRefused(SwapError):
    """The swap would break a roster rule; `reasons` lists each broken rule in plain language."""

    def __init__(self, reasons: list[str]):
        super().__init__(_("This swap would break the roster rules: %(reasons)s") % {"reasons": "; ".join(reasons)})
        self.reasons = reasons


# --------------------------------------------------------------------------------------------- rule checks

@dataclass(frozen=True)
class Move:
    """One change to the published roster: `shift` goes from member `remove` to member `add`."""

    shift: Shift
    remove: Member | None
    add: Member | None


@dataclass(frozen=True)
class Break:
    """One rule a proposed change would break, in plain language, with the reason code behind it."""

    code: str
    member_id: int | None
    shift_id: int | None
    text: str


class RuleChecker:
    """Checks proposed moves against the published rosters of their weeks through shifts.services.rules,
    caching one WeekRules per week and set of communities. One instance serves one request."""

    def __init__(self):
        self._weeks: dict[tuple, WeekRules] = {}

    def _week(self, community_ids: frozenset, week_start: dt.date) -> WeekRules:
        key = (community_ids, week_start)
        if key not in self._weeks:
            communities = Community.objects.filter(pk__in=community_ids).order_by("pk")
            self._weeks[key] = WeekRules.of_published(communities, week_start)
        return self._weeks[key]

    @staticmethod
    def communities_of(members, shifts) -> frozenset:
        """The shifts' communities and every community the members serve, so their other shifts count."""
        ids = {s.community_id for s in shifts}
        for member in members:
            ids.add(member.community_id)
            ids.update(member.extra_communities.values_list("pk", flat=True))
        return frozenset(ids)

    def breaks(self, moves: list[Move], *, community_ids: frozenset | None = None) -> list[Break]:
        """Every rule the moves would newly break (a rule already broken before the moves is not counted,
        unless the moves make it worse)."""
        by_week: dict[dt.date, list[Move]] = defaultdict(list)
        for move in moves:
            by_week[week_start_of(move.shift.start)].append(move)
        found: list[Break] = []
        for week_start, week_moves in sorted(by_week.items()):
            people = {m.pk: m for move in week_moves for m in (move.remove, move.add) if m is not None}
            ids = community_ids or self.communities_of(people.values(), [m.shift for m in week_moves])
            rules = self._week(ids, week_start)
            shifts = {move.shift.pk: move.shift for move in week_moves}
            reasons = rules.breaks([RuleMove(m.shift.pk, m.remove.pk if m.remove else None,
                                             m.add.pk if m.add else None) for m in week_moves])
            for reason in reasons:
                shift = shifts.get(reason.shift_id) or _shift_or_none(reason.shift_id)
                found.append(Break(reason.code, reason.member_id, reason.shift_id,
                                   _break_text(reason.code, people[reason.member_id], shift)))
        return found


def _shift_or_none(pk):
    return Shift.objects.select_related("duty__lead_skill").filter(pk=pk).first() if pk else None


def _break_text(code: str, member: Member, shift: Shift | None) -> str:
    """One broken rule, said plainly. Sensitive reasons (health, family care, absence) stay generic."""
    skill = shift.duty.lead_skill.name if shift is not None and shift.duty.lead_skill_id else ""
    return reason_sentence(code, name=member.name, shift=shift_label(shift) if shift is not None else "", skill=skill)


# --------------------------------------------------------------------------------------------- candidates

@dataclass
class Candidate:
    member: Member
    week_minutes: int
    week_shifts: int


@dataclass
class CandidateReport:
    """Colleagues who could take a shift, most lightly loaded first; when there are none, `explanation`
    says why in plain language."""

    candidates: list[Candidate]
    checked: int
    reasons: Counter
    explanation: str = ""


def swap_candidates(*, assignment: Assignment, checker: RuleChecker | None = None) -> CandidateReport:
    """Colleagues who could take `assignment`'s shift from its member without breaking any hard rule."""
    checker = checker or RuleChecker()
    shift, giver = assignment.shift, assignment.member
    on_shift = set(Assignment.objects.filter(roster_id=assignment.roster_id, shift=shift)
                   .values_list("member_id", flat=True))
    people = list(members_serving(shift.community).exclude(pk__in=on_shift)
                  .prefetch_related("skills").order_by("name", "pk"))
    ids = checker.communities_of([giver], [shift])
    load = _week_load([p.pk for p in people], week_start_of(shift.start))
    fits, first_reason = [], {}
    for person in people:
        found = checker.breaks([Move(shift, giver, person)], community_ids=ids)
        if found:
            first_reason[person.pk] = min(found, key=lambda b: REASON_ORDER.index(b.code)).code
        else:
            minutes, count = load.get(person.pk, (0, 0))
            fits.append(Candidate(person, minutes, count))
    fits.sort(key=lambda c: (c.week_minutes, c.week_shifts, c.member.name, c.member.pk))
    reasons = Counter(first_reason.values())
    report = CandidateReport(fits, len(people), reasons)
    if not fits:
        report.explanation = _explain_nobody(shift, people, first_reason)
    return report


def _week_load(member_ids, week_start: dt.date) -> dict[int, tuple[int, int]]:
    """Minutes and shifts each member holds in published rosters of the week (any community)."""
    load: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = Assignment.objects.filter(member_id__in=member_ids, roster__status=Roster.Status.PUBLISHED,
                                     roster__week_start=week_start).values_list("member_id", "shift__start",
                                                                                "shift__end")
    for member_id, start, end in rows:
        load[member_id][0] += wall_minutes(start, end)
        load[member_id][1] += 1
    return {pk: (v[0], v[1]) for pk, v in load.items()}


_GROUP_TEXT = {
    "overlap": lambda n: ngettext("%(n)d is on another shift at that time",
                                  "%(n)d are on other shifts at that time", n),
    "rest": lambda n: ngettext("%(n)d would not get enough rest between shifts",
                               "%(n)d would not get enough rest between shifts", n),
    "limit": lambda n: ngettext("%(n)d has reached their weekly limit", "%(n)d have reached their weekly limit", n),
    "consecutive": lambda n: ngettext("%(n)d would serve too many days in a row",
                                      "%(n)d would serve too many days in a row", n),
    "unavailable": lambda n: ngettext("%(n)d is not available then", "%(n)d are not available then", n),
    "skill": lambda n: ngettext("%(n)d lacks a skill this duty requires", "%(n)d lack a skill this duty requires", n),
    "age": lambda n: ngettext("%(n)d is outside this duty's age or health limits",
                              "%(n)d are outside this duty's age or health limits", n),
    "night_age": lambda n: ngettext("%(n)d is over the age limit for night shifts",
                                    "%(n)d are over the age limit for night shifts", n),
    "lead": lambda n: ngettext("%(n)d does not have the skill the team needs",
                               "%(n)d do not have the skill the team needs", n),
    "other": lambda n: ngettext("%(n)d cannot take it for another rule", "%(n)d cannot take it for other rules", n),
}
# Sensitive reasons are folded into generic groups before they are counted.
_GROUP_OF = {"caregiving": "unavailable", "forbidden": "unavailable", "health": "age", "full": "other",
             "duplicate": "other", "community": "other"}


def _group_sentence(codes) -> str:
    counts = Counter(_GROUP_OF.get(code, code) for code in codes)
    order = [c for c in REASON_ORDER if c in _GROUP_TEXT] + ["other"]
    return _("; ").join(_GROUP_TEXT[c](counts[c]) % {"n": counts[c]} for c in order if counts.get(c))


def _explain_nobody(shift: Shift, people: list[Member], first_reason: dict[int, str]) -> str:
    """Why no colleague fits, e.g. 'This shift needs someone with First aid, and the 4 who have it are all
    busy: 4 are on other shifts at that time.'"""
    if not people:
        return _("Nobody else serves this community.")
    lead = shift.duty.lead_skill
    if lead is not None and any(code == "lead" for code in first_reason.values()):
        holders = [p for p in people if any(s.pk == lead.pk for s in p.skills.all())]
        if not holders:
            return _("This shift needs someone with %(skill)s, and nobody else has it.") % {"skill": lead.name}
        return ngettext(
            "This shift needs someone with %(skill)s, and the only other one who has it cannot take it: %(why)s.",
            "This shift needs someone with %(skill)s, and the %(n)d others who have it all cannot take it: "
            "%(why)s.", len(holders)) % {
            "skill": lead.name, "n": len(holders),
            "why": _group_sentence(first_reason[p.pk] for p in holders)}
    return ngettext("The only colleague who could be asked cannot take it: %(why)s.",
                    "None of the %(n)d colleagues can take it: %(why)s.", len(people)) % {
        "n": len(people), "why": _group_sentence(first_reason.values())}


@dataclass
class DirectOption:
    """A colleague's shift the requester could trade for theirs, keeping every rule on both sides."""

    assignment: Assignment
    member: Member
    label: str


def swap_direct_options(*, assignment: Assignment, checker: RuleChecker | None = None) -> list[DirectOption]:
    """Colleagues' upcoming published shifts that could be traded for `assignment`, soonest first."""
    checker = checker or RuleChecker()
    shift, giver = assignment.shift, assignment.member
    now = timezone.now()
    communities = [giver.community_id, *giver.extra_communities.values_list("pk", flat=True)]
    rows = (Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift__community_id__in=communities,
                                      shift__start__gt=now, shift__start__lt=now + DIRECT_LOOKAHEAD)
            .exclude(member=giver).exclude(shift=shift)
            .exclude(swap_requests__state__in=PENDING)
            .select_related("shift__duty__lead_skill", "member", "roster").order_by("shift__start", "pk"))
    options = []
    for other in rows[:DIRECT_MAX_OPTIONS * 3]:
        moves = [Move(shift, giver, other.member), Move(other.shift, other.member, giver)]
        if not checker.breaks(moves):
            options.append(DirectOption(other, other.member, shift_label(other.shift)))
            if len(options) >= DIRECT_MAX_OPTIONS:
                break
    return options


def swap_offers_for(*, member: Member, checker: RuleChecker | None = None) -> list[SwapRequest]:
    """Open requests `member` could accept now: give-aways they fit, cover they were asked for, direct swaps
    offered to them. Offers they would break a rule by taking are left out."""
    checker = checker or RuleChecker()
    now = timezone.now()
    communities = [member.community_id, *member.extra_communities.values_list("pk", flat=True)]
    rows = (SwapRequest.objects.filter(state=State.OPEN, expires_at__gt=now)
            .filter(Q(kind=Kind.GIVE_AWAY, assignment__shift__community_id__in=communities)
                    | Q(kind=Kind.COVER, invited=member)
                    | Q(kind=Kind.DIRECT, counterpart_assignment__member=member))
            .exclude(requester=member).distinct()
            .select_related("requester", "assignment__shift__duty__lead_skill", "counterpart_assignment__shift__duty"))
    offers = []
    for swap in rows:
        if not checker.breaks(_moves(swap, member)):
            offers.append(swap)
    return offers


# --------------------------------------------------------------------------------------------- create

def _moves(swap: SwapRequest, taker: Member) -> list[Move]:
    moves = [Move(swap.assignment.shift, swap.requester, taker)]
    if swap.kind == Kind.DIRECT and swap.counterpart_assignment is not None:
        moves.append(Move(swap.counterpart_assignment.shift, taker, swap.requester))
    return moves


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
        else:
            report = swap_candidates(assignment=assignment, checker=checker)
            if not report.candidates:
                raise SwapError(report.explanation)
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
        swap_id = swap.pk
        transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/offered"))
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


# --------------------------------------------------------------------------------------------- transitions

def _locked(swap: SwapRequest) -> SwapRequest:
    return (SwapRequest.objects.select_for_update(of=("self",))
            .select_related("requester", "accepted_by", "assignment__shift__duty__lead_skill",
                            "assignment__shift__community", "assignment__roster",
                            "counterpart_assignment__shift__duty__lead_skill", "counterpart_assignment__roster")
            .get(pk=swap.pk))


def _expire_if_due(swap: SwapRequest, now) -> bool:
    if swap.state in PENDING and swap.expires_at <= now:
        _set_state(swap, State.EXPIRED)
        audit_log(action="shifts.swap.expired", community=_community(swap), obj=swap)
        swap_id = swap.pk
        transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/expired"))
        return True
    return False


def _community(swap: SwapRequest) -> Community | None:
    return swap.assignment.shift.community if swap.assignment_id else None


def _set_state(swap: SwapRequest, state: str, **fields) -> None:
    swap.state = state
    for name, value in fields.items():
        setattr(swap, name, value)
    swap.full_clean()
    swap.save()


def swap_request_accept(*, swap: SwapRequest, member: Member, by=None) -> SwapRequest:
    """`member` takes the offer. Exactly one acceptance wins (row lock); the rules are checked again. Without
    approval the swap is applied at once, in the same transaction."""
    now = timezone.now()
    expired = False
    with transaction.atomic():
        swap = _locked(swap)
        expired = _expire_if_due(swap, now)
        if not expired:
            _check_can_accept(swap, member)
            _check_assignment_open(swap.assignment, swap.requester, field="assignment", now=now)
            found = RuleChecker().breaks(_moves(swap, member))
            if found:
                raise SwapRefused([b.text for b in found])
            _set_state(swap, State.ACCEPTED, accepted_by=member)
            audit_log(action="shifts.swap.accepted", actor=by, community=_community(swap), obj=swap,
                      data={"member": member.pk})
            if swap.assignment.shift.community.swap_requires_approval:
                swap_id = swap.pk
                transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/awaiting_approval"))
            else:
                _apply(swap, by=by, now=now)
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
        swap = _locked(swap)
        if swap.state != State.OPEN:
            raise SwapError(_("This request is no longer open."))
        if swap.kind == Kind.DIRECT and swap.counterpart_assignment and \
                swap.counterpart_assignment.member_id == member.pk:
            _set_state(swap, State.DECLINED)
        elif swap.kind == Kind.COVER and swap.invited.filter(pk=member.pk).exists():
            swap.invited.remove(member)
            if not swap.invited.exists():
                _set_state(swap, State.DECLINED)
        else:
            raise SwapError(_("This request was not sent to you."))
        audit_log(action="shifts.swap.declined", actor=by, community=_community(swap), obj=swap,
                  data={"member": member.pk})
        if swap.state == State.DECLINED:
            swap_id = swap.pk
            transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/declined"))
    return swap


def swap_request_withdraw(*, swap: SwapRequest, member: Member, by=None) -> SwapRequest:
    """The requester takes the request back; possible until it is applied."""
    with transaction.atomic():
        swap = _locked(swap)
        if swap.requester_id != member.pk:
            raise SwapError(_("Only the person who asked can withdraw this request."))
        if swap.state not in PENDING:
            raise SwapError(_("This request is no longer open."))
        _set_state(swap, State.WITHDRAWN)
        audit_log(action="shifts.swap.withdrawn", actor=by, community=_community(swap), obj=swap)
        if swap.accepted_by_id:
            swap_id = swap.pk
            transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/withdrawn"))
    return swap


def _check_staff_scope(swap: SwapRequest, by) -> None:
    community = _community(swap)
    if community is None or not (is_district_admin(by) or communities_for(by).filter(pk=community.pk).exists()):
        raise SwapError(_("This swap is not in one of your communities."))


def swap_request_approve(*, swap: SwapRequest, by, note: str = "") -> SwapRequest:
    """The secretary approves an accepted swap; it is applied at once, or refused (and declined) with the
    reason when it would now break a rule. Raises SwapRefused in that case, after recording the refusal."""
    now = timezone.now()
    refused: SwapRefused | None = None
    expired = False
    with transaction.atomic():
        swap = _locked(swap)
        _check_staff_scope(swap, by)
        expired = _expire_if_due(swap, now)
        if not expired:
            if swap.state in CLOSED:
                raise SwapError(_("This request is no longer open."))
            if swap.state != State.ACCEPTED:
                raise SwapError(_("Only a swap a colleague has accepted can be approved."))
            _set_state(swap, State.APPROVED, decided_by=by, decision_note=note.strip()[:300])
            try:
                with transaction.atomic():  # a refusal rolls back the assignment changes only
                    _apply(swap, by=by, now=now)
            except SwapRefused as exc:
                refused = exc
                _refuse(swap, exc, by=by)
    if expired:
        raise SwapError(_("This request has expired."))
    if refused is not None:
        raise refused
    return swap


def _refuse(swap: SwapRequest, exc: SwapError, *, by) -> None:
    swap.refresh_from_db(fields=["state", "applied_at"])
    _set_state(swap, State.DECLINED, refusal=exc.message[:300])
    audit_log(action="shifts.swap.refused", actor=by, community=_community(swap), obj=swap,
              reason=exc.message)
    swap_id = swap.pk
    transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/refused"))


def swap_request_reject(*, swap: SwapRequest, by, note: str = "") -> SwapRequest:
    """The secretary declines an accepted (or still open) swap, with a note both members see."""
    with transaction.atomic():
        swap = _locked(swap)
        _check_staff_scope(swap, by)
        if swap.state not in PENDING:
            raise SwapError(_("This request is no longer open."))
        _set_state(swap, State.DECLINED, decided_by=by, decision_note=note.strip()[:300])
        audit_log(action="shifts.swap.declined", actor=by, community=_community(swap), obj=swap, reason=note)
        swap_id = swap.pk
        transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/declined"))
    return swap


# --------------------------------------------------------------------------------------------- apply

def _apply(swap: SwapRequest, *, by, now) -> None:
    """Change the published roster. Runs inside the caller's transaction with the swap row locked; raises
    SwapRefused (and changes nothing) when the shift changed hands or a rule would break."""
    taker = swap.accepted_by
    moves = _moves(swap, taker)
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
    _set_state(swap, State.APPLIED, applied_at=now)
    audit_log(action="shifts.assignment.swapped", actor=by, community=_community(swap), obj=swap,
              data={"kind": swap.kind, "shifts": sorted(shift_ids),
                    "moves": [{"shift": m.shift.pk, "from": m.remove.pk, "to": m.add.pk} for m in moves]})
    member_ids = {swap.requester_id, taker.pk}
    community_ids = {rosters[r].community_id for r in roster_ids}
    swap_id = swap.pk
    transaction.on_commit(lambda: signals.assignments_changed.send(
        sender=SwapRequest, member_ids=member_ids, shift_ids=shift_ids, community_ids=community_ids))
    transaction.on_commit(lambda: _queue_messages(swap_id, "swaps/applied"))
    for roster in rosters.values():  # a draft or proposal of the week must not book the giver back
        transaction.on_commit(partial(rosters_follow_decisions, community=roster.community,
                                      week_start=roster.week_start))
    logger.info("swap %s applied: shifts %s, members %s", swap.pk, sorted(shift_ids), sorted(member_ids))


# --------------------------------------------------------------------------------------------- expiry

def swaps_expire(*, now: dt.datetime | None = None) -> int:
    """Close every pending request whose time has come and tell the requester. Idempotent; returns how many
    it closed."""
    now = now or timezone.now()
    closed = 0
    for pk in SwapRequest.objects.filter(state__in=PENDING, expires_at__lte=now).values_list("pk", flat=True):
        with transaction.atomic():
            swap = _locked(SwapRequest(pk=pk))
            closed += _expire_if_due(swap, now)
    if closed:
        logger.info("expired %d swap requests", closed)
    return closed


# --------------------------------------------------------------------------------------------- reads

def swaps_of_member(*, member: Member):
    """Requests `member` made or took part in, newest first."""
    return (SwapRequest.objects.filter(Q(requester=member) | Q(accepted_by=member)
                                       | Q(counterpart_assignment__member=member)).distinct()
            .select_related("requester", "accepted_by", "assignment__shift__duty",
                            "counterpart_assignment__shift__duty"))


def swaps_for_staff(*, user, states=None):
    """Swaps in the communities a staff login manages, newest first; filtered by state when given."""
    rows = SwapRequest.objects.select_related("requester", "accepted_by", "decided_by",
                                              "assignment__shift__duty", "assignment__shift__community",
                                              "counterpart_assignment__shift__duty")
    if not is_district_admin(user):
        rows = rows.filter(assignment__roster__community__in=communities_for(user))
    if states:
        rows = rows.filter(state__in=states)
    return rows


def swappable_assignments(*, member: Member):
    """The member's upcoming shifts on published rosters, soonest first."""
    return (Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__gt=timezone.now())
            .select_related("shift__duty", "shift__community", "roster").order_by("shift__start"))


# --------------------------------------------------------------------------------------------- messages

def _queue_messages(swap_id: int, kind: str) -> None:
    """After commit: hand the messages for one event of a swap to the queue (mail must not hold up a page)."""
    from django_q.tasks import async_task

    try:
        async_task("shifts.tasks.swap_messages_send", swap_id, kind, task_name=f"{kind}:{swap_id}")
    except Exception:  # broker down: the swap itself is done; the task can be re-run, dedupe keys make it safe
        logger.exception("could not queue %s messages for swap %s", kind, swap_id)


def swap_messages_send(*, swap_id: int, kind: str) -> None:
    """Send the messages for one event of a swap. One place decides who hears of what: the requester always
    hears the outcome, the colleague who took it too, the secretary approvals and applied swaps. Idempotent:
    every message has a dedupe key."""
    from . import notify

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
    for person in people:
        notify.notify_member(member=person, kind=kind, dedupe_key=f"{kind}:{swap.pk}:{person.pk}",
                             context=context)
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

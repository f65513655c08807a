"""Reads for member-to-member swaps: who could take a shift (and why nobody can), direct-swap options, open
offers for a member, and the lists on the swap pages. Rule checks go through shifts.swaps.rules."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shifts.messaging.labels import shift_label
from shifts.models import Assignment, Roster, Shift, SwapRequest
from shifts.rostering.load import WeekLoad, week_load
from shifts.rostering.readmodels.candidates import Candidate
from shifts.rostering.reasons import first_reason, reasons_counted
from shifts.swaps.rules import PENDING, Kind, Move, RuleChecker, State, swap_moves
from shifts.weeks import week_start_of
from volunteers.models import Member
from volunteers.selectors import communities_for, is_district_admin, members_serving

# Direct swaps look this far ahead for a colleague's shift to trade, and offer at most this many.
DIRECT_LOOKAHEAD = dt.timedelta(days=21)
DIRECT_MAX_OPTIONS = 40


@dataclass
class CandidateReport:
    """Colleagues who could take a shift, most lightly loaded first; when there are none, `explanation`
    says why in plain language."""

    candidates: list[Candidate]
    checked: int
    reasons: Counter
    explanation: str = ""


def _colleagues(assignment: Assignment):
    """Everyone who serves the shift's community and is not on it yet, by name."""
    on_shift = Assignment.objects.filter(roster_id=assignment.roster_id, shift=assignment.shift).values("member_id")
    return members_serving(assignment.shift.community).exclude(pk__in=on_shift).order_by("name", "pk")


def swap_candidates(*, assignment: Assignment, checker: RuleChecker | None = None) -> CandidateReport:
    """Colleagues who could take `assignment`'s shift from its member without breaking any hard rule."""
    checker = checker or RuleChecker()
    shift, giver = assignment.shift, assignment.member
    people = list(_colleagues(assignment).prefetch_related("skills"))
    ids = checker.communities_of([giver], [shift])
    load = week_load([p.pk for p in people], week_start_of(shift.start))
    fits, first_codes = [], {}
    verdicts = checker.breaks_many([[Move(shift, giver, person)] for person in people], community_ids=ids)
    for person, found in zip(people, verdicts, strict=True):
        if found:
            first_codes[person.pk] = first_reason(b.code for b in found)
        else:
            fits.append(Candidate(person, load.get(person.pk, WeekLoad())))
    fits.sort(key=lambda c: (c.minutes, c.shifts, c.member.name, c.member.pk))
    reasons = Counter(first_codes.values())
    report = CandidateReport(fits, len(people), reasons)
    if not fits:
        report.explanation = _explain_nobody(shift, people, first_codes)
    return report


# A give-away needs only one colleague who could take it: they are looked for a few at a time, twice as many each
# round, so the usual case reads a slice of a handful of members rather than everyone's week.
FIRST_PROBE = 8


def swap_anyone_can_take(*, assignment: Assignment, checker: RuleChecker | None = None) -> bool:
    """Whether swap_candidates would find at least one colleague, without judging them all."""
    checker = checker or RuleChecker()
    shift, giver = assignment.shift, assignment.member
    people = list(_colleagues(assignment))
    ids = checker.communities_of([giver], [shift])
    size, start = FIRST_PROBE, 0
    while start < len(people):
        batch = people[start:start + size]
        if not all(checker.breaks_many([[Move(shift, giver, p)] for p in batch], community_ids=ids)):
            return True
        start, size = start + size, size * 2
    return False


def _explain_nobody(shift: Shift, people: list[Member], first_codes: dict[int, str]) -> str:
    """Why no colleague fits, e.g. 'This shift needs someone with First aid, and the 4 who have it are all
    busy: 4 are on other shifts at that time.'"""
    if not people:
        return _("Nobody else serves this community.")
    lead = shift.duty.lead_skill
    if lead is not None and any(code == "lead" for code in first_codes.values()):
        holders = [p for p in people if any(s.pk == lead.pk for s in p.skills.all())]
        if not holders:
            return _("This shift needs someone with %(skill)s, and nobody else has it.") % {"skill": lead.name}
        return ngettext(
            "This shift needs someone with %(skill)s, and the only other one who has it cannot take it: %(why)s.",
            "This shift needs someone with %(skill)s, and the %(n)d others who have it all cannot take it: "
            "%(why)s.", len(holders)) % {
            "skill": lead.name, "n": len(holders),
            "why": reasons_counted(first_codes[p.pk] for p in holders)}
    return ngettext("The only colleague who could be asked cannot take it: %(why)s.",
                    "None of the %(n)d colleagues can take it: %(why)s.", len(people)) % {
        "n": len(people), "why": reasons_counted(first_codes.values())}


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
    rows = list(rows[:DIRECT_MAX_OPTIONS * 3])
    verdicts = checker.breaks_many([[Move(shift, giver, other.member), Move(other.shift, other.member, giver)]
                                    for other in rows])
    options = []
    for other, found in zip(rows, verdicts, strict=True):
        if not found:
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
    rows = list(rows)
    verdicts = checker.breaks_many([swap_moves(swap, member) for swap in rows])
    return [swap for swap, found in zip(rows, verdicts, strict=True) if not found]


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


TEAMMATE_WEEKS = 8


def usual_teammates(*, member: Member, now: dt.datetime | None = None, weeks: int = TEAMMATE_WEEKS
                    ) -> dict[int, int]:
    """member id -> how many published shifts they shared with `member` in the last `weeks` weeks: the
    colleagues a member knows best, listed first when they ask named colleagues for cover."""
    now = now or timezone.now()
    mine = Assignment.objects.filter(member=member, roster__status=Roster.Status.PUBLISHED,
                                     shift__start__gte=now - dt.timedelta(weeks=weeks), shift__start__lt=now)
    shared = (Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift_id__in=mine.values("shift_id"))
              .exclude(member=member).values_list("member_id", flat=True))
    return dict(Counter(shared))

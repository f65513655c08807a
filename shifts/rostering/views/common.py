"""Small helpers shifts' views share: the week in the URL and redaction. The access guards (staff_required,
member_required) are in scheduler_site.access."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.rostering.reasons import ReasonWords
from shifts.weeks import parse_week, week_bounds, week_start_of  # noqa: F401 (re-exported)
from volunteers.selectors import sensitive_community_ids


def this_monday() -> dt.date:
    return week_start_of(timezone.localdate())


def week_from_url(raw: str) -> dt.date:
    """'2026-11-23' (any day of the week) or '2026-W48' → that week's Monday; anything else → 404."""
    try:
        return parse_week(raw)
    except ValueError:
        raise Http404


def week_param(week_start: dt.date) -> str:
    return week_start.isoformat()


def redact_roster_reasons(user, rosters) -> None:
    """Set `reason_shown` on each roster. A re-plan's reason names the member and why they are away (e.g.
    illness): only the community's own staff read it; anyone else (a district administrator not assigned to
    the community) reads only that a member is away."""
    allowed = sensitive_community_ids(user)
    for roster in rosters:
        if roster is None:
            continue
        if not roster.reason or roster.community_id in allowed:
            roster.reason_shown = roster.cause_display
        else:
            roster.reason_shown = _("a member cannot come")


def redact_candidate_reasons(user, candidates: list) -> list:
    """Say each candidate's reason as the login may read it (shifts.rostering.reasons.ReasonWords): "not available"
    for health, family care or an absence of a member whose sensitive details the login may not see."""
    words = ReasonWords(user, [c.member.pk for c in candidates if c.reason])
    for candidate in candidates:
        if candidate.reason:
            candidate.reason_text = words.detail(candidate.reason, candidate.member.pk)
    return candidates


def redact_week(user, week) -> None:
    """The week grid's conflicts, exclusions and override reasons by the same rule as 谁能接？: a booking against
    an absence reads "not available", and what a secretary typed about the member is left out, for a login that
    may not see the member's sensitive details."""
    member_ids = {a.member_id for cell in week.cells for a in cell.assignments}
    member_ids |= {x.member_id for cell in week.cells for x in cell.exclusions}
    words = ReasonWords(user, member_ids)
    for cell in week.cells:
        for assignment in cell.assignments:
            code = week.conflicts.get((assignment.shift_id, assignment.member_id))
            assignment.conflict = words.detail(code, assignment.member_id) if code else ""
            assignment.override_shown = words.free_text(assignment.override_reason, assignment.member_id)
        for exclusion in cell.exclusions:
            exclusion.reason_shown = (words.free_text(exclusion.reason, exclusion.member_id)
                                      or exclusion.get_cause_display())

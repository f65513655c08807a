"""Small helpers shifts' views share: the week in the URL and redaction. The access guards (staff_required,
member_required) are in scheduler_site.access."""

import datetime as dt

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.services.weeks import parse_week, week_bounds, week_start_of  # noqa: F401 (re-exported)
from volunteers.selectors import sensitive_community_ids, sensitive_member_ids


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


# Reasons in 谁能接？ that come from health, caregiving or absences (the solver's exclusion codes and the
# availability rule): sensitive, so shown only to whoever may see the member's sensitive details.
SENSITIVE_CANDIDATE_REASONS = frozenset({"health", "caregiving", "unavailable"})


def redact_candidate_reasons(user, candidates: list) -> list:
    """Replace a sensitive reason by "not available" for members whose sensitive details the login may not
    see: a guest member from another community, or any member for an unassigned district administrator."""
    hidden = [c for c in candidates if c.reason in SENSITIVE_CANDIDATE_REASONS]
    if hidden:
        allowed = sensitive_member_ids(user, [c.member.pk for c in hidden])
        for candidate in hidden:
            if candidate.member.pk not in allowed:
                candidate.reason_text = str(_("not available"))
    return candidates

"""Small helpers every secretary and member view shares: access guards and the week in the URL."""

import datetime as dt
import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.services.weeks import parse_week, week_bounds, week_start_of  # noqa: F401 (re-exported)
from volunteers.selectors import acting_for, is_staff_member, member_of, sensitive_community_ids, sensitive_member_ids
from volunteers.services.audit import audit_log


def staff_required(view):
    """Secretaries and district administrators only; anyone else gets a 404 (no hint the page exists)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """A logged-in member, or a relative acting for one (亲属代办); the member row is passed to the view as
    `member`. A relative's every successful change is audited as done by them for the member."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        member, proxy = member_for_request(request)
        response = view(request, *args, member=member, **kwargs)
        if proxy is not None and request.method == "POST" and response.status_code < 400:
            audit_log(action="volunteers.proxy.acted", actor=request.user, community=member.community, obj=member,
                      data={"proxy": proxy.pk, "proxy_name": proxy.name, "view": request.resolver_match.url_name,
                            "path": request.path})
        return response

    return wrapper


def member_for_request(request):
    """(member, relative or None) for the logged-in person; 404 for anyone else. Sets request.acting_proxy."""
    member, proxy = member_of(request.user), None
    if member is None:
        member, proxy = acting_for(request.user)
    if member is None:
        raise Http404
    request.acting_proxy = proxy
    return member, proxy


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

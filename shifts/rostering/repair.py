"""Re-plan a published week after an event, and the secretary's decision on the resulting proposal."""

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shifts.models import Roster, SolveRun
from shifts.rostering.rosters import roster_generate, roster_publish
from shifts.rostering.rules import roster_conflicts
from shifts.rostering.selectors import roster_for_week
from shifts.weeks import week_start_of
from volunteers.models import Community
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


def repair_request(*, community: Community, week_start: dt.date, reason: str = "", cause: dict | None = None,
                   by=None) -> SolveRun | None:
    """Queue a minimal-change re-solve of a published week (previous = the published roster).

    Returns None when the week has no published roster (the next draft will see the change anyway). A repair
    already queued picks up the new facts when it runs; one already running is followed by another.
    """
    week_start = week_start_of(week_start)
    if roster_for_week(community, week_start, Roster.Status.PUBLISHED) is None:
        return None
    if cause and not reason:
        reason = cause_summary(cause)
    return roster_generate(community=community, week_start=week_start, by=by, kind=SolveRun.Kind.REPAIR,
                           reason=reason, cause=cause)


def rosters_follow_decisions(*, community: Community, week_start: dt.date, reason: str = "",
                             cause: dict | None = None, trusted: int | None = None) -> list[SolveRun]:
    """Make the week's draft and re-plan proposal follow what people told Yure: a draft that books someone
    against a recorded absence or a decision is solved again (keeping pins), such a proposal is made again.
    Each solve forbids those pairs, so this settles once the facts stop changing. `trusted`: a roster just solved
    from the current facts, left alone (a conflict there would be a defect, and solving again would loop).
    Returns the runs queued."""
    runs = []
    for roster in Roster.objects.filter(community=community, week_start=week_start,
                                        status__in=(Roster.Status.DRAFT, Roster.Status.PROPOSAL)).exclude(pk=trusted):
        if not roster_conflicts(roster):
            continue
        if roster.status == Roster.Status.DRAFT:
            runs.append(roster_generate(community=community, week_start=week_start, kind=SolveRun.Kind.RESOLVE,
                                        reason=reason, cause=cause))
        else:
            runs.append(repair_request(community=community, week_start=week_start, reason=reason, cause=cause))
    return [r for r in runs if r is not None]


def cause_summary(cause: dict) -> str:
    """A short untranslated line for the audit log and the run list; pages say it with Roster.cause_display."""
    return f"{cause.get('name', '')}: {cause.get('reason', '')}"[:300]


def proposal_apply(*, roster: Roster, by, override_reason: str = "") -> Roster:
    """Publish a re-plan proposal, if the published roster it was made from is still the current one."""
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        if roster.status != Roster.Status.PROPOSAL:
            raise ValidationError({"roster": _("This is not an open re-plan proposal.")})
        current = roster_for_week(roster.community, roster.week_start, Roster.Status.PUBLISHED)
        if current is None or current.pk != roster.based_on_id:
            raise ValidationError({"roster": _("The published roster changed after this proposal was made; "
                                               "ask for a new re-plan.")})
        audit_log(action="shifts.roster.proposal_applied", actor=by, community=roster.community, obj=roster,
                  data={"week_start": roster.week_start.isoformat()}, reason=roster.reason)
        return roster_publish(roster=roster, by=by, override_reason=override_reason)


def proposal_discard(*, roster: Roster, by, reason: str = "") -> Roster:
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        if roster.status != Roster.Status.PROPOSAL:
            raise ValidationError({"roster": _("This is not an open re-plan proposal.")})
        roster.status = Roster.Status.DISCARDED
        roster.save(update_fields=["status"])
        audit_log(action="shifts.roster.proposal_discarded", actor=by, community=roster.community, obj=roster,
                  data={"week_start": roster.week_start.isoformat()}, reason=reason)
    return roster

"""The secretary's decision on a re-plan proposal (the re-plan itself is queued by shifts.rostering.follow)."""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shifts.models import Roster
from shifts.rostering.rosters import roster_publish
from shifts.rostering.selectors import roster_for_week
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


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

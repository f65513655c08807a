"""One shift of a published week, changed by hand: members' calendars take it because its SEQUENCE rises."""

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import signals
from shifts.models import Shift
from shifts.rostering.setup.saving import changed, snapshot
from shifts.weeks import week_start_of
from volunteers.services.audit import audit_log

SHIFT_FIELDS = ("start", "end", "location", "min_staff", "max_staff")


def shift_edit(*, shift: Shift, by, start: dt.datetime, end: dt.datetime, location: str, min_staff: int,
               max_staff: int) -> Shift:
    """Change one shift's time, place or staff count; members' calendars take it because SEQUENCE rises.

    Raises ValidationError naming the field. Sends shifts.signals.shift_changed after commit.
    """
    with transaction.atomic():
        # A ModelForm may already have changed `shift` in memory, and a form loaded before another edit holds an
        # old SEQUENCE: the stored row, locked, is what the change starts from.
        stored = Shift.objects.select_for_update().get(pk=shift.pk)
        if stored.start <= timezone.now():
            raise ValidationError({"start": _("This shift has already begun; it can no longer be changed.")})
        before = snapshot(stored, SHIFT_FIELDS)
        shift.start, shift.end, shift.location = start, end, location.strip()
        shift.min_staff, shift.max_staff = min_staff, max_staff
        if shift.start <= timezone.now():
            raise ValidationError({"start": _("Choose a time that is still to come.")})
        if week_start_of(shift.start) != week_start_of(before["start"]):
            raise ValidationError({"start": _("Keep the shift in its own week; make a new week's shift from its "
                                              "weekly template instead.")})
        shift.full_clean(validate_constraints=False)
        changes = changed(before, shift, SHIFT_FIELDS)
        if not changes:
            return shift
        shift.sequence = stored.sequence + 1
        shift.save()
        audit_log(action="shifts.setup.shift_changed", actor=by, community=shift.community, obj=shift,
                  data={"changes": changes, "sequence": shift.sequence})
        transaction.on_commit(partial(signals.shift_changed.send, sender=Shift, shift_id=shift.pk,
                                      community_id=shift.community_id))
    return shift

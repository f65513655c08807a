"""The demo's call-down in progress: in the first community, a published shift within COVER_CALL_HOURS wants one
more person than it has, and the call-down (shifts.rostering.cover) has asked its first wave, one of whom said
"not this time". The dashboard lists it, the week grid shows its badge, and the outbox holds the asks once the
cluster runs. Idempotent: a community that already has a call-down is left alone."""

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone

from shifts.models import Assignment, CoverAsk, CoverCall, Roster, Shift
from shifts.rostering.cover.answers import NO, cover_answer
from shifts.rostering.cover.calldown import cover_call_advance, cover_call_start
from volunteers.models import Community

logger = logging.getLogger(__name__)


def seed_cover(community: Community, *, now: dt.datetime | None = None) -> CoverCall | None:
    now = now or timezone.now()
    if CoverCall.objects.filter(community=community).exists():
        return None
    soon = (Assignment.objects.filter(roster__community=community, roster__status=Roster.Status.PUBLISHED,
                                      shift__start__gt=now + dt.timedelta(hours=3),
                                      shift__start__lt=now + dt.timedelta(hours=settings.COVER_CALL_HOURS))
            .exclude(shift__visit_target__isnull=False).order_by("shift__start").values_list("shift_id", flat=True))
    for shift_id in soon[:20]:
        shift = Shift.objects.select_related("community", "duty").get(pk=shift_id)
        shift.min_staff += 1  # one more person wanted this time than the roster has
        shift.max_staff = max(shift.max_staff, shift.min_staff)
        shift.save(update_fields=["min_staff", "max_staff"])
        call = cover_call_start(shift=shift, cause=CoverCall.Cause.ABSENCE, now=now)
        if call is None:
            continue
        cover_call_advance(call_id=call.pk, now=now)
        first = CoverAsk.objects.filter(call=call).order_by("rank").first()
        if first is not None:
            cover_answer(ask=first, answer=NO, via="demo", now=now)
        logger.info("demo: call-down %s in progress for shift %s", call.pk, shift.pk)
        return call
    logger.info("demo: no published shift of %s within %s hours to show a call-down on", community,
                settings.COVER_CALL_HOURS)
    return None

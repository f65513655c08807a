"""A community-week with a published shift short of one person within the call-down's window, relative to the
clock (tomorrow 10:00, so 14–34 hours ahead: always within COVER_CALL_HOURS, never dependent on the date)."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from shifts.models import CoverAsk, CoverCall, Notification
from shifts.weeks import week_start_of
from tests import factories as f


def tomorrow_at(hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def build(*, members: int = 8, min_staff: int = 3, on_shift: int = 2, duty_code: str = "patrol", **shift_fields):
    community = f.community(name="幸福里")
    duty = f.duty(duty_code)
    start = tomorrow_at(10)
    shift = f.shift(community, duty, start, minutes=120, min_staff=min_staff, max_staff=max(min_staff, 3),
                    **shift_fields)
    people = [f.member(community, name=f"队员{i:02d}", email=f"m{i}@example.org", max_shifts_per_week=5)
              for i in range(members)]
    secretary = f.secretary(community)
    secretary.email = "sec@example.org"
    secretary.save()
    week = week_start_of(timezone.localtime(start).date())
    roster = f.published_roster(community, week, {shift: people[:on_shift]}, override_reason="人手不足")
    return SimpleNamespace(community=community, duty=duty, shift=shift, members=people, secretary=secretary,
                           week=week, roster=roster)


def asks(call: CoverCall) -> list[CoverAsk]:
    return list(CoverAsk.objects.filter(call=call).select_related("member").order_by("rank"))


def sent(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("pk"))

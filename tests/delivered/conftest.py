"""Service delivered: a patrol team on published shifts, at fixed dates or around the present moment."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import Assignment
from tests import factories as f

# A fixed past week (Monday), so nothing depends on the day the suite runs.
WEEK = dt.date(2026, 3, 2)


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def publish(*pairs) -> list[Assignment]:
    """Put each (shift, member) in its community-week's published roster, through the real services
    (tests.factories.publish_pairs). Shifts here are often left short of their minimum on purpose."""
    return f.publish_pairs(*pairs, override_reason="set up by a test")


def grid_now() -> dt.datetime:
    now = timezone.localtime().replace(second=0, microsecond=0)
    return now - dt.timedelta(minutes=now.minute % 15)


@pytest.fixture(autouse=True)
def english():
    """Service messages are checked in English; pages keep the visitor's language (Chinese by default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def team():
    """A patrol (lead skill first aid) Monday 09:00–11:00 of WEEK with a leader and two members."""
    community = f.community(name="幸福里", person_in_charge="李主任", contact_phone="021-12345678")
    patrol = f.duty("patrol", lead_skill="first_aid")
    leader = f.member(community, name="王建国", skills=("first_aid",), phone="13900000001", email="lead@example.org")
    mate = f.member(community, name="李秀英", phone="13900000002", email="mate@example.org")
    third = f.member(community, name="张志强", phone="13900000003")
    shift = f.shift(community, patrol, aware(WEEK, 9), minutes=120, min_staff=3, location="居委会门口",
                    name="红袖章巡逻")
    publish((shift, leader), (shift, mate), (shift, third))
    secretary = f.secretary(community, username="sec")
    secretary.email = "sec@example.org"
    secretary.save()
    return {"community": community, "patrol": patrol, "leader": leader, "mate": mate, "third": third,
            "shift": shift, "secretary": secretary}

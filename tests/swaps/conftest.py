"""A small published week to swap in: one community, a patrol duty led by a first-aider, members with logins."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from shifts.models import Assignment, Roster
from tests import factories


@dataclass
class World:
    community: object
    duty: object
    week_start: dt.date
    roster: object
    secretary: object
    members: dict = field(default_factory=dict)
    shifts: dict = field(default_factory=dict)

    def at(self, day: int, hour: int, minute: int = 0) -> dt.datetime:
        """Aware local time on day `day` (0 = Monday) of the published week."""
        naive = dt.datetime.combine(self.week_start + dt.timedelta(days=day), dt.time(hour, minute))
        return timezone.make_aware(naive)

    def add_shift(self, name, day, hour, minutes=120, duty=None, **fields):
        fields.setdefault("min_staff", 1)
        fields.setdefault("max_staff", 2)
        self.shifts[name] = factories.shift(self.community, duty or self.duty, self.at(day, hour), minutes,
                                            **fields)
        return self.shifts[name]

    def assign(self, shift_name, member_name, roster=None) -> Assignment:
        return Assignment.objects.create(roster=roster or self.roster, shift=self.shifts[shift_name],
                                         member=self.members[member_name])

    def holder(self, shift_name, member_name) -> Assignment:
        return Assignment.objects.select_related("shift", "roster", "member").get(
            roster=self.roster, shift=self.shifts[shift_name], member=self.members[member_name])

    def on_shift(self, shift_name) -> set[str]:
        ids = set(Assignment.objects.filter(roster=self.roster, shift=self.shifts[shift_name])
                  .values_list("member__name", flat=True))
        return ids


@pytest.fixture
def world(db, week_start) -> World:
    community = factories.community(name="幸福里社区")
    duty = factories.duty("patrol", name="巡逻", name_en="Patrol")
    # Raw rows on purpose, not tests.factories.published_roster: these tests count every message and queued job
    # (test_broker_down, test_views), and a real publish sends and queues its own; and some book shifts of this
    # week or the past into the coming week's roster (test_services: "soon", "past"), which review.assignment_add
    # rightly refuses ("not in the roster's community and week").
    roster = Roster(community=community, week_start=week_start, status=Roster.Status.PUBLISHED, version=1)
    roster.full_clean()
    roster.save()
    w = World(community=community, duty=duty, week_start=week_start, roster=roster,
              secretary=factories.secretary(community, username="secretary"))
    for name in ("王秀英", "李建国", "张桂兰", "刘德明"):
        w.members[name] = factories.member(community, name=name, age=66)
    # Tuesday evening patrol held by 王秀英; 李建国 has Thursday morning.
    w.add_shift("tue", 1, 19)
    w.add_shift("thu", 3, 9)
    w.assign("tue", "王秀英")
    w.assign("thu", "李建国")
    return w


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Logins are made per test; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    """Assertions read the English source strings; the site's default language is Chinese once translated."""
    from django.utils import translation

    with translation.override("en"):
        yield

"""A community-week for the web pages: duties, templates, members, a secretary, and an outsider community.

The `site` and `staff` fixtures (tests/conftest.py) build it; browser, messaging and trust tests call build_site."""

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from shifts.models import Assignment, Roster
from shifts.rostering.selectors import shifts_for_week
from shifts.rostering.week_making import shifts_make_for_week
from tests import factories


@dataclass
class Site:
    community: object
    other: object
    week_start: dt.date
    secretary: object
    outsider: object
    members: list = field(default_factory=list)
    shifts: list = field(default_factory=list)
    stranger: object = None

    @property
    def week(self) -> str:
        return self.week_start.isoformat()

    def roster(self, status=Roster.Status.DRAFT, pairs=()) -> Roster:
        """The week's roster in `status` holding `pairs` of (shift, member).

        A published one is made the secretary's way (tests.factories.published_roster: review, then publish),
        just before its messages go out: these pages are checked with nothing sent or waiting for the member.
        A draft or proposal is written as the solver writes one, bulk rows with no rule check (its only writer,
        shifts.rostering.solving, needs the optimizer): several tests put a pair that breaks a rule in it on
        purpose, to see the grid say so."""
        if status == Roster.Status.PUBLISHED:
            wanted: dict = {}
            for shift, member in pairs:
                wanted.setdefault(shift, []).append(member)
            return factories.published_roster(self.community, self.week_start, wanted, by=self.secretary,
                                              override_reason="set up by a test", messages=False)
        roster = Roster(community=self.community, week_start=self.week_start, status=status)
        roster.full_clean()
        roster.save()
        Assignment.objects.bulk_create([Assignment(roster=roster, shift=shift, member=member)
                                        for shift, member in pairs])
        return roster


def build_site(week_start, members=6) -> Site:
    community = factories.community(name="幸福里社区")
    other = factories.community(name="和平社区")
    patrol = factories.duty("patrol", name="巡逻", name_en="Patrol")
    mediation = factories.duty("mediation", name="调解", name_en="Mediation", required_skills=("mediation",))
    factories.template(community, patrol, 0, dt.time(9, 0), dt.time(11, 0), min_staff=2, max_staff=2,
                       location="社区服务中心门口")
    factories.template(community, patrol, 2, dt.time(19, 0), dt.time(21, 0), min_staff=2, max_staff=2,
                       location="东门")
    factories.template(community, mediation, 3, dt.time(14, 0), dt.time(16, 0), min_staff=1, max_staff=1,
                       location="调解室")
    shifts_make_for_week(community=community, week_start=week_start)
    people = [factories.member(community, name=f"王{'一二三四五六七八九十'[i % 10]}{i}", age=62 + i % 20,
                               skills=("mediation",) if i % 3 == 0 else ()) for i in range(members)]
    stranger = factories.member(other, name="外人甲")
    factories.template(other, patrol, 1)
    shifts_make_for_week(community=other, week_start=week_start)
    return Site(community=community, other=other, week_start=week_start,
                secretary=factories.secretary(community, username="sec"),
                outsider=factories.secretary(other, username="outsider"),
                members=people, shifts=list(shifts_for_week(community, week_start)), stranger=stranger)


def week_url(site, **query) -> str:
    url = reverse("roster_week", args=[site.community.pk, site.week])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

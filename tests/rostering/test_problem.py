"""The database -> roster-problem/1 builder: the solver's strict reader must accept what it writes."""

import datetime as dt

import pytest

from shifts.models import Assignment, Roster
from shifts.rostering.district import connected_groups
from shifts.rostering.problem import member_key, problem_for_week, shift_key
from shifts.rostering.week_making import shifts_make_for_week
from solver import load_problem
from tests import factories as f
from volunteers.models import Unavailability

from .conftest import aware

pytestmark = pytest.mark.django_db


def test_document_has_week_shifts_guests_and_is_accepted_by_the_solver(town):
    community, week = town["community"], town["week_start"]
    neighbour = f.community(name="邻里")
    guest = f.member(neighbour, name="客人", extra=[community])
    f.member(neighbour, name="只在邻里")
    shifts_make_for_week(community=community, week_start=week)
    bundle = problem_for_week(community=community, week_start=week)
    doc = bundle.document
    problem = load_problem(doc)
    assert len(problem.shifts) == 6
    ids = {m["id"] for m in doc["members"]}
    assert member_key(guest.pk) in ids and len(ids) == 9
    guest_doc = next(m for m in doc["members"] if m["id"] == member_key(guest.pk))
    assert guest_doc["communities"] == [f"c{neighbour.pk}", f"c{community.pk}"]
    assert doc["horizon"] == {"start": week.isoformat(), "end": (week + dt.timedelta(days=7)).isoformat()}
    assert doc["shifts"][0]["start"] == f"{week.isoformat()}T09:00"
    patrol = next(d for d in doc["duties"] if d["id"] == "patrol")
    assert patrol["lead_skill"] == "first_aid"


def test_unavailability_is_clipped_and_rounded_outward(town):
    community, week = town["community"], town["week_start"]
    member = town["members"][0]
    Unavailability.objects.create(member=member, start=aware(week, 9, 10), end=aware(week, 10, 5))
    Unavailability.objects.create(member=member, start=aware(week - dt.timedelta(days=3), 8),
                                  end=aware(week, 1, 0))
    f.caregiving(member, weekdays="mon,wed", start=dt.time(7, 0), end=dt.time(8, 30))
    doc = problem_for_week(community=community, week_start=week).document
    mine = next(m for m in doc["members"] if m["id"] == member_key(member.pk))
    assert mine["unavailable"] == [{"start": f"{week}T00:00", "end": f"{week}T01:00"},
                                   {"start": f"{week}T09:00", "end": f"{week}T10:15"}]
    assert mine["caregiving"] == [{"days": ["mon", "wed"], "start": "07:00", "end": "08:30"}]
    load_problem(doc)


def test_pins_previous_and_history_come_from_rosters(town):
    community, week = town["community"], town["week_start"]
    shifts_make_for_week(community=community, week_start=week)
    first = community.shifts.order_by("start").first()
    a, b = town["members"][:2]
    # Raw rows on purpose: this reads how the problem builder takes pins, the previous version and history from
    # rows exactly as given (a draft holding a pinned and an unpinned pair beside a published version).
    draft = Roster.objects.create(community=community, week_start=week, status=Roster.Status.DRAFT)
    Assignment.objects.create(roster=draft, shift=first, member=a, pinned=True)
    Assignment.objects.create(roster=draft, shift=first, member=b, pinned=False)
    published = Roster.objects.create(community=community, week_start=week, status=Roster.Status.PUBLISHED,
                                      version=1)
    Assignment.objects.create(roster=published, shift=first, member=b)
    earlier = week - dt.timedelta(days=7)
    old_shift = f.shift(community, town["patrol"], aware(earlier, 9), minutes=150)
    old = Roster.objects.create(community=community, week_start=earlier, status=Roster.Status.PUBLISHED, version=1)
    Assignment.objects.create(roster=old, shift=old_shift, member=a)
    doc = problem_for_week(community=community, week_start=week).document
    assert doc["pins"] == [{"shift": shift_key(first.pk), "member": member_key(a.pk)}]
    assert doc["previous"] == [{"shift": shift_key(first.pk), "member": member_key(b.pk)}]
    mine = next(m for m in doc["members"] if m["id"] == member_key(a.pk))
    assert mine["history_minutes"] == 150
    load_problem(doc)


def test_guest_busy_in_home_community_is_unavailable_and_uses_up_limits(town):
    community, week = town["community"], town["week_start"]
    home = f.community(name="邻里")
    guest = f.member(home, name="客人", extra=[community], max_shifts_per_week=2)
    home_shift = f.shift(home, town["patrol"], aware(week, 9), minutes=120)
    roster = Roster.objects.create(community=home, week_start=week, status=Roster.Status.PUBLISHED, version=1)
    Assignment.objects.create(roster=roster, shift=home_shift, member=guest)
    doc = problem_for_week(community=community, week_start=week).document
    mine = next(m for m in doc["members"] if m["id"] == member_key(guest.pk))
    assert mine["max_shifts"] == 1
    assert mine["unavailable"] == [{"start": f"{week}T09:00", "end": f"{week}T11:00"}]


def test_connected_groups_follow_guest_members():
    a, b, c = f.community(name="甲"), f.community(name="乙"), f.community(name="丙")
    f.member(a, extra=[b])
    groups = connected_groups([a, b, c])
    assert sorted(sorted(x.name for x in g) for g in groups) == [["丙"], ["乙", "甲"]]


def test_the_study_session_is_not_a_place_to_fill(town):
    from shifts.rostering.week_making import study_duty

    week = town["week_start"]
    f.shift(town["community"], study_duty(), aware(week, 9), minutes=90, min_staff=0, max_staff=30)
    patrol = f.shift(town["community"], town["patrol"], aware(week, 14), minutes=60)
    doc = problem_for_week(community=town["community"], week_start=week).document
    assert [s["id"] for s in doc["shifts"]] == [shift_key(patrol.pk)]
    assert all(d["id"] != "study" for d in doc["duties"])

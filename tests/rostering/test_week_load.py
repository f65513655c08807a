"""This week's load (shifts.rostering.load.week_load): the one count by which 谁能接？ and the swap forms rank who
could take a shift. The two used to count it differently (谁能接？ added a neighbour's draft on top of its published
roster and missed a Monday shift before 08:00 Beijing time; the swap forms ignored a neighbour still planning)."""

import datetime as dt

import pytest

from shifts.models import Assignment, Roster
from shifts.rostering.load import WeekLoad, week_load
from shifts.rostering.readmodels.candidates import candidate_view
from tests import factories as f

MONDAY = dt.date(2030, 3, 4)


def _roster(community, status, pairs):
    roster = Roster.objects.create(community=community, week_start=MONDAY, status=status)
    for shift, member in pairs:
        Assignment.objects.create(roster=roster, shift=shift, member=member)
    return roster


def _at(day: int, hour: int):
    return dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, 0))


@pytest.mark.django_db
def test_each_community_counts_once_by_the_roster_that_stands_for_its_week():
    home, settled, planning = f.community(), f.community(), f.community()
    patrol = f.duty("patrol")
    guest = f.member(home, extra=[settled, planning])
    early = f.shift(settled, patrol, _at(0, 7), minutes=60)  # 07:00 Monday in Beijing is still Sunday in UTC
    own = f.shift(home, patrol, _at(2, 9), minutes=120)
    kept = f.shift(settled, patrol, _at(1, 9), minutes=90)
    redrawn = f.shift(settled, patrol, _at(3, 9), minutes=120)
    planned = f.shift(planning, patrol, _at(4, 9), minutes=30)
    draft = _roster(home, Roster.Status.DRAFT, [(own, guest)])
    _roster(home, Roster.Status.PUBLISHED, [])
    _roster(settled, Roster.Status.PUBLISHED, [(early, guest), (kept, guest)])
    _roster(settled, Roster.Status.DRAFT, [(kept, guest), (redrawn, guest)])  # not what stands for the week
    _roster(planning, Roster.Status.DRAFT, [(planned, guest)])  # nothing published yet: the draft stands

    # on the draft at hand: the draft for home, the published week for `settled`, the draft for `planning`
    assert week_load([guest.pk], MONDAY, roster=draft) == {guest.pk: WeekLoad(60 + 120 + 90 + 30, 4)}
    # on the published weeks (the swap forms): home's published roster instead of its draft
    assert week_load([guest.pk], MONDAY) == {guest.pk: WeekLoad(60 + 90 + 30, 3)}
    assert week_load([guest.pk], MONDAY + dt.timedelta(weeks=1)) == {}

    open_shift = f.shift(home, patrol, _at(4, 14), minutes=60)
    view = candidate_view(roster=draft, shift=open_shift)
    assert [(c.member, c.minutes, c.shifts, c.hours) for c in view.ranked] == [(guest, 300, 4, 5.0)]

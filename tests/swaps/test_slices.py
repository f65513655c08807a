"""A single move is judged on a slice of the week (WeekRules.around_roster / around_published); publishing still
judges the whole week (of_roster / of_published). On random weeks — members with limits, rest, caregiving,
absences and skills, guests from a neighbouring community with shifts of their own, shifts the night before the
week, decisions, rosters that already break rules — both must give the same verdict for every move."""

import datetime as dt
import random

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shifts.models import Assignment, Roster, ShiftExclusion
from shifts.rostering.rules import Move, WeekRules
from tests import factories
from volunteers.models import CaregivingWindow, Unavailability

pytestmark = pytest.mark.django_db

BOUNDED = settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _at(week_start, day, minutes) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=day), dt.time())
                               + dt.timedelta(minutes=minutes))


def _duties(rng):
    patrol = factories.duty("patrol", lead_skill="first_aid" if rng.random() < 0.6 else None)
    patrol.max_age = rng.choice([None, 75, 80])
    patrol.night_max_age = rng.choice([None, 70])
    patrol.min_health = rng.choice(["frail", "limited", "good"])
    patrol.max_per_member = rng.choice([None, 1, 2])
    patrol.save()
    mediation = factories.duty("mediation", required_skills=("mediation",) if rng.random() < 0.5 else ())
    return [patrol, mediation, factories.duty("study", name="学习")]


def _member(rng, community, week_start, *, extra=()):
    member = factories.member(community, extra=extra, skills=tuple(s for s in ("first_aid", "mediation")
                                                                    if rng.random() < 0.4),
                              birth_date=week_start.replace(year=week_start.year - rng.randint(58, 86))
                              + dt.timedelta(days=rng.randint(-5, 12)),
                              health=rng.choice(["good", "good", "limited", "frail"]),
                              max_shifts_per_week=rng.choice([None, None, 1, 2, 3]),
                              max_minutes_per_week=rng.choice([None, None, 120, 240, 360]),
                              min_rest_minutes=rng.choice([None, None, 0, 120, 600]),
                              max_consecutive_days=rng.choice([None, None, 1, 2]),
                              active=rng.random() < 0.9)
    if rng.random() < 0.4:
        start = rng.randrange(0, 22 * 4) * 15
        factories.caregiving(member, weekdays=",".join(rng.sample(WEEKDAYS, rng.randint(1, 4))),
                             start=dt.time(start // 60, start % 60),
                             end=dt.time(min(start + rng.choice([30, 90, 150]), 23 * 60 + 45) // 60,
                                         min(start + rng.choice([30, 90, 150]), 23 * 60 + 45) % 60),
                             applies=rng.choice(list(CaregivingWindow.Applies.values)))
    if rng.random() < 0.35:  # an absence off the 15-minute grid, sometimes reaching into the next week
        start = _at(week_start, rng.randint(-1, 7), rng.randint(0, 1439))
        Unavailability.objects.create(member=member, start=start,
                                      end=start + dt.timedelta(minutes=rng.randint(20, 3000)))
    return member


def _shift(rng, community, duty, week_start, day=None):
    minutes = rng.choice([60, 120, 180, 240, 480])
    return factories.shift(community, duty, _at(week_start, rng.randint(0, 6) if day is None else day,
                                                rng.randrange(0, 96) * 15),
                           minutes, min_staff=1, max_staff=rng.randint(1, 3))


def _roster(community, week_start, status, shifts, people, rng, share=0.35):
    # Raw rows on purpose: random rosters in any status, rule-breaking ones included, are this property test's
    # input; the publish service would refuse or reshape most of them.
    roster = Roster.objects.create(community=community, week_start=week_start, status=status)
    Assignment.objects.bulk_create([Assignment(roster=roster, shift=s, member=m) for s in shifts for m in people
                                    if rng.random() < share])
    return roster


def _week(rng, week_start):
    home, neighbour = factories.community(name="幸福里"), factories.community(name="和平里")
    patrol, mediation, study = _duties(rng)
    people = [_member(rng, home, week_start) for _ in range(rng.randint(3, 6))]
    guests = [_member(rng, neighbour, week_start, extra=[home]) for _ in range(rng.randint(1, 2))]
    locals_ = [_member(rng, neighbour, week_start)]
    shifts = [_shift(rng, home, rng.choice([patrol, patrol, mediation]), week_start) for _ in range(rng.randint(4, 8))]
    shifts.append(_shift(rng, home, study, week_start))  # a gathering: not rostered, no rules
    elsewhere = [_shift(rng, neighbour, patrol, week_start) for _ in range(3)]
    night_before = _shift(rng, neighbour, patrol, week_start - dt.timedelta(days=7), day=6)
    published = _roster(home, week_start, Roster.Status.PUBLISHED, shifts, people + guests, rng)
    draft = _roster(home, week_start, Roster.Status.DRAFT, shifts, people + guests, rng)
    status = rng.choice([Roster.Status.PUBLISHED, Roster.Status.PUBLISHED, Roster.Status.DRAFT,
                         Roster.Status.SUPERSEDED])
    _roster(neighbour, week_start, status, elsewhere, guests + locals_, rng, 0.6)
    _roster(neighbour, week_start - dt.timedelta(days=7), Roster.Status.PUBLISHED, [night_before], guests, rng, 0.7)
    for shift in shifts:
        for member in people + guests:
            if rng.random() < 0.08:
                ShiftExclusion.objects.create(shift=shift, member=member, cause=ShiftExclusion.Cause.REMOVED)
    # guests twice: their shifts in the neighbour's roster are what a slice most easily misses
    return home, neighbour, published, draft, shifts + elsewhere, people + guests * 2 + locals_


def _moves(rng, shifts, people, published):
    """Random moves on the published roster: give-aways, direct swaps, plain adds (held or not)."""
    holders = list(Assignment.objects.filter(roster=published).values_list("shift_id", "member_id"))
    pks = [m.pk for m in people]
    out = []
    for _ in range(6):
        kind = rng.random()
        if holders and kind < 0.4:
            shift_id, giver = rng.choice(holders)
            out.append([Move(shift_id, remove=giver, add=rng.choice(pks))])
        elif len(holders) > 1 and kind < 0.7:
            (a_shift, a), (b_shift, b) = rng.sample(holders, 2)
            out.append([Move(a_shift, remove=a, add=b), Move(b_shift, remove=b, add=a)])
        else:
            out.append([Move(rng.choice(shifts).pk, add=rng.choice(pks))])
    return out


def _said(reasons):
    return sorted((r.code, r.member_id, r.shift_id) for r in reasons)


@BOUNDED
@given(seed=st.integers(0, 10**6))
@example(seed=7)
def test_a_slice_of_the_week_judges_every_move_as_the_whole_week_does(week_start, seed):
    rng = random.Random(seed)
    with transaction.atomic():
        home, neighbour, published, draft, shifts, people = _week(rng, week_start)
        proposals = _moves(rng, shifts, people, published)
        for communities in ([home], [home, neighbour]):
            whole = WeekRules.of_published(communities, week_start)
            # one slice for every proposal at once, as the swap forms and 谁能接？ cut it
            wide = WeekRules.around_published(communities, week_start, member_ids={m.pk for m in people},
                                              shift_ids={s.pk for s in shifts})
            for moves in proposals:
                members = {m for move in moves for m in (move.remove, move.add) if m is not None}
                part = WeekRules.around_published(communities, week_start, member_ids=members,
                                                  shift_ids={move.shift_id for move in moves})
                assert _said(part.breaks(moves)) == _said(whole.breaks(moves)), moves
                assert _said(wide.breaks(moves)) == _said(whole.breaks(moves)), moves
        whole = WeekRules.of_roster(draft)
        for _ in range(10):
            shift, member = rng.choice(shifts), rng.choice(people)
            part = WeekRules.around_roster(draft, member_ids={member.pk}, shift_ids={shift.pk})
            assert part.knows(shift_id=shift.pk) == whole.knows(shift_id=shift.pk)
            assert _said(part.can_take(shift.pk, member.pk)) == _said(whole.can_take(shift.pk, member.pk))
            hand = WeekRules.of_roster(draft, extra_member_ids={member.pk})
            part = WeekRules.around_roster(draft, member_ids={member.pk}, shift_ids={shift.pk},
                                           extra_member_ids={member.pk})
            assert _said(part.can_take(shift.pk, member.pk)) == _said(hand.can_take(shift.pk, member.pk))
        transaction.set_rollback(True)


def test_a_slice_refuses_to_judge_members_it_was_not_cut_for(world):
    rules = WeekRules.around_published([world.community], world.week_start,
                                       member_ids={world.members["王秀英"].pk}, shift_ids={world.shifts["tue"].pk})
    assert rules.can_take(world.shifts["tue"].pk, world.members["王秀英"].pk)[0].code == "duplicate"
    with pytest.raises(ValueError, match="slice"):
        rules.can_take(world.shifts["tue"].pk, world.members["李建国"].pk)
    with pytest.raises(ValueError, match="slice"):
        rules.can_take(world.shifts["thu"].pk, world.members["王秀英"].pk)

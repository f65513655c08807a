"""The demo's past: eight weeks of published rosters for every demo community, with attendance from the book,
and this week published too (attended up to now), so the dashboard, the fairness page, the hours ledger and the
optimizer's fairness history start from real figures.

Each past week is rostered by the solver's own fast construction (solver.heuristic) on the problem production
sends, oldest week first so each week sees the history of the ones before, and checked by the independent
checker before it is written. Attendance is written in bulk with the attendance service's own 60% rule.
Idempotent: a community-week that already has a published roster is left alone.
"""

import datetime as dt
import logging
import random
import time

from django.db import transaction
from django.utils import timezone

from shifts.delivered.attendance import counts_as_served, present_minutes
from shifts.models import Assignment, Attendance, Roster, Shift
from shifts.rostering.problem import problem_for_communities
from shifts.rostering.problem_docs import pk_of
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_start_of
from solver import load_problem
from solver.heuristic import heuristic_roster, roster_is_valid
from solver.model import candidate_handles

logger = logging.getLogger(__name__)

PAST_WEEKS = 8
SEARCH_SECONDS = 0.1  # per week: the construction does the work; a moment of local search evens the load


def seed_history(communities, *, today: dt.date, seed: int = 2026, weeks: int = PAST_WEEKS) -> int:
    """Publish and attend the `weeks` weeks before this one and this one (attended only where shifts have ended)
    for `communities`; returns how many rosters it made."""
    made, started = 0, time.monotonic()
    this_week = week_start_of(today)
    for back in range(weeks, -1, -1):
        week_start = this_week - dt.timedelta(weeks=back)
        todo = [c for c in communities if not Roster.objects.filter(
            community=c, week_start=week_start, status=Roster.Status.PUBLISHED).exists()]
        if todo:
            made += _publish_week(todo, week_start, random.Random(f"{seed}:{week_start}"))
    if made:
        logger.info("demo: %d rosters (past weeks and this week) published and attended in %.1f s", made,
                    time.monotonic() - started)
    return made


def _publish_week(communities, week_start: dt.date, rng: random.Random) -> int:
    with transaction.atomic():
        for community in communities:
            shifts_make_for_week(community=community, week_start=week_start)
        bundle = problem_for_communities(communities=communities, week_start=week_start, pins_status=None,
                                         previous=False)
        problem = load_problem(bundle.document)
        handles = candidate_handles(problem)
        pairs = heuristic_roster(handles, deadline=time.monotonic() + SEARCH_SECONDS, seed=rng.randrange(1 << 30))
        if not roster_is_valid(handles, pairs):
            logger.warning("demo: the roster for %s was not valid; the week is left empty", week_start)
            return 0
        booked = [(pk_of(problem.shifts[s].id), pk_of(problem.members[m].id)) for s, m in pairs]
        now = timezone.now()
        rosters = {c.pk: Roster.objects.create(community=c, week_start=week_start, status=Roster.Status.PUBLISHED,
                                               version=1, reason="demo", published_at=now)
                   for c in communities}
        shifts = Shift.objects.in_bulk({shift_pk for shift_pk, _member in booked})
        Assignment.objects.bulk_create([Assignment(roster=rosters[bundle.shift_community[shift_pk]],
                                                   shift_id=shift_pk, member_id=member_pk)
                                        for shift_pk, member_pk in booked])
        Attendance.objects.bulk_create([_from_the_book(shifts[shift_pk], member_pk, rng)
                                        for shift_pk, member_pk in booked
                                        if shifts[shift_pk].end <= now and rng.random() > 0.06])
    return len(communities)


def _from_the_book(shift: Shift, member_id: int, rng: random.Random) -> Attendance:
    """Most came on time and stayed; some came late, a few so late that the shift does not count (the 60% rule)."""
    late = rng.choice([0] * 12 + [15, 30, 80])
    check_in = shift.start + dt.timedelta(minutes=late)
    minutes = present_minutes(shift, check_in, shift.end)
    served = counts_as_served(shift, minutes)
    return Attendance(shift=shift, member_id=member_id, check_in=check_in, check_out=shift.end,
                      present_minutes=minutes, served=served, served_minutes=minutes if served else 0,
                      source=Attendance.Source.BACKFILL)

"""Swap and single-move check benchmark: how long "can M take S", the rule-checked swap forms, 谁能接？ and a full
offer -> accept -> approve take on a realistic community (seed_demo with --members members, default 120; a week
of shifts solved by the optimizer and published).

Every figure is measured twice in the same run, interleaved sample by sample: "whole week" builds each view of the
week from the whole week's problem (as every check did before the slices), "slice" reads only the members and
shifts a check touches (WeekRules.around_roster / around_published). Swaps run inside a transaction that is rolled
back after the timing (its on-commit work included), so both ways see the same roster.

Runs in a throw-away test database (created and dropped by the script):

    python scripts/bench_swaps.py [--samples 10] [--members 120]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_swaps_bench python scripts/bench_swaps.py

Prints the figures; record them in docs/benchmarks.md with the date and `uptime`.
"""

import argparse
import contextlib
import logging
import statistics
import time
from unittest import mock

from benchenv import django_start, scratch_database

logger = logging.getLogger("bench_swaps")


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def report(label, seconds):
    print(f"{label:<58} median {statistics.median(seconds) * 1000:7.1f} ms   max {max(seconds) * 1000:7.1f} ms"
          f"   (n={len(seconds)})")


def report_both(label, timings):
    for mode in MODES:
        report(f"{label} [{mode}]", timings[mode])


@contextlib.contextmanager
def whole_week_views():
    """Every slice a check asks for is built as the whole week instead, and a give-away judges every colleague
    before it opens: the checks as they were before."""
    from shifts.rostering.rules import WeekRules
    from shifts.swaps.selectors import swap_candidates

    def anyone_can_take(*, assignment, checker=None):
        return bool(swap_candidates(assignment=assignment, checker=checker).candidates)

    def around_roster(cls, roster, *, member_ids, shift_ids, extra_member_ids=()):
        return cls.of_roster(roster, extra_member_ids=extra_member_ids)

    def around_published(cls, communities, week_start, *, member_ids, shift_ids):
        return cls.of_published(communities, week_start)

    with (mock.patch.object(WeekRules, "around_roster", classmethod(around_roster)),
          mock.patch.object(WeekRules, "around_published", classmethod(around_published)),
          mock.patch("shifts.swaps.requests.swap_anyone_can_take", anyone_can_take)):
        yield


MODES = ("whole week", "slice")


def in_mode(mode):
    return whole_week_views() if mode == "whole week" else contextlib.nullcontext()


def both(timings, func):
    """Time `func` once each way; returns the slice's result."""
    result = None
    for mode in MODES:
        with in_mode(mode):
            result, seconds = timed(func)
        timings[mode].append(seconds)
    return result


def rolled_back(func):
    """Run `func` with its on-commit work, then undo everything it wrote."""
    from django.db import transaction
    from django.test import TestCase

    def run():
        with transaction.atomic():
            with TestCase.captureOnCommitCallbacks(execute=True):
                result = func()
            transaction.set_rollback(True)
        return result
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--members", type=int, default=120, help="members of the community (seed_demo)")
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database():
        run(args.samples, args.members)


def publish_week(community, week_start, user):
    """Solve the community's week with the optimizer (short limit) and publish it."""
    import solver
    from shifts.models import Assignment, Roster
    from shifts.rostering.problem import problem_for_week
    from shifts.rostering.problem_docs import pk_of
    from shifts.rostering.rosters import roster_publish
    from shifts.rostering.week_making import shifts_make_for_week

    shifts_make_for_week(community=community, week_start=week_start)
    bundle = problem_for_week(community=community, week_start=week_start)
    solution = solver.solve(solver.load_problem(bundle.document), time_limit=10, workers=1, seed=1)
    roster = Roster.objects.create(community=community, week_start=week_start, status=Roster.Status.DRAFT)
    Assignment.objects.bulk_create([Assignment(roster=roster, shift_id=pk_of(s), member_id=pk_of(m))
                                    for s, m in solution.assignments])
    roster_publish(roster=roster, by=user)
    return roster, len(bundle.document["members"]), len(bundle.document["shifts"]), solution.status


def run(samples: int, members_wanted: int):
    import datetime as dt
    import random
    from collections import defaultdict

    from django.core.management import call_command
    from django.utils import timezone

    from shifts.models import Assignment, SwapRequest
    from shifts.rostering import review
    from shifts.rostering.readmodels import candidates
    from shifts.swaps import requests as swap_requests
    from shifts.swaps import selectors as selectors_swaps
    from shifts.swaps.rules import Move, RuleChecker
    from tests import factories
    from volunteers.models import Community
    from volunteers.selectors import members_serving

    call_command("seed_demo", "--communities", "1", "--members-min", str(members_wanted),
                 "--members-max", str(members_wanted), verbosity=0)
    community = Community.objects.order_by("pk").first()
    community.swap_requires_approval = True
    community.save()
    secretary = factories.secretary(community)
    today = timezone.localdate()
    week_start = today + dt.timedelta(days=7 - today.weekday())
    roster, members, shifts, status = publish_week(community, week_start, secretary)
    rows = list(Assignment.objects.filter(roster=roster).select_related("shift__duty", "member", "roster")
                .order_by("shift__start", "pk"))
    print(f"{connection_vendor()}: {members} members, {shifts} shifts, {len(rows)} published assignments "
          f"(optimizer {status})")
    step = max(len(rows) // samples, 1)
    picks = rows[::step][:samples]
    people = list(members_serving(community).order_by("pk"))
    rng = random.Random(1)

    timings = defaultdict(lambda: defaultdict(list))
    for assignment in picks:
        member = rng.choice(people)
        both(timings["can"], lambda a=assignment, m=member: review.assignment_rule_violations(
            roster=roster, shift=a.shift, member=m))
        both(timings["move"], lambda a=assignment, m=member: RuleChecker().breaks(
            [Move(a.shift, a.member, m)]))
        both(timings["who"], lambda a=assignment: candidates.rank(roster=roster, shift=a.shift))
        both(timings["form"], lambda a=assignment: selectors_swaps.swap_candidates(assignment=a))
        both(timings["direct"], lambda a=assignment: selectors_swaps.swap_direct_options(assignment=a))
    report_both("can M take S (hand-add check, one member)", timings["can"])
    report_both("one swap move checked (give-away to one colleague)", timings["move"])
    report_both("谁能接？ rank every member for one shift", timings["who"])
    report_both("give-away / cover form: rank every colleague", timings["form"])
    report_both("direct-swap form: check up to 120 trades", timings["direct"])

    for assignment in picks:
        fitting = selectors_swaps.swap_candidates(assignment=assignment).candidates
        if not fitting:
            continue
        taker = fitting[0].member

        def whole_swap(assignment=assignment, taker=taker):
            swap = swap_requests.swap_request_create(requester=assignment.member, kind=SwapRequest.Kind.GIVE_AWAY,
                                                     assignment=assignment)
            swap_requests.swap_request_accept(swap=swap, member=taker)
            swap = swap_requests.swap_request_approve(swap=swap, by=secretary)
            assert swap.state == SwapRequest.State.APPLIED
            return swap

        both(timings["cycle"], rolled_back(whole_swap))
    report_both("create + accept + approve (3 rule checks, apply)", timings["cycle"])
    offered = next((a for a in picks if selectors_swaps.swap_candidates(assignment=a).candidates), None)
    if offered is not None:  # one open give-away, so the list has an offer to judge
        swap_requests.swap_request_create(requester=offered.member, kind=SwapRequest.Kind.GIVE_AWAY,
                                          assignment=offered)
        for candidate in selectors_swaps.swap_candidates(assignment=offered).candidates[:samples]:
            both(timings["offers"], lambda m=candidate.member: selectors_swaps.swap_offers_for(member=m))
        report_both("a member's list of offers they could take (one open offer)", timings["offers"])


def connection_vendor():
    from django.db import connection
    return connection.vendor


if __name__ == "__main__":
    main()

"""Swap benchmark: how long the rule-checked swap form and a full offer -> accept -> approve take on a realistic
community (seed_demo: 60-120 members, a week of shifts solved by the optimizer and published).

Runs in a throw-away test database (created and dropped by the script):

    python scripts/bench_swaps.py [--samples 10]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_swaps_bench python scripts/bench_swaps.py

Prints the figures; record them in docs/benchmarks.md (## Swaps).
"""

import argparse
import logging
import statistics
import time

from benchenv import django_start, scratch_database

logger = logging.getLogger("bench_swaps")


def timed(func):
    start = time.perf_counter()
    result = func()
    return result, time.perf_counter() - start


def report(label, seconds):
    print(f"{label:<52} median {statistics.median(seconds) * 1000:7.0f} ms   max {max(seconds) * 1000:7.0f} ms"
          f"   (n={len(seconds)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=10)
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database():
        run(args.samples)


def publish_week(community, week_start, user):
    """Solve the community's week with the optimizer (short limit) and publish it."""
    import solver
    from shifts.models import Assignment, Roster
    from shifts.services.problem import pk_of, problem_for_week
    from shifts.services.rosters import roster_publish
    from shifts.services.week_making import shifts_make_for_week

    shifts_make_for_week(community=community, week_start=week_start)
    bundle = problem_for_week(community=community, week_start=week_start)
    solution = solver.solve(solver.load_problem(bundle.document), time_limit=10, workers=1, seed=1)
    roster = Roster.objects.create(community=community, week_start=week_start, status=Roster.Status.DRAFT)
    Assignment.objects.bulk_create([Assignment(roster=roster, shift_id=pk_of(s), member_id=pk_of(m))
                                    for s, m in solution.assignments])
    roster_publish(roster=roster, by=user)
    return roster, len(bundle.document["members"]), len(bundle.document["shifts"]), solution.status


def run(samples: int):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from shifts import selectors_swaps
    from shifts.models import Assignment, SwapRequest
    from shifts.services import swap_requests
    from tests import factories
    from volunteers.models import Community

    call_command("seed_demo", "--communities", "1", verbosity=0)
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

    form, direct, offers, fits = [], [], [], []
    for assignment in picks:
        report_, seconds = timed(lambda a=assignment: selectors_swaps.swap_candidates(assignment=a))
        form.append(seconds)
        fits.append(len(report_.candidates))
        _options, seconds = timed(lambda a=assignment: selectors_swaps.swap_direct_options(assignment=a))
        direct.append(seconds)
    report("give-away / cover form: rank every colleague", form)
    print(f"{'':<52} colleagues who fit: median {statistics.median(fits):.0f}, min {min(fits)}, max {max(fits)}")
    report("direct-swap form: check up to 120 trades", direct)

    cycle = []
    for assignment in picks:
        candidates = selectors_swaps.swap_candidates(assignment=assignment).candidates
        if not candidates:
            continue
        taker = candidates[0].member

        def whole_swap(assignment=assignment, taker=taker):
            swap = swap_requests.swap_request_create(requester=assignment.member, kind=SwapRequest.Kind.GIVE_AWAY,
                                             assignment=assignment)
            swap_requests.swap_request_accept(swap=swap, member=taker)
            return swap_requests.swap_request_approve(swap=swap, by=secretary)

        swap, seconds = timed(whole_swap)
        assert swap.state == SwapRequest.State.APPLIED
        cycle.append(seconds)
    report("create + accept + approve (3 rule checks, apply)", cycle)
    member = rows[0].member
    _offers, seconds = timed(lambda: selectors_swaps.swap_offers_for(member=member))
    offers.append(seconds)
    report("a member's list of offers they could take", offers)


def connection_vendor():
    from django.db import connection
    return connection.vendor


if __name__ == "__main__":
    main()

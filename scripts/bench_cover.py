"""Cover call-down benchmark: how long ranking the candidates of one short shift takes on a realistic community
(seed_demo with --members members, default 120; a week of shifts solved by the optimizer and published), and one
whole wave (rank, record the asks, queue their messages; rolled back after the timing).

The ranking is the one rule of 谁能接？ (shifts.rostering.readmodels.candidates.rank on the published roster) plus
the call-down's order: the household's familiar visitors first, whole hours of load, usual teammates, minutes
(shifts.rostering.cover.ranking.cover_rank). For the wave, each sampled shift is made short by raising its minimum
by one inside a rolled-back transaction, so the published roster is not changed.

Runs in a throw-away test database (created and dropped by the script):

    python scripts/bench_cover.py [--samples 15] [--members 120]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_cover python scripts/bench_cover.py

Prints the figures; record them in docs/benchmarks.md with the date and `uptime`.
"""

import argparse
import statistics
import time

from bench_swaps import publish_week, rolled_back
from benchenv import django_start, scratch_database


def report(label, seconds):
    print(f"{label:<58} median {statistics.median(seconds) * 1000:7.1f} ms   max {max(seconds) * 1000:7.1f} ms"
          f"   (n={len(seconds)})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--members", type=int, default=120, help="members of the community (seed_demo)")
    args = parser.parse_args()
    django_start(DEBUG="1")
    with scratch_database():
        run(args.samples, args.members)


def run(samples: int, members_wanted: int):
    import datetime as dt
    from unittest import mock

    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from shifts.models import Shift
    from shifts.rostering.cover.calldown import cover_call_advance, cover_call_start
    from shifts.rostering.cover.ranking import cover_rank
    from shifts.rostering.readmodels.candidates import rank
    from tests import factories
    from volunteers.models import Community

    call_command("seed_demo", "--communities", "1", "--members-min", str(members_wanted),
                 "--members-max", str(members_wanted), verbosity=0)
    community = Community.objects.order_by("pk").first()
    secretary = factories.secretary(community)
    today = timezone.localdate()
    week_start = today + dt.timedelta(days=7 - today.weekday())
    roster, members, shifts, status = publish_week(community, week_start, secretary)
    print(f"{connection.vendor}: {members} members, {shifts} shifts, {roster.assignments.count()} published "
          f"assignments (optimizer {status})")
    rows = list(Shift.objects.filter(pk__in=roster.assignments.values("shift_id")).order_by("start", "pk"))
    step = max(len(rows) // samples, 1)
    picks = rows[::step][:samples]
    ranking, shared, wave, sizes = [], [], [], []
    for shift in picks:
        start = time.perf_counter()
        rank(roster=roster, shift=shift)
        shared.append(time.perf_counter() - start)
        start = time.perf_counter()
        ranked = cover_rank(roster=roster, shift=shift)
        ranking.append(time.perf_counter() - start)
        sizes.append(len(ranked))

        def one_wave(shift=shift):
            Shift.objects.filter(pk=shift.pk).update(min_staff=shift.min_staff + 1,
                                                     max_staff=max(shift.max_staff, shift.min_staff + 1))
            shift.refresh_from_db()
            # the clock 20 hours before the shift: within COVER_CALL_HOURS whatever today is
            now = shift.start - dt.timedelta(hours=20)
            with mock.patch("django.utils.timezone.now", return_value=now), \
                    mock.patch("shifts.messaging.jobs._enqueue"):  # the messages are queued, not sent
                call = cover_call_start(shift=shift, now=now)
                return cover_call_advance(call_id=call.pk, now=now + dt.timedelta(minutes=20))

        start = time.perf_counter()
        rolled_back(one_wave)()
        wave.append(time.perf_counter() - start)
        shift.refresh_from_db()
    print(f"candidates who keep every rule per shift: median {statistics.median(sizes)}, min {min(sizes)}, "
          f"max {max(sizes)}")
    report("谁能接？'s rank alone (the one rule, every member)", shared)
    report("call-down ranking of one shift (cover_rank)", ranking)
    report("start + two waves asked (rank twice, asks, jobs queued)", wave)


if __name__ == "__main__":
    main()

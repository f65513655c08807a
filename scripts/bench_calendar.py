"""What the calendars cost the problem builder: the demo district's problem for the New Year week 2026-12-28,
with the calendar read (school runs per school day) and the holidays package's year computed cold and warm.

    python scripts/bench_calendar.py

Not a test (no assertions on time): figures depend on the machine and its load. Record them in
docs/benchmarks.md.
"""

import datetime as dt
import statistics
import time

from benchenv import django_start, scratch_database


def main():
    django_start()
    from django.test.utils import CaptureQueriesContext

    with scratch_database() as connection:
        run(CaptureQueriesContext, connection)


def timed(fn, repeat=5):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def run(CaptureQueriesContext, connection):
    from shifts.demo import DemoSize, seed_demo
    from shifts.rostering.problem import problem_for_week
    from volunteers.calendars import package_year, school_run_weekdays
    from volunteers.models import Community

    seed_demo(size=DemoSize(), today=dt.date(2026, 11, 26))
    community = Community.objects.order_by("pk").first()
    week = dt.date(2026, 12, 28)
    package_year.cache_clear()
    start = time.perf_counter()
    package_year(2027)
    print(f"holidays package, one year cold: {(time.perf_counter() - start) * 1000:.1f} ms")
    print(f"school days of a district-week (warm): {timed(lambda: school_run_weekdays({'示范街道'}, week)):.2f} ms")
    with CaptureQueriesContext(connection) as queries:
        school_run_weekdays({"示范街道"}, week)
    print(f"  queries: {len(queries)}")
    members = len(problem_for_week(community=community, week_start=week).document["members"])
    print(f"problem for one demo community-week ({members} members): "
          f"{timed(lambda: problem_for_week(community=community, week_start=week)):.1f} ms")


if __name__ == "__main__":
    main()

"""Lifecycle timings on a throwaway test database: build the problem, solve through the task body, publish,
re-plan after an illness. Prints one line per stage; record results in docs/benchmarks.md.

    python scripts/bench_lifecycle.py [--time-limit 5]

Not a test (no assertions on time): figures depend on the machine and its load.
"""

import argparse
import datetime as dt
import random
import time

from benchenv import django_start, scratch_database


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=int, default=5)
    args = parser.parse_args()
    django_start(DEBUG="1")
    from django.conf import settings
    from django.test.utils import CaptureQueriesContext

    settings.SOLVER_TIME_LIMIT = args.time_limit
    settings.REPAIR_TIME_LIMIT = 2
    with scratch_database() as connection:
        run(CaptureQueriesContext, connection)


def build(name, days_shifts, members, rng, patrol):
    from tests import factories as f

    community = f.community(name=name)
    for day in range(7):
        for k in range(days_shifts):
            f.template(community, patrol, day, start=dt.time(6 + 2 * k, 0), end=dt.time(8 + 2 * k, 0),
                       min_staff=2, max_staff=3)
    days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    for i in range(members):
        f.member(community, name=f"{name}{i}", max_shifts_per_week=rng.randint(2, 5),
                 weekday_preferences={d: rng.randint(-6, 6) for d in rng.sample(days, 2)})
    return community


def run(CaptureQueriesContext, connection):
    from django.utils import timezone

    from shifts.models import Roster
    from shifts.rostering.follow import plans_follow
    from shifts.rostering.problem import problem_for_week
    from shifts.rostering.rosters import roster_generate, roster_publish
    from shifts.rostering.solving import solve_runs_execute
    from tests import factories as f
    from volunteers.models import Unavailability

    rng = random.Random(3)
    patrol = f.duty("patrol")
    today = timezone.localdate()
    week = today + dt.timedelta(days=14 - today.weekday())
    for label, per_day, members in (("small", 3, 20), ("medium", 6, 40), ("large", 8, 60)):
        community = build(label, per_day, members, rng, patrol)
        run_ = roster_generate(community=community, week_start=week)
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            problem_for_week(community=community, week_start=week)
            build_s = time.perf_counter() - started
        started = time.perf_counter()
        solve_runs_execute([run_.pk])
        solve_s = time.perf_counter() - started
        run_.refresh_from_db()
        draft = run_.result
        started = time.perf_counter()
        published = roster_publish(roster=draft, by=None)
        publish_s = time.perf_counter() - started
        busiest = max(set(published.assignments.values_list("member_id", flat=True)),
                      key=lambda m: published.assignments.filter(member_id=m).count())
        member = community.members.get(pk=busiest)
        absence = Unavailability(member=member, start=timezone.make_aware(dt.datetime.combine(week, dt.time())),
                                 end=timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=7), dt.time())),
                                 reason="illness")
        absence.save()
        started = time.perf_counter()
        repairs = plans_follow(member=member, cause="illness")
        solve_runs_execute([r.pk for r in repairs])
        repair_s = time.perf_counter() - started
        proposal = Roster.objects.filter(community=community, status=Roster.Status.PROPOSAL).first()
        changed = len(proposal.diff["added"]) + len(proposal.diff["removed"]) if proposal else 0
        print(f"{label:6s} shifts={7 * per_day:3d} members={members:3d} | build {build_s * 1000:6.0f} ms "
              f"({len(queries)} queries) | generate {solve_s:5.2f} s ({run_.status}, {draft.solver_status}, "
              f"gap {draft.gap or 0:.4%}) | publish {publish_s * 1000:5.0f} ms | repair {repair_s:5.2f} s "
              f"({changed} pair changes, ill member had "
              f"{published.assignments.filter(member=member).count()} shifts)", flush=True)


if __name__ == "__main__":
    main()

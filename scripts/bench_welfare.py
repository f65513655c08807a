"""Welfare-ladder benchmark: the periodic check (shifts.delivered.welfare_run.welfare_ladders_run) over one day of
10,000 members' shifts.

Builds the day in a throw-away test database (created and dropped by the script): 40 communities of 250 members;
every member is on one 2-hour patrol round that day (teams of three, rounds starting every quarter hour from 06:00
to 19:45). About 3 in 100 do not come (no-shows), 1 in 100 has an absence recorded, and of those who come 2 in
100 never check out (overdue patrols); nobody answers a call, so every ladder climbs to "unreachable".

Timed: (1) a day of runs every minute from 06:00 to 23:00, as the schedule runs it: the slowest pass, the mean, and
what the day did; (2) the worst single pass, on the day again untouched: the first run at 14:00 after the queue
was down all morning (six hours of no-shows and overdue rounds found, flagged, laddered and first steps queued
at once). Each pass
includes queueing its message jobs on the queue's broker (the ORM broker, or Redis with REDIS_URL); the calls
themselves run later on the workers and are not timed here.

    python scripts/bench_welfare.py [--communities 40] [--members 250]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_ladder python scripts/bench_welfare.py

Prints the figures; record them in docs/benchmarks.md (## Welfare ladder).
"""

import argparse
import datetime as dt
import logging
import random
import time

from benchenv import django_start, scratch_database

DAY = dt.date(2026, 11, 18)
TEAM = 3


def build(communities: int, members: int, rng: random.Random) -> dict:
    from django.utils import timezone

    from shifts.models import Assignment, Attendance, Duty, Roster, Shift
    from volunteers.models import Community, Member, Unavailability

    tz = timezone.get_current_timezone()
    patrol, _created = Duty.objects.get_or_create(code="patrol", defaults={"name": "巡逻"})
    monday = DAY - dt.timedelta(days=DAY.weekday())
    counts = {"shifts": 0, "assignments": 0, "no_shows": 0, "absent": 0, "overdue": 0}
    for c in range(communities):
        community = Community.objects.create(name=f"基准社区{c:03d}", district="基准街道")
        people = Member.objects.bulk_create([Member(name=f"成员{c:03d}{m:03d}", community=community,
                                                    birth_date=dt.date(1950 + m % 20, 1, 1), phone=f"139{c:04d}{m:04d}")
                                             for m in range(members)])
        roster = Roster.objects.create(community=community, week_start=monday, status="published", version=1)
        starts = [timezone.make_aware(dt.datetime.combine(DAY, dt.time(6)), tz) + dt.timedelta(minutes=15 * i)
                  for i in range(56)]
        teams = [people[i:i + TEAM] for i in range(0, len(people), TEAM)]
        shifts = Shift.objects.bulk_create([
            Shift(community=community, duty=patrol, start=starts[i % len(starts)],
                  end=starts[i % len(starts)] + dt.timedelta(hours=2), min_staff=1, max_staff=TEAM,
                  location="居委会门口") for i in range(len(teams))])
        assignments, attendance, absences = [], [], []
        for shift, team in zip(shifts, teams, strict=True):
            for member in team:
                assignments.append(Assignment(roster=roster, shift=shift, member=member))
                roll = rng.random()
                if roll < 0.01:
                    absences.append(Unavailability(member=member, start=shift.start - dt.timedelta(hours=1),
                                                   end=shift.end + dt.timedelta(days=1), reason="family"))
                    counts["absent"] += 1
                elif roll < 0.04:
                    counts["no_shows"] += 1
                else:
                    back = rng.random() >= 0.02
                    counts["overdue"] += not back
                    attendance.append(Attendance(shift=shift, member=member, check_in=shift.start,
                                                 check_out=shift.end if back else None, source="app"))
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Attendance.objects.bulk_create(attendance, batch_size=5000)
        Unavailability.objects.bulk_create(absences, batch_size=5000)
        counts["shifts"] += len(shifts)
        counts["assignments"] += len(assignments)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--members", type=int, default=250)
    args = parser.parse_args()
    django_start(DEBUG="1")
    logging.disable(logging.INFO)
    with scratch_database() as connection:
        from django.conf import settings
        from django.utils import timezone

        from shifts.delivered.welfare_run import welfare_ladders_run
        from shifts.models import MessageJob, NoShowCheck, WelfareLadder

        rng = random.Random(26)
        start = time.perf_counter()
        counts = build(args.communities, args.members, rng)
        print(f"built in {time.perf_counter() - start:.1f} s on {connection.vendor}: {counts}")
        print(f"steps {settings.WELFARE_LADDER_STEPS}, unreachable after {settings.WELFARE_UNREACHABLE_MINUTES} min,"
              f" overdue after {settings.PATROL_OVERDUE_MINUTES} min")
        tz = timezone.get_current_timezone()

        def at(hour, minute=0):
            return timezone.make_aware(dt.datetime.combine(DAY, dt.time(hour, minute)), tz)

        timings, totals = [], {"no_shows": 0, "started": 0, "calls": 0, "unreachable": 0}
        moment = at(6)
        while moment <= at(23):
            began = time.perf_counter()
            result = welfare_ladders_run(now=moment)
            timings.append(time.perf_counter() - began)
            for key in totals:
                totals[key] += result[key]
            moment += dt.timedelta(minutes=1)
        print(f"{'a day of passes every minute, 06:00-23:00 (' + str(len(timings)) + ')':<58} "
              f"slowest {max(timings):.3f} s, mean {sum(timings) / len(timings) * 1000:.1f} ms, "
              f"total {sum(timings):.1f} s")
        print(f"what the day's passes did: {totals}")
        print(f"rows: {NoShowCheck.objects.count()} no-show checks, {WelfareLadder.objects.count()} ladders "
              f"({WelfareLadder.objects.filter(outcome='unreachable').count()} unreachable), "
              f"{MessageJob.objects.count()} message jobs")

        # Start again with the day untouched, as if the queue had been down all morning.
        WelfareLadder.objects.all().delete()
        NoShowCheck.objects.all().delete()
        MessageJob.objects.all().delete()
        began = time.perf_counter()
        result = welfare_ladders_run(now=at(14))
        worst = time.perf_counter() - began
        print(f"{'first pass at 14:00 after a morning without the queue':<58} {worst:7.3f} s  {result}")


if __name__ == "__main__":
    main()

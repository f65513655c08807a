"""Hours export benchmark: a 10,000-member district's year of served hours, exported as CSV and as Excel.

Builds the district in a throw-away test database (created and dropped by the script): 100 communities of
100 members, four 2-hour rounds a day with three people each for 52 weeks, every place attended (9 in 10
served, 1 in 10 below the 60% rule). Then times `hours export --district` as the command runs it.

    python scripts/bench_hours.py [--communities 100] [--members 100] [--weeks 52]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_i14_bench python scripts/bench_hours.py

Prints the figures; record them in docs/benchmarks.md (## Service hours export).
"""

import argparse
import datetime as dt
import logging
import time

from benchenv import django_start, scratch_database

logger = logging.getLogger("bench_hours")
DISTRICT = "基准街道"
ROUNDS = (dt.time(8, 0), dt.time(10, 0), dt.time(15, 0), dt.time(19, 0))
PER_ROUND = 3


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<52} {time.perf_counter() - start:7.2f} s")
    return result


def build(communities: int, members: int, weeks: int, first_monday: dt.date) -> int:
    from django.utils import timezone

    from shifts.models import Assignment, Attendance, Duty, Roster, Shift
    from volunteers.models import Community, Member

    tz = timezone.get_current_timezone()
    patrol = Duty.objects.create(code="patrol", name="巡逻")
    rows = 0
    for c in range(communities):
        community = Community.objects.create(name=f"基准社区{c:03d}", district=DISTRICT)
        people = Member.objects.bulk_create([Member(name=f"成员{c:03d}{m:03d}", community=community,
                                                    birth_date=dt.date(1955, 1, 1)) for m in range(members)])
        rosters = Roster.objects.bulk_create([
            Roster(community=community, week_start=first_monday + dt.timedelta(weeks=w), status="published",
                   version=1) for w in range(weeks)])
        shifts = []
        for w in range(weeks):
            for d in range(7):
                day = first_monday + dt.timedelta(weeks=w, days=d)
                for start in ROUNDS:
                    begin = dt.datetime.combine(day, start, tzinfo=tz)
                    shifts.append(Shift(community=community, duty=patrol, start=begin,
                                        end=begin + dt.timedelta(hours=2), min_staff=PER_ROUND, max_staff=PER_ROUND,
                                        name="红袖章巡逻"))
        Shift.objects.bulk_create(shifts, batch_size=5000)
        assignments, attendance = [], []
        for index, shift in enumerate(shifts):
            roster = rosters[index // (7 * len(ROUNDS))]
            for k in range(PER_ROUND):
                member = people[(index * PER_ROUND + k) % members]
                assignments.append(Assignment(roster=roster, shift=shift, member=member))
                short = (index + k) % 10 == 0
                end = shift.start + dt.timedelta(minutes=60 if short else 120)
                attendance.append(Attendance(shift=shift, member=member, check_in=shift.start, check_out=end,
                                             present_minutes=60 if short else 120, served=not short,
                                             served_minutes=0 if short else 120, source="app"))
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Attendance.objects.bulk_create(attendance, batch_size=5000)
        rows += sum(1 for a in attendance if a.served)
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database() as connection:
        from django.core.management import call_command

        first = dt.date(2025, 12, 29)  # the Monday of 2026's first week
        served = timed(f"build {args.communities * args.members:,} members, {args.weeks} weeks",
                       lambda: build(args.communities, args.members, args.weeks, first))
        print(f"served shifts to export: {served:,} ({connection.vendor})")
        last = first + dt.timedelta(weeks=args.weeks) - dt.timedelta(days=1)
        for fmt in ("csv", "xlsx"):
            out = f"/tmp/bench-hours.{fmt}"
            timed(f"hours export --district --format {fmt}",
                  lambda fmt=fmt, out=out: call_command("hours", "export", "--district", DISTRICT, "--from",
                                                        first.isoformat(), "--to", last.isoformat(), "--format", fmt,
                                                        "--output", out))


if __name__ == "__main__":
    main()

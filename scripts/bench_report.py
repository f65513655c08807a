"""Monthly report benchmark: the district report of a 10,000-member district's month, as the page renders it.

Builds the district in a throw-away test database (created and dropped by the script): 40 communities of 250
members; each community-month has seven 2-hour patrol rounds a day with three people, one mediation a day with
two, a weekly visit to each of 50 households (a third by their usual visitor), the study session on the 25th
(four in five come), a no-show check for each place nobody attended and a patrol note on one round in five.
About 19 in 20 places are attended. `--months` months are built (the trend reads the last six), ending with
November 2026, whose report is timed: the figures alone, then the whole page through the test client as the
district administrator sees it, then the CSV and the PDF.

    python scripts/bench_report.py [--communities 40] [--members 250] [--months 6]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_report_bench python scripts/bench_report.py

Prints the figures; record them in docs/benchmarks.md (## Monthly report).
"""

import argparse
import datetime as dt
import logging
import random
import time

from benchenv import django_start, scratch_database

logger = logging.getLogger("bench_report")
DISTRICT = "基准街道"
ROUNDS = tuple(dt.time(h, 0) for h in (6, 8, 10, 13, 15, 17, 19))
PER_ROUND = 3
HOUSEHOLDS = 50
KINDS = ("alone", "empty_nest", "bedridden")


def timed(label, func):
    start = time.perf_counter()
    result = func()
    print(f"{label:<58} {time.perf_counter() - start:7.2f} s")
    return result


class Builder:
    """One community's months, written in bulk (the benchmark measures the report, not the writing)."""

    def __init__(self, duties, rng):
        self.duties, self.rng = duties, rng
        from django.utils import timezone
        self.tz = timezone.get_current_timezone()

    def community(self, index: int, members: int, months: list[dt.date]) -> int:
        from volunteers.models import Community, Member, VisitTarget

        community = Community.objects.create(name=f"基准社区{index:03d}", district=DISTRICT)
        people = Member.objects.bulk_create([Member(name=f"成员{index:03d}{m:03d}", community=community,
                                                    birth_date=dt.date(1955, 1, 1)) for m in range(members)])
        targets = VisitTarget.objects.bulk_create([
            VisitTarget(community=community, household=f"住户{h}", address="基准路1号", circumstances=KINDS[h % 3])
            for h in range(HOUSEHOLDS)])
        through = VisitTarget.preferred_visitors.through
        through.objects.bulk_create([through(visittarget_id=t.pk, member_id=people[h * 3 % members].pk)
                                     for h, t in enumerate(targets)])
        return sum(self.month(community, people, targets, first) for first in months)

    def month(self, community, people, targets, first: dt.date) -> int:
        from shifts.models import Shift

        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        days = [first + dt.timedelta(days=d) for d in range((last - first).days)]
        rosters = self._rosters(community, days)
        shifts, teams = [], []
        for day in days:
            for start in ROUNDS:
                shifts.append(self._shift(community, "patrol", day, start, 120, PER_ROUND))
                teams.append(PER_ROUND)
            shifts.append(self._shift(community, "mediation", day, dt.time(9), 120, 2))
            teams.append(2)
            for h, target in enumerate(targets):
                if day.weekday() == h % 7:
                    shifts.append(self._shift(community, "visiting", day, dt.time(14), 60, 1, visit_target=target))
                    teams.append(1)
        study = self._shift(community, "study", first.replace(day=25), dt.time(9), 90, 0)
        Shift.objects.bulk_create(shifts + [study], batch_size=5000)
        return self._attend(community, people, shifts, teams, rosters, study)

    def _rosters(self, community, days):
        from shifts.models import Roster
        from shifts.weeks import week_start_of

        weeks = sorted({week_start_of(day) for day in days})
        existing = {r.week_start: r for r in Roster.objects.filter(community=community, week_start__in=weeks)}
        new = Roster.objects.bulk_create([Roster(community=community, week_start=w, status="published", version=1)
                                          for w in weeks if w not in existing])
        existing.update({r.week_start: r for r in new})
        return existing

    def _shift(self, community, duty, day, start, minutes, staff, visit_target=None):
        from shifts.models import Shift

        begin = dt.datetime.combine(day, start, tzinfo=self.tz)
        return Shift(community=community, duty=self.duties[duty], start=begin,
                     end=begin + dt.timedelta(minutes=minutes), min_staff=staff, max_staff=max(staff, 1),
                     visit_target=visit_target)

    def _attend(self, community, people, shifts, teams, rosters, study) -> int:
        from shifts.models import Assignment, Attendance, NoShowCheck, PatrolLogEntry
        from shifts.weeks import week_start_of

        rng, turn = self.rng, 0
        assignments, attendance, checks, notes = [], [], [], []
        for shift, team in zip(shifts, teams, strict=True):
            roster = rosters[week_start_of(shift.start.astimezone(self.tz).date())]
            for _seat in range(team):
                member = people[turn % len(people)]
                turn += 7  # a stride through the members, so the load is uneven but everyone serves
                assignments.append(Assignment(roster=roster, shift=shift, member=member))
                if rng.random() < 0.95:
                    attendance.append(_present(shift, member))
                else:
                    checks.append(NoShowCheck(shift=shift, member=member, outcome=rng.choice(
                        ["reached", "ill", "forgot", "no_answer", ""])))
            if shift.duty.code == "patrol" and rng.random() < 0.2:
                notes.append(PatrolLogEntry(community=community, shift=shift, author=people[turn % len(people)],
                                            note="楼道灯不亮", tags=[rng.choice(["hazard", "litter", "repairs"])],
                                            handed_over_at=shift.end if rng.random() < 0.7 else None))
        attendance += [_present(study, member) for member in people if rng.random() < 0.8]
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        Attendance.objects.bulk_create(attendance, batch_size=5000)
        NoShowCheck.objects.bulk_create(checks, batch_size=5000)
        PatrolLogEntry.objects.bulk_create(notes, batch_size=5000)
        return sum(1 for a in attendance if a.shift is not study)


def _present(shift, member):
    from shifts.models import Attendance

    minutes = int((shift.end - shift.start).total_seconds() // 60)
    return Attendance(shift=shift, member=member, check_in=shift.start, check_out=shift.end, present_minutes=minutes,
                      served=True, served_minutes=minutes, source="backfill")


def build(communities: int, members: int, months: int) -> int:
    """Returns the served places (service, not the study session) of the measured month."""
    from shifts.models import Attendance, Duty

    duties = {code: Duty.objects.create(code=code, name=name) for code, name in
              (("patrol", "巡逻"), ("mediation", "调解"), ("visiting", "探访"), ("study", "学习会"))}
    firsts = [dt.date(2026, 11 - n, 1) for n in range(months - 1, -1, -1)]
    builder = Builder(duties, random.Random(2026))
    for index in range(communities):
        builder.community(index, members, firsts)
    return Attendance.objects.filter(served=True, shift__start__gte=dt.datetime(2026, 10, 31, 16, tzinfo=dt.UTC),
                                     shift__start__lt=dt.datetime(2026, 11, 30, 16, tzinfo=dt.UTC)) \
        .exclude(shift__duty__code="study").count()


def slowest(connection, func, top: int = 8) -> None:
    """Run func once more, timing each SQL statement; print the slowest."""
    spent = []

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - start, sql))

    with connection.execute_wrapper(wrapper):
        func()
    print(f"  {len(spent)} queries, {sum(t for t, _sql in spent):.2f} s in the database")
    for seconds, sql in sorted(spent, reverse=True)[:top]:
        print(f"  {seconds:6.2f} s  {sql[:160]}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--communities", type=int, default=40)
    parser.add_argument("--members", type=int, default=250)
    parser.add_argument("--months", type=int, default=6)
    parser.add_argument("--profile", action="store_true", help="also print the slowest queries of the figures")
    parser.add_argument("--no-analyze", action="store_true", help="PostgreSQL: measure without planner statistics")
    args = parser.parse_args()

    django_start(DEBUG="1")
    with scratch_database() as connection:
        from django.test import Client
        from django.urls import reverse

        from shifts.reports.periods import Month
        from shifts.reports.selectors import district_report
        from shifts.reports.services import report_csv, report_pdf
        from tests import factories

        served = timed(f"build {args.communities * args.members:,} members, {args.months} months",
                       lambda: build(args.communities, args.members, args.months))
        print(f"served shifts in 2026-11: {served:,} ({connection.vendor})")
        if connection.vendor == "postgresql" and not args.no_analyze:
            # A live database has planner statistics (autovacuum analyses tables as they grow); a bulk load
            # minutes old has none yet, and PostgreSQL then nests loops over 200,000 rows.
            with connection.cursor() as cursor:
                timed("ANALYZE (the statistics autovacuum keeps)", lambda: cursor.execute("ANALYZE"))
        month = Month(2026, 11)
        report = timed("district report figures (2026-11, six-month trend)",
                       lambda: district_report(district=DISTRICT, month=month))
        if args.profile:
            slowest(connection, lambda: district_report(district=DISTRICT, month=month))
            import cProfile
            import pstats
            profile = cProfile.Profile()
            profile.runcall(lambda: district_report(district=DISTRICT, month=month))
            pstats.Stats(profile).sort_stats("tottime").print_stats(12)
        client = Client()
        client.force_login(factories.district_admin("bench-district"))
        url = reverse("reports:district", args=[DISTRICT, str(month)])
        for attempt in (1, 2):
            response = timed(f"district report page, GET {attempt} (figures + charts + HTML)",
                             lambda: client.get(url, HTTP_HOST="testserver"))
            assert response.status_code == 200, response.status_code
        print(f"page: {len(response.content):,} bytes, {response.content.count(b'<svg'):,} charts")
        timed("CSV", lambda: report_csv(report=report))
        timed("PDF (WeasyPrint)", lambda: report_pdf(report=report))


if __name__ == "__main__":
    main()

"""Web page benchmark: render time and query count of the secretary's week grid, the dashboard and My shifts.

Builds its own data in a scratch database (a temporary SQLite file unless DATABASE_URL is given): one demo
community from seed_demo (100 members), its week of shifts, and a draft and a published roster in which every
shift is staffed. Then it requests each page through Django's test client and prints the median and 95th
percentile of the server-side wall time, the median CPU time, and the queries per request.

    python scripts/bench_web.py [--repeat 50]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_web_bench python scripts/bench_web.py

Record the figures in docs/benchmarks.md (## Web pages).
"""

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time

from benchenv import django_start

if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='yure-web-bench-')}/bench.sqlite3"


def build(members: int):
    from django.core.management import call_command
    from django.utils import timezone

    from shifts.models import Assignment, Roster
    from shifts.rostering.selectors import shifts_for_week
    from shifts.rostering.week_making import shifts_make_for_week
    from tests import factories
    from volunteers.models import Community, StaffProfile

    call_command("migrate", verbosity=0)
    call_command("seed_demo", "--communities", "1", "--members-min", str(members), "--members-max", str(members),
                 verbosity=0)
    community = Community.objects.first()
    today = timezone.localdate()
    week_start = today + dt.timedelta(days=7 - today.weekday())
    shifts_make_for_week(community=community, week_start=week_start)
    shifts = list(shifts_for_week(community, week_start))
    people = list(community.members.filter(active=True).order_by("pk"))
    rosters = []
    for status in (Roster.Status.PUBLISHED, Roster.Status.DRAFT):
        roster = Roster.objects.create(community=community, week_start=week_start, status=status,
                                       version=1 if status == Roster.Status.PUBLISHED else 0)
        Assignment.objects.bulk_create(
            Assignment(roster=roster, shift=shift, member=people[(i * 3 + k) % len(people)])
            for i, shift in enumerate(shifts) for k in range(max(shift.min_staff, 1)))
        rosters.append(roster)
    secretary = factories.user("bench-secretary")
    StaffProfile.objects.create(user=secretary, role=StaffProfile.Role.SECRETARY).communities.set([community])
    member_login = factories.member_login(people[0])
    return community, week_start, secretary, member_login, len(shifts), len(people), rosters


def measure(client, url: str, repeat: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches and template loading
    times, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return times, cpu, len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--members", type=int, default=100)
    args = parser.parse_args()

    django_start()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic here: plain static URLs (the manifest lookup is a dictionary hit in production anyway).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    setup_test_environment()
    community, week_start, secretary, member_login, n_shifts, n_members, _rosters = build(args.members)
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
          f"{n_members} active members, {n_shifts} shifts in the week, {args.repeat} requests per page")
    staff, member = Client(), Client()
    staff.force_login(secretary)
    member.force_login(member_login)
    pages = [
        ("week grid (draft)", staff, f"/communities/{community.pk}/weeks/{week_start}/"),
        ("week grid (published)", staff, f"/communities/{community.pk}/weeks/{week_start}/?show=published"),
        ("dashboard", staff, "/dashboard/"),
        ("member list", staff, "/members/"),
        ("print week", staff, f"/communities/{community.pk}/weeks/{week_start}/print/"),
        ("my shifts", member, "/me/"),
    ]
    # Wall time suffers when other processes share the cores; CPU time of this process is the steadier figure.
    print(f"{'page':24} {'median ms':>10} {'p95 ms':>8} {'median CPU ms':>14} {'queries':>8}")
    for name, client, url in pages:
        times, cpu, queries = measure(client, url, args.repeat)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(f"{name:24} {statistics.median(times):10.1f} {p95:8.1f} {statistics.median(cpu):14.1f} {queries:8d}")


if __name__ == "__main__":
    main()

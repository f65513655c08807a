"""Member page (with its name/phone/birth-date form) and 操作记录 (the audit page) at 10,000 audit rows.

Builds, in a throw-away SQLite test database (created and dropped by the script; DATABASE_URL=postgres://… measures
on PostgreSQL instead): one community of --members members, its secretary, a district administrator and
--audit audit entries spread over the members and a year, a tenth of them a relative acting for a member. Then
times, with Django's test client, the server-side wall time of each page --runs times and prints the median and
the slowest, with the number of queries.

    python scripts/bench_people.py [--members 300] [--audit 10000] [--runs 30]

Record the figures in docs/benchmarks.md (## Member page and 操作记录).
"""

import argparse
import datetime as dt
import statistics
import time

from benchenv import django_start, scratch_database


def build(members: int, audit: int):
    from django.utils import timezone

    from tests import factories
    from volunteers.models import AuditEntry, Member, MemberProxy

    community = factories.community(name="基准社区", district="基准街道")
    people = Member.objects.bulk_create([
        Member(name=f"成员{m:04d}", community=community, birth_date=dt.date(1950, 1, 1) + dt.timedelta(days=m),
               phone=f"+86139{m:08d}") for m in range(members)])
    secretary = factories.secretary(community, username="bench-sec")
    district = factories.district_admin("bench-district")
    relative = factories.user("bench-relative")
    MemberProxy.objects.create(member=people[0], name="王小明", phone="+8613600000000", user=relative,
                               consent_at=timezone.now())
    start = timezone.now() - dt.timedelta(days=365)
    actions = ["volunteers.member.profile_changed", "volunteers.member.sensitive_viewed",
               "shifts.assignment.removed", "volunteers.caregiving.added", "volunteers.proxy.acted"]
    rows = []
    for i in range(audit):
        member = people[i % members]
        action = actions[i % len(actions)]
        data = ({"fields": ["phone", "health"], "changes": {"phone": ["+8613900000001", "+8613800138000"],
                                                           "health": ["good", "limited"]}}
                if action.endswith("profile_changed") else {"page": "profile"})
        rows.append(AuditEntry(action=action, actor=relative if action.endswith("proxy.acted") else secretary,
                               community=community, object_type="volunteers.member", object_id=str(member.pk),
                               data=data, created_at=start + dt.timedelta(minutes=53 * i)))
    AuditEntry.objects.bulk_create(rows, batch_size=2000)
    return people, secretary, district


def measure(client, url, runs: int, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(times), len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--audit", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    django_start(DEBUG="0")
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # No collectstatic here: plain static URLs (the manifest lookup is a dictionary hit in production anyway).
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with scratch_database() as connection:
        from django.test import Client
        from django.urls import reverse

        people, secretary, district = build(args.members, args.audit)
        print(f"{args.members} members, {args.audit:,} audit rows ({connection.vendor}), {args.runs} runs each")
        print(f"{'page':<52} {'median':>8} {'max':>8} {'queries':>8}")
        staff, admin = Client(), Client()
        staff.force_login(secretary)
        admin.force_login(district)
        member = people[len(people) // 2]
        cases = [
            ("member page with its edit form (secretary)", staff, reverse("member_edit", args=[member.pk]), {}),
            ("操作记录, first page (secretary)", staff, reverse("audit_log"), {}),
            ("操作记录, page 100 (secretary)", staff, reverse("audit_log"), {"page": "100"}),
            ("操作记录, one member (secretary)", staff, reverse("audit_log"), {"member": member.name}),
            ("操作记录, action and dates (secretary)", staff, reverse("audit_log"),
             {"action": "volunteers.member.profile_changed", "date_from": "2020-01-01", "date_to": "2099-12-31"}),
            ("操作记录, first page (district administrator)", admin, reverse("audit_log"), {}),
        ]
        for label, client, url, params in cases:
            median, slowest, queries = measure(client, url, args.runs, **params)
            print(f"{label:<52} {median:7.1f}ms {slowest:7.1f}ms {queries:8d}")


if __name__ == "__main__":
    main()

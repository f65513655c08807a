"""Feed benchmark: render time of a 200-event feed, and polling throughput through gunicorn.

Run against a scratch PostgreSQL database (it creates its own data there):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/yure_feeds_bench python scripts/bench_feeds.py

Prints the figures; record them in docs/benchmarks.md (## Feeds). The load part needs `wrk` (apt-get install
wrk) and drives gunicorn on 127.0.0.1 only, for a bounded time. Flags: --duration SECONDS (default 10),
--workers N (gunicorn, default 2), --gunicorn "MORE OPTIONS" (e.g. "--worker-class gthread --threads 4"),
--connections N (default 16), --no-load (render timing only). Besides requests/second it reports the CPU time
per request of the gunicorn workers, of PostgreSQL and Redis (whole servers), and of wrk itself.
"""

import argparse
import datetime as dt
import logging
import os
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchenv import ROOT, django_start

logger = logging.getLogger("bench_feeds")


def setup_data(events: int):
    """A community with `events` published patrol shifts for one member, three teammates each, in the window."""
    from django.utils import timezone

    from shifts.models import Assignment, Duty, Roster, Shift
    from volunteers.models import Community, Member

    community, _ = Community.objects.get_or_create(name="基准测试社区", defaults={"district": "基准"})
    Roster.objects.filter(community=community).delete()
    Shift.objects.filter(community=community).delete()
    duty, _ = Duty.objects.get_or_create(code="patrol", defaults={"name": "巡逻", "name_en": "Patrol"})
    people = []
    for n in range(4):
        member, _ = Member.objects.get_or_create(
            community=community, name=f"基准成员{n}",
            defaults={"birth_date": dt.date(1957, 5, 1), "phone": f"1380000{n:04d}", "reminders": n == 0})
        people.append(member)
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    first_week = monday - dt.timedelta(weeks=5)
    per_week = 14
    weeks = -(-events // per_week)
    rosters = {}
    for w in range(weeks):
        week = first_week + dt.timedelta(weeks=w)
        rosters[week] = Roster.objects.create(community=community, week_start=week, status="published", version=1,
                                              published_at=timezone.now())
    rows = []
    for i in range(events):
        week = first_week + dt.timedelta(weeks=i // per_week)
        slot = i % per_week  # fourteen shifts a week: a morning and an afternoon every day
        day = week + dt.timedelta(days=slot % 7)
        start = timezone.make_aware(dt.datetime.combine(day, dt.time(8 if slot < 7 else 14)))
        shift = Shift(community=community, duty=duty, start=start, end=start + dt.timedelta(hours=2),
                      location="社区东门", name="巡逻班次", min_staff=3, max_staff=4)
        rows.append((rosters[week], shift))
    Shift.objects.bulk_create([shift for _roster, shift in rows])
    rows = [Assignment(roster=roster, shift=shift, member=m) for roster, shift in rows for m in people]
    Assignment.objects.bulk_create(rows)
    return people[0], community


def time_render(member, rounds: int) -> dict:
    from django.utils import timezone

    from shifts.feeds.ics import feed_render
    from shifts.feeds.tokens import member_token, resolve_token

    scope = resolve_token(member_token(member))
    now = timezone.now()
    rendered = feed_render(scope, now=now)
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        feed_render(scope, now=now)
        samples.append(time.perf_counter() - began)
    return {"events": rendered.events, "bytes": len(rendered.body), "etag": rendered.etag,
            "median_ms": statistics.median(samples) * 1000, "min_ms": min(samples) * 1000,
            "max_ms": max(samples) * 1000, "rounds": rounds}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(url: str, seconds: float = 30) -> None:
    import urllib.request
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback only
                response.read()
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


def _cpu_seconds(master_pid: int) -> dict:
    """User+system CPU seconds from /proc: gunicorn's workers (children of the master), and the PostgreSQL and
    Redis server processes (every process of that name, so other users of them on the box count too)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = {"workers": 0, "postgres": 0, "redis": 0}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields, name = tail.split(), head.split("(", 1)[1]
        used = int(fields[11]) + int(fields[12])  # utime, stime
        if int(fields[1]) == master_pid:  # ppid
            total["workers"] += used
        elif name == "postgres":
            total["postgres"] += used
        elif name.startswith("redis-server"):
            total["redis"] += used
    return {k: v / ticks for k, v in total.items()}


def _wrk(url: str, *, etag: str | None, duration: int, connections: int) -> dict:
    script = None
    args = ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    if etag:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        # Nine polls in ten carry the current ETag (as calendar clients do), one in ten is a plain GET.
        script.write('local n = 0\nrequest = function()\n  n = n + 1\n'
                     f'  if n % 10 == 0 then return wrk.format("GET", nil, {{}}) end\n'
                     f'  return wrk.format("GET", nil, {{["If-None-Match"] = {etag!r}}})\nend\n'
                     .replace("'", '"'))
        script.close()
        args += ["-s", script.name]
    done = subprocess.run(args + [url], capture_output=True, text=True, timeout=duration + 30, check=True)
    if script:
        os.unlink(script.name)
    out = done.stdout
    figures = {"raw": out.strip()}
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            figures["rps"] = float(line.split()[1])
        if line.strip().startswith(("50%", "99%")):
            figures[line.split()[0]] = line.split()[1]
        if "Non-2xx or 3xx" in line:
            figures["non_2xx_3xx"] = int(line.split()[-1])
    return figures


def load(token: str, etag: str, *, workers: int, duration: int, connections: int, gunicorn_args=()) -> dict:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/feeds/{token}.ics"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "scheduler_site.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning", "--chdir", str(ROOT), *gunicorn_args],
        env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(url)
        _wrk(url, etag=etag, duration=2, connections=connections)  # warm every worker's cache and connection
        figures = {}
        for kind, tag in (("conditional", etag), ("plain", None)):
            before, wrk_before = _cpu_seconds(server.pid), resource.getrusage(resource.RUSAGE_CHILDREN)
            figures[kind] = _wrk(url, etag=tag, duration=duration, connections=connections)
            after, wrk_after = _cpu_seconds(server.pid), resource.getrusage(resource.RUSAGE_CHILDREN)
            served = figures[kind].get("rps", 0) * duration
            # CPU the workers spent per request: on a shared, busy machine the only figure that does not
            # depend on what else runs; 2 cores / this = the polls a second an otherwise idle box could serve.
            for part in ("workers", "postgres", "redis"):
                used = after[part] - before[part]
                figures[kind][f"{part}_cpu_ms"] = used / served * 1000 if served else None
            figures[kind]["cpu_ms_per_request"] = figures[kind]["workers_cpu_ms"]
            wrk_used = (wrk_after.ru_utime + wrk_after.ru_stime) - (wrk_before.ru_utime + wrk_before.ru_stime)
            figures[kind]["wrk_cpu_ms"] = wrk_used / served * 1000 if served else None
        conditional, plain = figures["conditional"], figures["plain"]
    finally:
        server.terminate()
        server.wait(timeout=20)
    return {"conditional": conditional, "plain": plain, "workers": workers, "connections": connections}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--gunicorn", default="", help='more gunicorn options, e.g. "--worker-class gthread '
                        '--threads 4 --keep-alive 75"')
    parser.add_argument("--no-load", action="store_true")
    options = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    django_start()
    logger.setLevel(logging.INFO)  # the site's LOGGING (LOG_LEVEL=WARNING here) replaced basicConfig's level
    from django.conf import settings
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    from shifts.feeds.tokens import member_token

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    member, _community = setup_data(options.events)
    render = time_render(member, options.rounds)
    logger.info("database %s, cache %s", engine, settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1])
    logger.info("render %d events (%d bytes): median %.1f ms, min %.1f, max %.1f over %d renders",
                render["events"], render["bytes"], render["median_ms"], render["min_ms"], render["max_ms"],
                render["rounds"])
    if options.no_load:
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk); rerun with --no-load for render timing only")
    figures = load(member_token(member), render["etag"], workers=options.workers, duration=options.duration,
                   connections=options.connections, gunicorn_args=shlex.split(options.gunicorn))
    for kind in ("conditional", "plain"):
        f = figures[kind]
        cpu = f.get("cpu_ms_per_request")
        logger.info("%s polls: %.0f req/s, p50 %s, p99 %s, non-2xx/3xx %s (gunicorn %d workers %s, "
                    "%d connections, %ds); worker CPU %.2f ms/request -> %.0f req/s on 2 idle cores",
                    kind, f.get("rps", 0), f.get("50%"), f.get("99%"), f.get("non_2xx_3xx", 0),
                    figures["workers"], options.gunicorn or "sync", figures["connections"], options.duration,
                    cpu or 0, 2000 / cpu if cpu else 0)
        whole = sum(f.get(part) or 0 for part in ("workers_cpu_ms", "postgres_cpu_ms", "redis_cpu_ms", "wrk_cpu_ms"))
        logger.info("  CPU ms/request: workers %.2f, postgres %.2f, redis %.2f, wrk %.2f; all %.2f -> %.0f req/s "
                    "on 2 idle cores with the database and the load tool on the same box",
                    f.get("workers_cpu_ms") or 0, f.get("postgres_cpu_ms") or 0, f.get("redis_cpu_ms") or 0,
                    f.get("wrk_cpu_ms") or 0, whole, 2000 / whole if whole else 0)
    logger.info("load average during the run: %s", " ".join(Path("/proc/loadavg").read_text().split()[:3]))


if __name__ == "__main__":
    main()

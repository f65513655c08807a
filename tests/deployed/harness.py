"""The deployed service as separate processes, and a small HTTP client that uses it as a person would.

`Deployment` owns one database made for it (a temporary SQLite file, or a fresh PostgreSQL database dropped
afterwards), runs `migrate` and the demo seed with the service's own command line, starts the web server and
`manage.py qcluster` each in its own process group, and kills those groups at the end. Nothing here imports
the project's models: state is read back through pages and `manage.py` commands run with the deployment's env.
"""

import dataclasses
import html
import json
import logging
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
TIME_ZONE = "Asia/Shanghai"  # set in the deployment's env; the tests reckon days and weeks in it too
PASSWORD = "yure-demo-2026"  # the demo seed's staff password (shifts.demo.DEMO_PASSWORD)
ADMIN = ("ops", "ops-" + secrets.token_hex(8))  # a superuser made with `createsuperuser`, for the admin pages
# The caller's variables the processes keep: where programs are, the locale, and libfaketime's (a run under
# faketime must fake the service's clock too). Everything Yure reads is set explicitly, never inherited.
KEEP_ENV = ("PATH", "HOME", "USER", "LOGNAME", "LANG", "LANGUAGE", "TMPDIR", "LD_PRELOAD", "TZDIR")
KEEP_PREFIXES = ("LC_", "FAKETIME", "DONT_FAKE")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def local_now():
    """Now on the service's wall clock."""
    import datetime as dt
    import zoneinfo

    return dt.datetime.now(zoneinfo.ZoneInfo(TIME_ZONE))


def base_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k in KEEP_ENV or k.startswith(KEEP_PREFIXES)}


class Service:
    """One long-running process (web server or qcluster) in its own process group, with its log file."""

    def __init__(self, name: str, argv: list[str], env: dict, log: Path):
        self.name, self.argv, self.env, self.log = name, argv, env, log
        self.process: subprocess.Popen | None = None

    def start(self) -> "Service":
        with open(self.log, "ab") as handle:
            self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, stdout=handle,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM to the whole group (workers, gunicorn's children), SIGKILL if it lingers."""
        if self.process is None:
            return
        for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=grace)
                break
            except subprocess.TimeoutExpired:
                continue
        # Children a worker started may outlive the group leader: make sure the group is gone.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


@dataclasses.dataclass
class Database:
    """The deployment's own database: its URL for the processes and how to remove it."""
    url: str
    label: str
    drop: object = None  # callable, or None when the temp folder takes it away


def sqlite_database(folder: Path) -> Database:
    return Database(url=f"sqlite:///{folder / 'yure.sqlite3'}", label="SQLite, ORM broker")


def postgres_database(url: str) -> Database:
    """A fresh database next to the one DATABASE_URL names: <name>_<random>, dropped at the end."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    name = f"{config['NAME']}_{secrets.token_hex(4)}"[:63]
    connect = dict(host=config.get("HOST") or "127.0.0.1", port=config.get("PORT") or 5432,
                   user=config.get("USER") or None, password=config.get("PASSWORD") or None, dbname="postgres",
                   autocommit=True)
    with psycopg.connect(**connect) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(**connect) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    parts = urlsplit(url)
    return Database(url=parts._replace(path=f"/{name}").geturl(), label=f"PostgreSQL {name}, Redis broker",
                    drop=drop)


class Deployment:
    """The service as `scripts/demo.sh` (SQLite) or the README's scale-out section (PostgreSQL + Redis) runs it."""

    def __init__(self, folder: Path, database: Database, redis_url: str = "", extra_env: dict | None = None):
        self.folder, self.database, self.redis_url = folder, database, redis_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.services: list[Service] = []
        self.scale_out = bool(redis_url)
        self.cache_prefix = f"yure-deployed-{secrets.token_hex(4)}"
        imports = folder / "imports"
        imports.mkdir(exist_ok=True)
        env = {**base_env(), "TIME_ZONE": TIME_ZONE, "DATABASE_URL": database.url, "SITE_URL": self.url,
               "IMPORT_TMP_DIR": str(imports),
               # Text messages go to the outbox, where the tests read them (scripts/demo.sh does the same).
               "SMS_PROVIDER": "outbox", "LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
               # Short solves keep the run quick; one search worker each on a small shared machine.
               "SOLVER_TIME_LIMIT": "6", "REPAIR_TIME_LIMIT": "3", "SOLVER_WORKERS": "1",
               # A no-show is flagged one minute after its shift starts (the least the setting allows).
               "NO_SHOW_AFTER_MINUTES": "1",
               # The welfare ladder's first two calls a minute apart, so a test sees them climb.
               "WELFARE_LADDER_STEPS": "1:member,2:relative,60:secretary",
               # secretary1 gets every alert of several tests in one day (a re-plan, nobody left to ask, …):
               # more than the default five texts of one template a day to one number would let through.
               "SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY": "20", "SMS_LIMIT_PER_NUMBER_DAY": "40"}
        if self.scale_out:
            env.update({"REDIS_URL": redis_url, "CACHE_PREFIX": self.cache_prefix, "DEBUG": "0",
                        "SECRET_KEY": secrets.token_urlsafe(48), "ALLOWED_HOSTS": "127.0.0.1",
                        # The tests speak plain HTTP to gunicorn on the loopback, as a TLS proxy in front would.
                        "SECURE_SSL_REDIRECT": "0", "SECURE_COOKIES": "0", "Q_WORKERS": "1"})
        else:
            env.update({"DEBUG": "1", "Q_WORKERS": "2"})
        self.env = {**env, **(extra_env or {})}

    # ------------------------------------------------------------------ set-up and processes

    def manage(self, *args: str, timeout: float = 300, env: dict | None = None, check: bool = True
               ) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
                                capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"manage.py {' '.join(args)} exited {result.returncode}:\n"
                                 f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return result

    def manage_json(self, *args: str) -> dict:
        return json.loads(self.manage(*args, "--json").stdout)

    def shell_json(self, code: str):
        """What `manage.py shell -c code` printed last, as JSON (Django's auto-import note comes first)."""
        return json.loads(self.manage("shell", "-c", code).stdout.strip().splitlines()[-1])

    def prepare(self) -> None:
        started = time.monotonic()
        mo = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
        po = mo.with_suffix(".po")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            # The start-up checks refuse zh-hans without its compiled catalogue (both set-ups compile first).
            self.manage("compilemessages", "--ignore=.venv", "-v0", env={"DEBUG": "1"})
        self.manage("migrate", "--noinput", "-v0")
        # A small demo district: three communities linked by members who also serve a neighbour.
        self.manage("seed_demo", "--communities", "3", "--members-min", "20", "--members-max", "28",
                    "--households", "4")
        self.manage("createsuperuser", "--noinput", "--username", ADMIN[0], "--email", "ops@example.org",
                    env={"DJANGO_SUPERUSER_PASSWORD": ADMIN[1]})
        if self.scale_out:
            self.manage("collectstatic", "--noinput", "-v0")
        logger.info("deployment prepared in %.1f s", time.monotonic() - started)

    def start(self) -> None:
        if self.scale_out:
            gunicorn = Path(sys.executable).with_name("gunicorn")
            web = [str(gunicorn)] if gunicorn.exists() else [sys.executable, "-m", "gunicorn"]
            web += ["scheduler_site.wsgi", "--workers", "2", "--worker-class", "gthread", "--threads", "4",
                    "-b", f"127.0.0.1:{self.port}"]
            # Two workers machines' worth of qcluster sharing the one Redis queue (and each running the scheduler).
            clusters = 2
        else:
            # runserver as scripts/demo.sh runs it, without the autoreloader (a file saved mid-run would restart it).
            web = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
            clusters = 1
        self.services.append(Service("web", web, self.env, self.folder / "web.log").start())
        for n in range(clusters):
            self.services.append(Service(f"qcluster{n + 1}", [sys.executable, "manage.py", "qcluster"], self.env,
                                         self.folder / f"qcluster{n + 1}.log").start())
        self.wait_until(self._answers, 90, "the web server to answer")

    def _answers(self) -> bool:
        dead = [s.name for s in self.services if not s.alive()]
        if dead:
            raise AssertionError(f"{', '.join(dead)} exited during start-up\n{self.logs()}")
        try:
            return requests.get(self.url + "/accounts/login/", timeout=10).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its workers still loading
            return False

    def stop(self) -> None:
        for service in self.services:
            service.stop()
        if self.scale_out:
            self._forget_redis_keys()
        if self.database.drop:
            self.database.drop()

    def _forget_redis_keys(self) -> None:
        """Leave nothing of this deployment on the shared Redis database: its cache and any unfinished tasks."""
        import redis

        client = redis.from_url(self.redis_url)
        keys = list(client.scan_iter(f"*{self.cache_prefix}*"))
        keys += list(client.scan_iter("django_q:yure:*"))
        if keys:
            client.delete(*keys)

    # ------------------------------------------------------------------ waiting and logs

    def logs(self, chars: int = 4000) -> str:
        return "\n".join(f"----- {s.name} ({s.log}) -----\n{s.tail(chars)}" for s in self.services)

    def wait_until(self, predicate, timeout: float, what: str, interval: float = 0.5, detail=None):
        """Poll `predicate` until it returns something true; fail naming `what` (and `detail()`, what is still
        missing), with the processes' logs."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                missing = f" ({detail()})" if detail else ""
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}{missing}\n{self.logs()}")
            time.sleep(interval)

    def browser(self, language: str = "en") -> "Browser":
        return Browser(self, language)


# ---------------------------------------------------------------------- pages

class _Parser(HTMLParser):
    """Forms (action, method, fields, submit buttons), links and visible text of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "a" and "href" in a:
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get").lower()))
        elif self.forms and tag in ("input", "button", "select", "textarea"):
            self._field(tag, a)
        elif tag == "option" and self._select is not None and self.forms:
            fields = self.forms[-1].fields
            if "selected" in a or self._select not in fields:
                fields[self._select] = a.get("value", "")

    def _field(self, tag, a):
        form, name, kind = self.forms[-1], a.get("name"), a.get("type", "").lower()
        if tag == "select":
            self._select = name
            return
        if tag == "textarea":
            self._textarea = name
            form.fields.setdefault(name, "")
            return
        if not name:
            return
        if tag == "button" or kind == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif kind in ("checkbox", "radio"):
            form.choices.setdefault(name, []).append(a.get("value", "on"))
            if "checked" in a:
                form.fields[name] = a.get("value", "on")
        elif kind != "file":
            form.fields[name] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None and self.forms:
            self.forms[-1].fields[self._textarea] += data
        if not self._skip:
            self.text.append(data)


@dataclasses.dataclass
class Form:
    action: str
    method: str
    fields: dict = dataclasses.field(default_factory=dict)
    choices: dict = dataclasses.field(default_factory=dict)  # radio/checkbox name -> offered values
    buttons: list = dataclasses.field(default_factory=list)


class Page:
    def __init__(self, response: requests.Response):
        self.response = response
        self.status = response.status_code
        self.url = response.url
        self.path = urlsplit(response.url).path
        self.html = response.text
        parser = _Parser()
        parser.feed(self.html)
        self.forms = parser.forms
        self.links = [html.unescape(link) for link in parser.links]
        self.text = re.sub(r"\s+", " ", " ".join(parser.text)).strip()

    def form(self, action_contains: str = "", has: str = "") -> Form:
        """The first POST form whose action contains `action_contains` and, if given, that has a field `has`."""
        found = [f for f in self.forms if f.method == "post" and action_contains in (f.action or self.path)
                 and (not has or has in f.fields or has in f.choices)]
        assert found, (f"no form posting to *{action_contains}* with {has or 'any field'} on {self.path}; "
                       f"forms: {[(f.action, list(f.fields)) for f in self.forms]}")
        return found[0]

    def links_matching(self, pattern: str) -> list[str]:
        return [link for link in self.links if re.search(pattern, link)]


class Browser:
    """A person at a browser: cookies, CSRF from the cookie, redirects followed, every 5xx a failure."""

    def __init__(self, deployment: Deployment, language: str = "en"):
        self.deployment = deployment
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language

    def _check(self, response: requests.Response, expect) -> Page:
        page = Page(response)
        allowed = (expect,) if isinstance(expect, int) else tuple(expect)
        if page.status not in allowed:
            raise AssertionError(f"{response.request.method} {page.path} answered {page.status}, expected {allowed}"
                                 f"\n{page.text[:1500]}\n{self.deployment.logs(2500)}")
        return page

    def get(self, path: str, expect=200, **params) -> Page:
        url = urljoin(self.deployment.url, path)
        return self._check(self.http.get(url, params=params or None, timeout=60), expect)

    def post(self, path: str, data=None, files=None, expect=200) -> Page:
        """POST as the page's form would (CSRF token from the cookie Django set when the form was shown)."""
        url = urljoin(self.deployment.url, path)
        token = self.http.cookies.get("csrftoken", "")
        response = self.http.post(url, data=data or {}, files=files, timeout=120, headers={"X-CSRFToken": token})
        return self._check(response, expect)

    def submit(self, page: Page, action_contains: str = "", has: str = "", expect=200, files=None,
               **values) -> Page:
        form = page.form(action_contains, has)
        data = {**form.fields, **values}
        return self.post(urljoin(page.url, form.action or page.url), data=data, files=files, expect=expect)

    def login(self, username: str, password: str = PASSWORD) -> "Browser":
        page = self.get("/accounts/login/")
        landed = self.submit(page, has="username", username=username, password=password)
        assert "/accounts/login/" not in landed.path, f"login as {username} failed: {landed.text[:400]}"
        return self

    def login_with_code(self, code: str) -> "Browser":
        page = self.get("/accounts/login/code/")
        landed = self.submit(page, has="code", code=code)
        assert "/accounts/login/" not in landed.path, f"code login failed: {landed.text[:400]}"
        return self


# ---------------------------------------------------------------------- what the pages say

@dataclasses.dataclass
class Sms:
    recipient: str
    text: str
    template: str  # the outbox names the kind: yure-confirm_request, yure-swap_outcome, …
    params: list[str] = dataclasses.field(default_factory=list)  # the template's parameters, in order


def outbox(readers: list[Browser]) -> list[Sms]:
    """The text messages on 短信发件箱 as the staff of the communities they went to read them (each sees the
    words of its own members' texts only)."""
    return [sms for staff in readers for sms in _outbox_of(staff) if sms.text]


def _outbox_of(staff: Browser) -> list[Sms]:
    page = staff.get("/sms/outbox/")
    cards = re.findall(r'<li class="card" id="sms-\d+">(.*?)</li>', page.html, flags=re.S)
    found = []
    for card in cards:
        recipient = re.search(r"<strong>(.*?)</strong>", card, flags=re.S)
        text = re.search(r'<pre class="sms-text">(.*?)</pre>', card, flags=re.S)
        template = re.search(r"· (yure-[a-z_]+) ·", card)
        # "sign name · template · param | param | …" under 模板和参数
        params = re.search(r"· yure-[a-z_]+ · (.*?)</p>", card, flags=re.S)
        found.append(Sms(recipient=html.unescape(recipient.group(1)).strip() if recipient else "",
                         text=html.unescape(text.group(1)) if text else "",
                         template=template.group(1) if template else "",
                         params=html.unescape(params.group(1)).split(" | ") if params else []))
    return found


def member_ids(staff: Browser, community_id: int) -> dict[str, int]:
    """Name -> member id, from the secretary's member list."""
    page = staff.get("/members/", community=str(community_id))
    return {html.unescape(name).strip(): int(pk)
            for pk, name in re.findall(r'<a href="/members/(\d+)/">([^<]+)</a>', page.html)}


def login_code(staff: Browser, member_id: int) -> str:
    """A one-time code from 成员登录链接 → 生成登录码, as the secretary reads it out to the member."""
    page = staff.post(f"/accounts/members/{member_id}/login-link/")
    codes = re.findall(r"\b(\d{4}) (\d{4})\b", page.text)
    assert codes, f"no login code on the page: {page.text[:500]}"
    return "".join(codes[0])


def as_member(staff: Browser, member_id: int) -> Browser:
    return staff.deployment.browser().login_with_code(login_code(staff, member_id))


def week_rows(staff: Browser, community_id: int, week: str) -> list[dict]:
    """The week's roster as its CSV export (one row per person on a shift)."""
    import csv
    import io

    response = staff.http.get(f"{staff.deployment.url}/communities/{community_id}/weeks/{week}/export.csv",
                              timeout=60)
    assert response.status_code == 200, response.text[:500]
    records = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    next(records)  # the first row names the version exported (published, its number and time)
    header = next(records)
    return [dict(zip(header, record, strict=False)) for record in records]

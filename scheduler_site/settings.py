"""Yure settings: one module, driven by environment variables.

Environment:
    DATABASE_URL     default: SQLite file db.sqlite3 in the project
    REDIS_URL        when set: django-q2 uses the Redis broker and the cache is Redis
    SECRET_KEY       required when DEBUG is off
    DEBUG            "1"/"true" to enable (default off)
    ALLOWED_HOSTS    comma-separated (default: localhost names when DEBUG)
    TIME_ZONE        default Asia/Shanghai
    SOLVER_TIME_LIMIT  seconds one community solve may take (default 20)
    SOLVER_GAP       stop a solve once proven within this relative gap of the non-constant objective (0.001)
    SOLVER_QUEUE_SLOTS  pieces of one district solve on the queue at once (default 2; 0: none)
    REPAIR_TIME_LIMIT, SOLVE_STALE_SECONDS, ROSTER_RULES, ROSTER_WEIGHTS, STUDY_SESSION_START/MINUTES,
    UNROSTERED_DUTIES, GATHERINGS_COUNT_AS_SERVICE, VISIT_DUTY_CODE, PATROL_DUTY_CODE, IMPORT_TMP_DIR,
    SECRET_KEY_FALLBACKS: see where each is declared below
    SITE_URL         absolute base URL used in feed links and messages
    ATTENDANCE_SERVED_PERCENT  share of a shift a member must be present for it to count (default 60)
    NO_SHOW_AFTER_MINUTES      minutes after a shift starts before a missing member is flagged (default 20)
    NO_SHOW_ILL_ABSENCE_DAYS   days of absence recorded when a flagged member is ill (default 7)
    COVER_CALL_HOURS, COVER_WAVE_SIZE, COVER_WAVE_MINUTES, COVER_ALERT_HOURS  the cover call-down (below)
    PATROL_OVERDUE_MINUTES     minutes after a patrol ends before a member not checked out starts a welfare
                               ladder (default 30)
    WELFARE_LADDER_STEPS       the welfare ladder's calls, "minutes:whom" after the trigger, each only if the one
                               before went unanswered (default 15:member,30:relative,60:secretary)
    WELFARE_UNREACHABLE_MINUTES  minutes after the last call before the member counts as unreachable (default 30)
    STAR_THRESHOLDS_HOURS      default star-level hours, e.g. 100,300,600,1000,1500
    EMAIL_URL-less mail settings: EMAIL_HOST, EMAIL_PORT, DEFAULT_FROM_EMAIL
    SMS_PROVIDER     "" (no text messages), "outbox" (stored, readable on the staff outbox page: the demo),
                     "tencent" (Tencent Cloud SMS) or "aliyun" (Alibaba Cloud SMS); see the SMS block below
    VOICE_PROVIDER   "" (no voice calls), "outbox" (calls recorded on the outbox page: the demo) or "aliyun"
                     (Alibaba Cloud voice, dyvmsapi); see the voice block below
Bad configuration stops start-up with a single line naming the variable.
"""

import datetime as dt
import ipaddress
import json
import sys
import tempfile
from os import environ
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def _fail(message: str):
    # sys.exit with a string prints one line to stderr and exits 1: no traceback for a config typo.
    sys.exit(f"Yure configuration error: {message}")


def _bool(name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    _fail(f"{name}: expected true/false, got {raw!r}")


def _int(name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        _fail(f"{name}: expected a whole number, got {raw!r}")
    if value < minimum:
        _fail(f"{name}: must be at least {minimum}, got {value}")
    return value


def _fraction(name: str, default: float) -> float:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        _fail(f"{name}: expected a number from 0 to 1 (0.001 means 0.1%), got {raw!r}")
    return value


def _clock(name: str, default: str) -> dt.time:
    raw = environ.get(name, "").strip() or default
    try:
        return dt.time.fromisoformat(raw)
    except ValueError:
        _fail(f"{name}: expected a time of day like 09:00, got {raw!r}")


def _names(name: str, default: str) -> tuple[str, ...]:
    raw = environ.get(name)
    return tuple(part.strip() for part in (default if raw is None else raw).split(",") if part.strip())


def _json_object(name: str, example: str) -> dict:
    """A JSON object from the environment ({} when unset); what it holds is checked where it is used."""
    raw = environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        _fail(f"{name}: not valid JSON ({exc.msg} at character {exc.pos})")
    if not isinstance(value, dict):
        _fail(f"{name}: expected a JSON object like {example}, got {raw[:40]!r}")
    return value


def _database(url: str | None) -> dict:
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3",
                "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as exc:  # dj-database-url raises several types for malformed URLs
        _fail(f"DATABASE_URL: cannot parse {url.split('@')[-1]!r} ({exc})")
    if not config.get("ENGINE") or not config.get("NAME"):
        _fail("DATABASE_URL: must name a database engine and a database, e.g. postgres://user@host/yure")
    if config["ENGINE"].endswith("sqlite3"):
        config.setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    return config


DEBUG = _bool("DEBUG", False)
SECRET_KEY = environ.get("SECRET_KEY", "")
# Keys being rotated out: sessions, signed links and calendar-feed tokens made with them keep working.
SECRET_KEY_FALLBACKS = list(_names("SECRET_KEY_FALLBACKS", ""))
if not SECRET_KEY:
    if not DEBUG and "test" not in sys.argv[:2] and not environ.get("PYTEST_VERSION"):
        _fail("SECRET_KEY: must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: REMOTE_ADDR becomes
# the client's address behind them (scheduler_site.middleware.TrustedProxyMiddleware). Empty: the header is ignored.
TRUSTED_PROXIES = _names("TRUSTED_PROXIES", "")
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as _exc:
    _fail(f"TRUSTED_PROXIES: {_exc}")
ALLOWED_HOSTS = [h.strip() for h in environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if not ALLOWED_HOSTS and DEBUG:
    ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]
SITE_URL = environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_q",
    "axes",
    "phonenumber_field",
    "volunteers",
    "shifts",
]

MIDDLEWARE = [
    "scheduler_site.middleware.TrustedProxyMiddleware",  # REMOTE_ADDR from the proxy's header, if trusted
    "scheduler_site.middleware.RequestSizeLimitMiddleware",
    "scheduler_site.middleware.NulCharacterMiddleware",  # PostgreSQL cannot compare a NUL: 400, not 500
    "django.middleware.security.SecurityMiddleware",
    "shifts.feeds.middleware.FeedFastPathMiddleware",  # answers calendar polls before the rest of the stack
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scheduler_site.middleware.MemberLanguageMiddleware",  # UI: the member's stored language wins
    "scheduler_site.middleware.TextSizeMiddleware",  # UI: 标准 / 大 / 特大, remembered
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scheduler_site.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "scheduler_site.urls"
WSGI_APPLICATION = "scheduler_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "scheduler_site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scheduler_site.context_processors.menu",
            ],
        },
    },
]

DATABASES = {"default": _database(environ.get("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = environ.get("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    _fail(f"REDIS_URL: must start with redis://, rediss:// or unix://, got {REDIS_URL.split('@')[-1]!r}")

# How long one cache (Redis) call may take before feeds give up on the cache and render without it.
CACHE_SOCKET_TIMEOUT = _int("CACHE_TIMEOUT_MS", 250, minimum=10) / 1000

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": environ.get("CACHE_PREFIX", "yure"),
                          # A slow or unreachable Redis costs a request this long, not the 5 s default hang:
                          # the feed cache then renders without it (shifts.feeds.feed_cache).
                          "OPTIONS": {"socket_timeout": CACHE_SOCKET_TIMEOUT,
                                      "socket_connect_timeout": CACHE_SOCKET_TIMEOUT}}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "yure"}}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures. Its state is in the
# database, never the cache: a Redis outage must neither lock everyone out nor let guessing through. Sessions
# are in the database for the same reason (the cache is an optimisation, never a dependency).
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
SESSION_ENGINE = "django.contrib.sessions.backends.db"
AXES_FAILURE_LIMIT = _int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Usernames are cut to the length a login can have, so a 300-character guess neither overflows the attempt
# log (a 500 on PostgreSQL) nor escapes the count by varying characters past the limit.
AXES_USERNAME_CALLABLE = "volunteers.services.logins.lockout_username"
AXES_USERNAME_FORM_FIELD = "username"  # the login form's field (read by the code-login lockout too)

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our corrections to Django's date formats (1月4日, not 01月4日); anything not named there is Django's own.
FORMAT_MODULE_PATH = ["scheduler_site.formats"]
TIME_ZONE = environ.get("TIME_ZONE", "Asia/Shanghai")
try:
    import zoneinfo
    zoneinfo.ZoneInfo(TIME_ZONE)
except Exception:
    _fail(f"TIME_ZONE: unknown IANA time zone {TIME_ZONE!r}")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "scheduler_site" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
                    if not DEBUG else "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Mail: console in DEBUG, SMTP otherwise. Notifications go through shifts' pluggable senders.
EMAIL_BACKEND = environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = environ.get("DEFAULT_FROM_EMAIL", "yure@localhost")

# Text messages. Chinese SMS is template-based: each message kind below is sent as an approved template (by its
# code) with numbered parameters, under an approved sign name. Parameters per kind are fixed in
# shifts/messaging/sms_templates.py (SMS_TEMPLATE_PARAMS) and listed in the README.
# Default: the outbox when DEBUG (the demo), none otherwise.
SMS_PROVIDER = environ.get("SMS_PROVIDER", "outbox" if DEBUG else "").strip().lower()
if SMS_PROVIDER not in {"", "outbox", "tencent", "aliyun"}:
    _fail(f"SMS_PROVIDER: expected outbox, tencent or aliyun (or empty for none), got {SMS_PROVIDER!r}")
SMS_SIGN_NAME = environ.get("SMS_SIGN_NAME", "余热志愿")
SMS_APP_ID = environ.get("SMS_APP_ID", "")  # Tencent: SmsSdkAppId
SMS_SECRET_ID = environ.get("SMS_SECRET_ID", "")  # Tencent SecretId / Alibaba AccessKey ID
SMS_SECRET_KEY = environ.get("SMS_SECRET_KEY", "")  # Tencent SecretKey / Alibaba AccessKey secret
SMS_REGION = environ.get("SMS_REGION", "cn-hangzhou" if SMS_PROVIDER == "aliyun" else "ap-guangzhou")
# host[:port] of the provider's API; tests point it at a local stand-in.
SMS_ENDPOINT = environ.get("SMS_ENDPOINT", "dysmsapi.aliyuncs.com" if SMS_PROVIDER == "aliyun"
                           else "sms.tencentcloudapi.com")
SMS_ENDPOINT_SCHEME = environ.get("SMS_ENDPOINT_SCHEME", "https")
SMS_TIMEOUT = _int("SMS_TIMEOUT", 10, minimum=1)  # seconds per provider call
SMS_MESSAGE_KINDS = ("reminder", "roster_change", "swap_offer", "swap_outcome", "replan", "login_code",
                     "confirm_request", "welfare_check", "cover_ask", "cover_outcome")
SMS_MESSAGE_KINDS += ("partner_change",)  # a teammate changed on a shift the member keeps (name, shift, partner, link)
# Template code per kind: SMS_TEMPLATE_REMINDER, SMS_TEMPLATE_ROSTER_CHANGE, … SMS_TEMPLATE_WELFARE_CHECK.
SMS_TEMPLATES = {kind: environ.get(f"SMS_TEMPLATE_{kind.upper()}", "") for kind in SMS_MESSAGE_KINDS}
if SMS_PROVIDER in {"tencent", "aliyun"}:
    needed = ("SMS_APP_ID", "SMS_SECRET_ID", "SMS_SECRET_KEY") if SMS_PROVIDER == "tencent" else (
        "SMS_SECRET_ID", "SMS_SECRET_KEY")
    missing = [name for name in needed if not environ.get(name)]
    missing += [f"SMS_TEMPLATE_{kind.upper()}" for kind, code in SMS_TEMPLATES.items() if not code]
    if missing:
        _fail(f"SMS_PROVIDER={SMS_PROVIDER} needs {', '.join(missing)}")
# The provider's frequency limits, kept on our side so a message is refused here rather than lost there.
SMS_LIMIT_PER_NUMBER_DAY = _int("SMS_LIMIT_PER_NUMBER_DAY", 10, minimum=1)
SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY = _int("SMS_LIMIT_PER_NUMBER_TEMPLATE_DAY", 5, minimum=1)
SMS_LIMIT_PER_TEMPLATE_DAY = _int("SMS_LIMIT_PER_TEMPLATE_DAY", 5000, minimum=1)
SMS_RETRY_ATTEMPTS = _int("SMS_RETRY_ATTEMPTS", 3, minimum=1)
SMS_RETRY_MINUTES = _int("SMS_RETRY_MINUTES", 5, minimum=1)
# Shared secret for the provider's callbacks (replies 上行短信 and delivery reports): HMAC-SHA256 of
# "<X-Yure-Timestamp>.<body>". A callback signed longer ago than SMS_CALLBACK_MAX_AGE_SECONDS is refused.
SMS_CALLBACK_SECRET = environ.get("SMS_CALLBACK_SECRET", "")
SMS_CALLBACK_MAX_AGE_SECONDS = 600
# Voice calls (shifts/messaging/voice*.py): an approved TTS template per voice kind (VOICE_TEMPLATE_<KIND>, the
# parameters in shifts/messaging/voice_templates.py), read aloud to the member's number from VOICE_SHOW_NUMBER; the
# key press comes back through the signed callback /voice/callback/ (HMAC-SHA256 with VOICE_CALLBACK_SECRET of
# "<X-Yure-Timestamp>.<body>"). Default: the outbox when DEBUG (the demo), none otherwise.
VOICE_PROVIDER = environ.get("VOICE_PROVIDER", "outbox" if DEBUG else "").strip().lower()
if VOICE_PROVIDER not in {"", "outbox", "aliyun"}:
    _fail(f"VOICE_PROVIDER: expected outbox or aliyun (or empty for none), got {VOICE_PROVIDER!r}")
VOICE_SECRET_ID = environ.get("VOICE_SECRET_ID", "") or SMS_SECRET_ID  # Alibaba AccessKey ID
VOICE_SECRET_KEY = environ.get("VOICE_SECRET_KEY", "") or SMS_SECRET_KEY
VOICE_REGION = environ.get("VOICE_REGION", "cn-hangzhou")
VOICE_ENDPOINT = environ.get("VOICE_ENDPOINT", "dyvmsapi.aliyuncs.com")  # host[:port]; tests: a local stand-in
VOICE_ENDPOINT_SCHEME = environ.get("VOICE_ENDPOINT_SCHEME", "https")
VOICE_TIMEOUT = _int("VOICE_TIMEOUT", 10, minimum=1)  # seconds per provider request
VOICE_SHOW_NUMBER = environ.get("VOICE_SHOW_NUMBER", "")  # the approved caller number (CalledShowNumber)
VOICE_MESSAGE_KINDS = ("reminder", "confirm_request", "cover_ask", "welfare_call")
VOICE_TEMPLATES = {kind: environ.get(f"VOICE_TEMPLATE_{kind.upper()}", "") for kind in VOICE_MESSAGE_KINDS}
VOICE_CALLBACK_SECRET = environ.get("VOICE_CALLBACK_SECRET", "")
VOICE_CALLBACK_MAX_AGE_SECONDS = _int("VOICE_CALLBACK_MAX_AGE_SECONDS", 300, minimum=30)
if VOICE_PROVIDER == "aliyun":
    missing = [name for name, value in (("VOICE_SECRET_ID", VOICE_SECRET_ID), ("VOICE_SECRET_KEY", VOICE_SECRET_KEY),
                                        ("VOICE_SHOW_NUMBER", VOICE_SHOW_NUMBER),
                                        ("VOICE_CALLBACK_SECRET", VOICE_CALLBACK_SECRET)) if not value]
    missing += [f"VOICE_TEMPLATE_{kind.upper()}" for kind, code in VOICE_TEMPLATES.items() if not code]
    if missing:
        _fail(f"VOICE_PROVIDER=aliyun needs {', '.join(missing)}")
# No calls in these local hours (start, end), except the welfare ladder's: a call due then waits for the end.
try:
    VOICE_QUIET_HOURS = tuple(int(h) for h in environ.get("VOICE_QUIET_HOURS", "21,8").split(","))
    assert len(VOICE_QUIET_HOURS) == 2 and all(0 <= h <= 23 for h in VOICE_QUIET_HOURS)
except (ValueError, AssertionError):
    _fail("VOICE_QUIET_HOURS: expected two hours, e.g. 21,8")
VOICE_LIMIT_PER_NUMBER_DAY = _int("VOICE_LIMIT_PER_NUMBER_DAY", 3, minimum=1)  # welfare calls do not count
VOICE_ATTEMPTS = _int("VOICE_ATTEMPTS", 2, minimum=1)  # busy, no answer, provider timeout: call again once
VOICE_RETRY_MINUTES = _int("VOICE_RETRY_MINUTES", 10, minimum=1)
# Channels in order of preference: text messages first when configured (members read SMS, not e-mail). The voice
# sender only places calls (its own Notification beside the text), per the member's contact_channel.
NOTIFICATION_SENDERS = (["shifts.messaging.sms.SmsSender"] if SMS_PROVIDER else []) + [
    "shifts.messaging.notify.EmailSender"] + (["shifts.messaging.voice.VoiceSender"] if VOICE_PROVIDER else [])
PHONENUMBER_DEFAULT_REGION = "CN"
PHONENUMBER_DB_FORMAT = "E164"
# A member's confirmation link expires when their week's first shift starts; reminders go this many hours before.
CONFIRM_REMINDER_HOURS = _int("CONFIRM_REMINDER_HOURS", 48, minimum=1)
# Code logins (volunteers.services.logins), counted in the database per address range (/24, /64): wrong or
# stale codes of one member from one range refuse that member's codes there after CODE_LOGIN_DEVICE_LIMIT;
# CODE_LOGIN_ADDRESS_LIMIT wrong codes from one range get the locked answer, yet a correct code still logs in
# (shared proxies and community Wi-Fi put many elders behind one address); both for CODE_LOGIN_COOLOFF_MINUTES.
CODE_LOGIN_DEVICE_LIMIT = _int("CODE_LOGIN_DEVICE_LIMIT", 5, minimum=1)
CODE_LOGIN_ADDRESS_LIMIT = _int("CODE_LOGIN_ADDRESS_LIMIT", 50, minimum=1)
CODE_LOGIN_COOLOFF_MINUTES = _int("CODE_LOGIN_COOLOFF_MINUTES", 15, minimum=1)

# Service delivered. A shift counts as served when the member was present for at least this share of it
# (several provinces use 60%). A member who has neither checked in nor reported an absence this many minutes
# after a shift starts goes on the dashboard's contact list. "Ill" from that call records an absence of this
# many days. Star levels use the district's hours (StarLevels) or these defaults.
ATTENDANCE_SERVED_SHARE = _int("ATTENDANCE_SERVED_PERCENT", 60, minimum=1) / 100
if ATTENDANCE_SERVED_SHARE > 1:
    _fail("ATTENDANCE_SERVED_PERCENT: must be at most 100")
NO_SHOW_AFTER_MINUTES = _int("NO_SHOW_AFTER_MINUTES", 20, minimum=1)
NO_SHOW_ILL_ABSENCE_DAYS = _int("NO_SHOW_ILL_ABSENCE_DAYS", 7, minimum=1)
# The cover call-down (shifts.rostering.cover): a published shift short of people within COVER_CALL_HOURS of its
# start asks rule-safe members COVER_WAVE_SIZE at a time, COVER_WAVE_MINUTES apart, until one says yes; the
# secretary is messaged when nobody is left to ask or the shift starts within COVER_ALERT_HOURS unfilled.
COVER_CALL_HOURS = _int("COVER_CALL_HOURS", 48, minimum=1)
COVER_WAVE_SIZE = _int("COVER_WAVE_SIZE", 3, minimum=1)
COVER_WAVE_MINUTES = _int("COVER_WAVE_MINUTES", 15, minimum=1)
COVER_ALERT_HOURS = _int("COVER_ALERT_HOURS", 2, minimum=1)
STAR_THRESHOLDS_HOURS = environ.get("STAR_THRESHOLDS_HOURS", "100,300,600,1000,1500")
# The welfare ladder (shifts.delivered.welfare_ladder): a no-show, or a patrol member not checked out this many
# minutes after the patrol ends, is called on a ladder: "minutes:whom" after that moment (whom: member, relative —
# the member's relative, else the community's welfare contact, else its secretaries — or secretary), each call
# only if the one before went unanswered; unanswered this long after the last call, the member is unreachable.
PATROL_OVERDUE_MINUTES = _int("PATROL_OVERDUE_MINUTES", 30, minimum=1)
WELFARE_UNREACHABLE_MINUTES = _int("WELFARE_UNREACHABLE_MINUTES", 30, minimum=1)


def _ladder(name: str, default: str) -> tuple[tuple[int, str], ...]:
    steps = []
    for part in environ.get(name, default).split(","):
        minutes, _sep, whom = part.strip().partition(":")
        if not minutes.strip().isdigit() or whom.strip() not in ("member", "relative", "secretary"):
            _fail(f"{name}: write minutes:whom, e.g. 15:member,30:relative,60:secretary (got {part.strip()!r})")
        steps.append((int(minutes), whom.strip()))
    if not steps or [m for m, _w in steps] != sorted({m for m, _w in steps}):
        _fail(f"{name}: give at least one step, in increasing minutes")
    return tuple(steps)


WELFARE_LADDER_STEPS = _ladder("WELFARE_LADDER_STEPS", "15:member,30:relative,60:secretary")

# The optimizer's per-solve limit; the queue's timeout must exceed it with a margin, and retry exceed timeout.
SOLVER_TIME_LIMIT = _int("SOLVER_TIME_LIMIT", 20, minimum=1)
SOLVER_WORKERS = _int("SOLVER_WORKERS", 2, minimum=1)
# The optimizer stops once its roster is proven within this relative gap of the non-constant objective.
SOLVER_GAP = _fraction("SOLVER_GAP", 0.001)
# A district generate's second stage: each linked community's draft improved on its own, across queue workers.
SOLVER_DISTRICT_IMPROVE = _bool("SOLVER_DISTRICT_IMPROVE", True)
# A district solve (more than 400 shifts in one linked group) runs in one queue worker as a coordinator and hands
# its neighbourhoods (the sweep's groups, the moves) to the queue as pieces, at most this many at a time; any
# qcluster on any machine takes them, and the coordinator takes a piece itself when none is free. Set it to the
# number of queue workers of the whole cluster; 0 solves the district inside the coordinator's process alone
# (a queue worker may not fork worker processes). See docs/benchmarks.md for what each setting reaches.
SOLVER_QUEUE_SLOTS = _int("SOLVER_QUEUE_SLOTS", 2, minimum=0)
# A re-plan after an absence is small and someone is waiting for it: its own, shorter limit (never more than
# SOLVER_TIME_LIMIT, which the queue's timeout is sized for).
REPAIR_TIME_LIMIT = _int("REPAIR_TIME_LIMIT", min(5, SOLVER_TIME_LIMIT), minimum=1)
# A running solve whose heartbeat is older than this is taken as dead (its worker stopped) and queued again.
SOLVE_STALE_SECONDS = _int("SOLVE_STALE_SECONDS", 60, minimum=1)
# The roster's rules and the objective's weights, as roster-problem/1 "rules" and "weights" objects (JSON), e.g.
# ROSTER_WEIGHTS={"fairness": 2}. Empty: the optimizer's own defaults (solver/problem.py), which are not restated
# here; the optimizer names any field it cannot read.
ROSTER_RULES = _json_object("ROSTER_RULES", '{"min_rest_minutes": 480}')
ROSTER_WEIGHTS = _json_object("ROSTER_WEIGHTS", '{"fairness": 2}')
# Duties that are gatherings for everyone (the monthly study session), not places the optimizer fills.
UNROSTERED_DUTIES = _names("UNROSTERED_DUTIES", "study")
# Attending such a gathering counts in a member's record of organisational life; in volunteer service hours (the
# ledger, certificates, the national-record export) only when the district says so.
GATHERINGS_COUNT_AS_SERVICE = _bool("GATHERINGS_COUNT_AS_SERVICE", False)
# The monthly study session (on the 25th): when it starts and how long it lasts.
STUDY_SESSION_START = _clock("STUDY_SESSION_START", "09:00")
STUDY_SESSION_MINUTES = _int("STUDY_SESSION_MINUTES", 90, minimum=15)
# The duty whose shifts are home visits (a visit household per shift).
VISIT_DUTY_CODE = environ.get("VISIT_DUTY_CODE", "visiting").strip()
# The duty whose shifts are patrol rounds (the monthly report counts the rounds walked).
PATROL_DUTY_CODE = environ.get("PATROL_DUTY_CODE", "patrol").strip()
Q_TIMEOUT = SOLVER_TIME_LIMIT + 120
Q_CLUSTER = {
    "name": "yure",
    "workers": _int("Q_WORKERS", 2, minimum=1),
    "timeout": Q_TIMEOUT,
    "retry": Q_TIMEOUT + 60,
    "max_attempts": 3,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "label": "Django Q2",
}
# How long one call to the queue's Redis broker may take (it must exceed the 1 s a worker's BLPOP waits); a
# request that queues work while Redis is down or hanging then carries on, and the job waits for a catch-up
# (shifts.messaging.jobs, rosters' solve recovery). After a failure a process leaves the broker alone
# for QUEUE_REST_SECONDS.
QUEUE_SOCKET_TIMEOUT = _int("QUEUE_TIMEOUT_MS", 2000, minimum=1500) / 1000
QUEUE_REST_SECONDS = 30


def _with_timeouts(url: str, seconds: float) -> str:
    """The Redis URL with socket timeouts redis-py reads from its query, unless the URL sets its own."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.setdefault("socket_timeout", str(seconds))
    query.setdefault("socket_connect_timeout", str(seconds))
    return urlunsplit(parts._replace(query=urlencode(query)))


if REDIS_URL:
    Q_CLUSTER["redis"] = _with_timeouts(REDIS_URL, QUEUE_SOCKET_TIMEOUT)
else:
    Q_CLUSTER["orm"] = "default"
    Q_CLUSTER["poll"] = 1

# Security: strict defaults outside DEBUG (checked by `manage.py check --deploy` in CI).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Staff sessions are short (shared office computers, many members' data); a member who logs in with a
# one-time link stays logged in on their own phone for MEMBER_SESSION_DAYS.
SESSION_COOKIE_AGE = _int("STAFF_SESSION_HOURS", 12, minimum=1) * 3600
MEMBER_SESSION_DAYS = _int("MEMBER_SESSION_DAYS", 180, minimum=1)
MEMBER_LOGIN_LINK_HOURS = _int("MEMBER_LOGIN_LINK_HOURS", 72, minimum=1)
# Retention: inactive members are anonymised this many days after they were deactivated.
ANONYMISE_AFTER_DAYS = _int("ANONYMISE_AFTER_DAYS", 365, minimum=1)
# Hostile input: cap whole request bodies (uploads included) and form fields.
MAX_REQUEST_BYTES = _int("MAX_REQUEST_BYTES", 8 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
DATA_UPLOAD_MAX_NUMBER_FILES = 5
IMPORT_MAX_ROWS = _int("IMPORT_MAX_ROWS", 20_000, minimum=1)
# Reading an uploaded member list happens on the queue, in a child process limited to this much CPU time
# (seconds) and memory (MB): a crafted spreadsheet is stopped with a plain message instead of holding a worker.
IMPORT_CPU_SECONDS = _int("IMPORT_CPU_SECONDS", 60, minimum=1)
IMPORT_MEMORY_MB = _int("IMPORT_MEMORY_MB", 1024, minimum=64)
# Uploaded member lists wait here for the queue to read them (the web and queue processes must share it).
IMPORT_TMP_DIR = environ.get("IMPORT_TMP_DIR", "").strip() or str(Path(tempfile.gettempdir()) / "yure-imports")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = _bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = _bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = _bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = _int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = _bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        # Joining browsers' preload list is hard to undo, so it is the operator's explicit choice.
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "scheduler_site.logging.RedactFeedTokens"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain",
                             "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": environ.get("LOG_LEVEL", "INFO")},
    # Django's own "django" logger gets a console handler of its own in DEBUG (DEFAULT_LOGGING) that would print
    # request paths, feed and login-link tokens included, unredacted: it writes through ours instead.
    "loggers": {"django": {"handlers": ["console"], "level": "INFO", "propagate": False},
                "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}

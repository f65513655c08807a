"""Fixtures of the voice-call tests: the real Alibaba voice SDK pointed at the stand-in (tests/messaging/
voice_standin.py), text messages through the outbox, and the stand-in's reports posted to the live server."""

import copy
import datetime as dt
import pathlib

import pytest
from django.utils import timezone

from shifts.signals import call_answered
from tests import factories as f

SECRET = "voice-secret"
MAIL = pathlib.Path(__file__).resolve().parent / "voice_mail"
SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender",
           "shifts.messaging.voice.VoiceSender"]


def voice_settings(settings, endpoint: str) -> None:
    settings.SMS_PROVIDER = "outbox"
    settings.VOICE_PROVIDER = "aliyun"
    settings.VOICE_ENDPOINT, settings.VOICE_ENDPOINT_SCHEME = endpoint, "http"
    settings.VOICE_SECRET_ID, settings.VOICE_SECRET_KEY = "AKIDvoice", "voice-key"
    settings.VOICE_SHOW_NUMBER = "057100000000"
    settings.VOICE_TIMEOUT = 1
    settings.VOICE_TEMPLATES = {kind: f"TTS_{kind}" for kind in settings.VOICE_MESSAGE_KINDS}
    settings.VOICE_CALLBACK_SECRET = SECRET
    settings.VOICE_QUIET_HOURS = (0, 0)  # no quiet hours unless a test says so: the clock must not matter
    settings.VOICE_LIMIT_PER_NUMBER_DAY = 3
    settings.VOICE_ATTEMPTS = 2
    settings.NOTIFICATION_SENDERS = list(SENDERS)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], MAIL]  # welfare_call's mail text (its own branch adds it)
    settings.TEMPLATES = templates


@pytest.fixture
def plain_live_server(live_server, settings):
    """The live server speaking plain HTTP: it is started once per session, before function-level settings
    apply, so serve this test through handlers built after the override (as tests/swaps/test_browser.py)."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.testcases import _MediaFilesHandler

    settings.SECURE_SSL_REDIRECT = False
    server = live_server.thread.httpd
    original = server.get_app()
    server.set_app(StaticFilesHandler(_MediaFilesHandler(WSGIHandler())))
    yield live_server
    server.set_app(original)


@pytest.fixture
def standin(settings, monkeypatch, plain_live_server):
    from tests.messaging.voice_standin import VoiceStandIn

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    state = VoiceStandIn(secret=SECRET).start()
    state.callback_url = f"{plain_live_server.url}/voice/callback/"
    voice_settings(settings, state.endpoint)
    yield state
    state.stop()


@pytest.fixture
def answered():
    """The call_answered signals sent, as (notification_id, kind, digit, member_id)."""
    seen = []

    def receive(sender, notification_id, kind, digit, member_id=None, **kwargs):
        seen.append((notification_id, kind, digit, member_id))
    call_answered.connect(receive, dispatch_uid="tests.voice.answered")
    yield seen
    call_answered.disconnect(dispatch_uid="tests.voice.answered")


@pytest.fixture
def people(week_start):
    community = f.community(name="幸福里")
    patrol = f.duty("patrol", name="巡逻", name_en="Patrol")
    start = timezone.make_aware(dt.datetime.combine(week_start, dt.time(9, 0)))
    shift = f.shift(community, patrol, start, location="东门")
    members = [f.member(community, name=name, phone=phone, contact_channel=channel) for name, phone, channel in
               (("王秀英", "13800000001", "voice"), ("李建国", "13800000002", "sms_voice"),
                ("张桂兰", "13800000003", "sms"))]
    return {"community": community, "shift": shift, "members": members, "week_start": week_start}

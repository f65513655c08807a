"""A local stand-in of Tencent Cloud SMS's HTTP API on 127.0.0.1, so the real SDK can be tested end to end.

The stand-in answers SendSms the way the provider does (JSON under "Response"); a test picks the answer with
`standin.mode`: "ok", "rate_limit" (a per-number frequency error, which is temporary), "bad_number",
"server_busy" (a request-level RequestLimitExceeded) or "timeout" (answers after the client gave up).
"""

import datetime as dt
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests import factories as f


class StandIn:
    def __init__(self):
        self.mode = "ok"
        self.requests: list[dict] = []
        self.serial = 0


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            state.requests.append({"action": self.headers.get("X-TC-Action"), "body": body,
                                   "authorization": self.headers.get("Authorization", "")})
            if state.mode == "timeout":
                time.sleep(2.5)
            state.serial += 1
            phone = (body.get("PhoneNumberSet") or [""])[0]
            status = {"SerialNo": f"2433:{state.serial:06d}", "PhoneNumber": phone, "Fee": 1,
                      "SessionContext": body.get("SessionContext", ""), "Code": "Ok", "Message": "send success",
                      "IsoCode": "CN"}
            if state.mode == "rate_limit":
                status.update(SerialNo="", Fee=0, Code="LimitExceeded.PhoneNumberOneHourLimit",
                              Message="the number received too many messages in one hour")
            elif state.mode == "bad_number":
                status.update(SerialNo="", Fee=0, Code="InvalidParameterValue.IncorrectPhoneNumber",
                              Message="incorrect phone number")
            response = {"Response": {"SendStatusSet": [status], "RequestId": f"req-{state.serial}"}}
            if state.mode == "server_busy":
                response = {"Response": {"Error": {"Code": "RequestLimitExceeded", "Message": "too many requests"},
                                         "RequestId": f"req-{state.serial}"}}
            payload = json.dumps(response).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and hung up
                pass

    return Handler


@pytest.fixture
def standin(settings, monkeypatch):
    """Tencent SMS configured against the stand-in; yields its state."""
    state = StandIn()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.SMS_PROVIDER = "tencent"
    settings.SMS_ENDPOINT = f"127.0.0.1:{server.server_address[1]}"
    settings.SMS_ENDPOINT_SCHEME = "http"
    settings.SMS_APP_ID, settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY = "1400000001", "AKIDtest", "secret"
    settings.SMS_TIMEOUT = 1
    settings.SMS_TEMPLATES = {kind: f"T-{kind}" for kind in settings.SMS_MESSAGE_KINDS}
    settings.NOTIFICATION_SENDERS = ["shifts.services.sms.SmsSender", "shifts.services.notify.EmailSender"]
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def outbox_sms(settings):
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.services.sms.SmsSender", "shifts.services.notify.EmailSender"]


@pytest.fixture
def people(week_start):
    community = f.community(name="幸福里")
    patrol = f.duty("patrol")
    start = timezone.make_aware(dt.datetime.combine(week_start, dt.time(9, 0)))
    shift = f.shift(community, patrol, start, location="东门")
    members = [f.member(community, name=name, phone=phone) for name, phone in
               (("王秀英", "13800000001"), ("李建国", "13800000002"), ("张桂兰", ""))]
    secretary = f.secretary(community)
    return {"community": community, "patrol": patrol, "shift": shift, "members": members, "secretary": secretary,
            "week_start": week_start}

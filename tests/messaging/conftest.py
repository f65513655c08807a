"""Local stand-ins of Tencent Cloud SMS's and Alibaba Cloud SMS's HTTP APIs on 127.0.0.1, so each real SDK can
be tested end to end.

The stand-in answers SendSms the way the provider does (Tencent: JSON under "Response"; Alibaba: an RPC JSON body
with Code and BizId); a test picks the answer with `standin.mode`: "ok", "rate_limit" (a per-number frequency
error, which is temporary), "bad_number", "server_busy" (a request-level throttling error) or "timeout" (answers
after the client gave up). The `standin` fixture runs each test once per provider.
"""

import datetime as dt
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from tests import factories as f


class StandIn:
    def __init__(self, provider: str):
        self.provider = provider
        self.mode = "ok"
        self.requests: list[dict] = []
        self.serial = 0


def _handler(state: StandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            if state.provider == "tencent":
                status, response = self._tencent(json.loads(raw or b"{}"))
            else:
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                query.update(urllib.parse.parse_qs(raw.decode()))
                status, response = self._aliyun({key: values[0] for key, values in query.items()})
            if state.mode == "timeout":
                time.sleep(2.5)
            payload = json.dumps(response).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and hung up
                pass

        def _tencent(self, body):
            state.requests.append({"action": self.headers.get("X-TC-Action"), "body": body,
                                   "phone": (body.get("PhoneNumberSet") or [""])[0],
                                   "authorization": self.headers.get("Authorization", "")})
            state.serial += 1
            status = {"SerialNo": f"2433:{state.serial:06d}", "PhoneNumber": body.get("PhoneNumberSet", [""])[0],
                      "Fee": 1, "SessionContext": body.get("SessionContext", ""), "Code": "Ok",
                      "Message": "send success", "IsoCode": "CN"}
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
            return 200, response

        def _aliyun(self, params):
            state.requests.append({"action": self.headers.get("x-acs-action"), "body": params,
                                   "phone": params.get("PhoneNumbers", ""),
                                   "authorization": self.headers.get("Authorization", "")})
            state.serial += 1
            codes = {"ok": ("OK", "OK"), "timeout": ("OK", "OK"),
                     "rate_limit": ("isv.BUSINESS_LIMIT_CONTROL", "触发号码天级流控"),
                     "bad_number": ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")}
            if state.mode == "server_busy":
                return 503, {"Code": "Throttling", "Message": "Request was denied due to request throttling.",
                             "RequestId": f"req-{state.serial}"}
            code, message = codes[state.mode]
            return 200, {"Code": code, "Message": message, "RequestId": f"req-{state.serial}",
                         **({"BizId": f"9006^{state.serial:06d}"} if code == "OK" else {})}

    return Handler


@pytest.fixture(params=["tencent", "aliyun"])
def standin(request, settings, monkeypatch):
    """A provider configured against its stand-in; yields the stand-in's state."""
    state = StandIn(request.param)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    settings.SMS_PROVIDER = request.param
    settings.SMS_ENDPOINT = f"127.0.0.1:{server.server_address[1]}"
    settings.SMS_ENDPOINT_SCHEME = "http"
    settings.SMS_APP_ID, settings.SMS_SECRET_ID, settings.SMS_SECRET_KEY = "1400000001", "AKIDtest", "secret"
    settings.SMS_TIMEOUT = 1
    settings.SMS_TEMPLATES = {kind: f"T-{kind}" for kind in settings.SMS_MESSAGE_KINDS}
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def outbox_sms(settings):
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]


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

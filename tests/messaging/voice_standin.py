"""A stand-in of Alibaba Cloud's voice API (Dyvmsapi 2017-05-25) on 127.0.0.1, enough for the real SDK
(alibabacloud-dyvmsapi20170525) to place calls against it, and of the provider-side relay that reports how each
call ended to the app's signed callback (/voice/callback/).

Tell it per number how the call goes (`standin.answers["+8613800000001"] = "key1"`):
    "answered"   picked up, listened, no key          "key1" / "key2" / "key3"  picked up and pressed that key
    "busy"       busy                                 "no_answer"  rang out
    "failed"     the network could not connect it     "bad_number" refused at once (isv.MOBILE_NUMBER_ILLEGAL)
    "timeout"    the API answers after the SDK gave up (a transient error; no call)
A number may be given a list of answers, taken in turn (e.g. ["busy", "key1"] for a retry that gets through).
Accepted calls are reported to `callback_url` (if set) with the signature the relay would send; the reports are
posted from a background thread that retries a 404 a few times (the app may not have committed the call yet),
and `wait()` joins them (with `hold` set they wait for `release()`). `posted` holds (payload, HTTP status) of
each report.
"""

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TIMEOUT_SLEEP = 2.5  # longer than the tests' VOICE_TIMEOUT of 1 s


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The relay's signature (README, Voice calls), written out here rather than taken from the app's code, so
    the tests check the documented contract; nothing of Django is imported (tests/deployed starts this too)."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


class VoiceStandIn:
    def __init__(self, *, secret: str = "voice-secret", default: str = "answered"):
        self.secret = secret
        self.default = default  # how calls to numbers not in `answers` go
        self.answers: dict[str, object] = {}
        self.requests: list[dict] = []
        self.posted: list[tuple[dict, int]] = []
        self.callback_url = ""
        self.hold = False  # keep the reports until release(): the app's own work is done first (SQLite)
        self._held: list[dict] = []
        self._one_at_a_time = threading.Lock()  # the relay posts one report at a time
        self.serial = 0
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self.wait()
        self.server.shutdown()
        self.server.server_close()

    def answer_for(self, number: str) -> str:
        with self._lock:
            given = self.answers.get(number, self.default)
            if isinstance(given, list):
                return given.pop(0) if len(given) > 1 else given[0]
            return given

    def report(self, payload: dict, *, timestamp: int | None = None, secret: str | None = None,
               signature: str | None = None, tampered: dict | None = None) -> int:
        """POST one signed report to the app, as the relay does; returns the HTTP status. `tampered`: sign
        `payload` but send this instead (someone changed it on the way)."""
        body = json.dumps(payload).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        headers = {"Content-Type": "application/json", "X-Yure-Timestamp": str(stamp)}
        if signature is None:
            signature = sign(secret=self.secret if secret is None else secret, timestamp=stamp, body=body)
        if signature:
            headers["X-Yure-Signature"] = signature
        sent = json.dumps(tampered).encode() if tampered is not None else body
        request = urllib.request.Request(self.callback_url, data=sent, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def release(self):
        with self._lock:
            held, self._held, self.hold = self._held, [], False
        for payload in held:
            self._report_later(payload)
        self.wait()

    def _report_later(self, payload: dict):
        with self._lock:
            if self.hold:
                self._held.append(payload)
                return

        def run():
            for _try in range(20):
                time.sleep(0.2)
                with self._one_at_a_time:
                    status = self.report(payload)
                if status != 404:
                    break
            with self._lock:
                self.posted.append((payload, status))
        thread = threading.Thread(target=run, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def wait(self, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                threads = [t for t in self._threads if t.is_alive()]
            if not threads or time.monotonic() > deadline:
                return
            threads[0].join(timeout=max(0.0, deadline - time.monotonic()))


def _handler(state: VoiceStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            query.update(urllib.parse.parse_qs(raw.decode()))
            params = {key: values[0] for key, values in query.items()}
            action = self.headers.get("x-acs-action") or params.get("Action", "")
            number = params.get("CalledNumber", "")
            phone = number if number.startswith("+") else f"+86{number}"
            answer = state.answer_for(phone)
            with state._lock:
                state.serial += 1
                serial = state.serial
                state.requests.append({"action": action, "params": params, "phone": phone, "answer": answer,
                                       "authorization": self.headers.get("Authorization", "")})
            if answer == "timeout":
                time.sleep(TIMEOUT_SLEEP)
            if answer == "bad_number":
                status, body = 200, {"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "号码格式非法",
                                     "RequestId": f"req-{serial}"}
            elif action not in ("IvrCall", "SingleCallByTts"):
                status, body = 400, {"Code": "InvalidAction.NotFound", "Message": action, "RequestId": f"r{serial}"}
            else:
                call_id = f"1160{serial:08d}^1028{serial:06d}"
                status, body = 200, {"Code": "OK", "Message": "OK", "CallId": call_id, "RequestId": f"req-{serial}"}
                if answer != "timeout" and state.callback_url:
                    outcome = "answered" if answer.startswith("key") else answer
                    report = {"call_id": call_id, "status": outcome, "out_id": params.get("OutId", "")}
                    if answer.startswith("key"):
                        report["digit"] = answer[3:]
                    state._report_later(report)
            payload = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):  # the SDK timed out and hung up
                pass

    return Handler

"""How a voice call ended, posted by the provider-side relay: POST /voice/callback/ (no login; README, Voice calls).

The relay (which receives the provider's call report, e.g. Alibaba's VoiceReport / IvrCallReport message) posts
one JSON object per finished call:

    {"call_id": "<the provider's CallId>", "status": "answered" | "busy" | "no_answer" | "failed",
     "digit": "1"}                                   (digit: the key pressed, only with "answered")

with headers X-Yure-Timestamp (unix seconds) and X-Yure-Signature, the hex HMAC-SHA256 with
settings.VOICE_CALLBACK_SECRET of "<timestamp>.<raw body>". Refused, changing nothing and audited: no secret
configured, unsigned or wrongly signed (403), a timestamp more than VOICE_CALLBACK_MAX_AGE_SECONDS away (403), a
call id already reported (409: the id is single-use, a VoiceCallbackSeen row with a unique index, so two identical
callbacks at once have one effect), an unknown call id (404). An accepted key press is passed on after commit as
shifts.signals.call_answered; the feature that placed the call acts on it.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shifts.messaging.voice import OUTCOMES, voice_outcome_record
from shifts.models import Notification, VoiceCallbackSeen
from shifts.signals import call_answered
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

MAX_BYTES = 4096
SEEN_KEPT = dt.timedelta(days=1)


def voice_callback_sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature the relay sends (also used by the tests' stand-in provider)."""
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _refused(status: int, why: str, data: dict | None = None) -> HttpResponse:
    logger.warning("voice callback refused: %s", why)
    audit_log(action="shifts.voice.callback_refused", data={"why": why, "status": status, **(data or {})})
    return JsonResponse({"result": "refused", "why": why}, status=status)


def _signature_refusal(request) -> HttpResponse | None:
    secret = settings.VOICE_CALLBACK_SECRET
    given = request.headers.get("X-Yure-Signature", "")
    stamp = request.headers.get("X-Yure-Timestamp", "")
    if not secret or not given or not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return _refused(403, "unsigned")
    if not hmac.compare_digest(voice_callback_sign(secret=secret, timestamp=int(stamp), body=request.body), given):
        return _refused(403, "bad signature")
    if abs(time.time() - int(stamp)) > settings.VOICE_CALLBACK_MAX_AGE_SECONDS:
        return _refused(403, "stale timestamp", {"timestamp": int(stamp)})
    return None


def _payload(raw: bytes) -> dict | None:
    try:
        item = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(item, dict) or not all(isinstance(v, str | int | type(None)) for v in item.values()):
        return None
    call_id, status = str(item.get("call_id") or "")[:100], str(item.get("status") or "")
    if not call_id or status not in OUTCOMES:
        return None
    return {"call_id": call_id, "status": status, "digit": str(item.get("digit") or "")[:2]}


def voice_callback_take(*, call_id: str, status: str, digit: str) -> tuple[int, str]:
    """Record a signed callback once: (HTTP status, what happened)."""
    with transaction.atomic():
        if not Notification.objects.filter(channel=Notification.Channel.VOICE, provider_message_id=call_id).exists():
            return 404, "unknown call"
        VoiceCallbackSeen.objects.filter(received_at__lt=timezone.now() - SEEN_KEPT).delete()
        try:
            with transaction.atomic():
                VoiceCallbackSeen.objects.create(call_id=call_id)
        except IntegrityError:  # reported before, or the same report is being taken right now
            return 409, "replayed"
        answered = voice_outcome_record(call_id=call_id, outcome=status, digit=digit)
        audit_log(action="shifts.voice.call_reported", obj=answered,
                  data={"call_id": call_id, "status": status, "digit": digit if answered else ""})
        if answered is not None:
            transaction.on_commit(partial(call_answered.send, sender=Notification, notification_id=answered.pk,
                                          kind=answered.kind, digit=answered.call_digit,
                                          member_id=answered.member_id))
    return 200, "key" if answered is not None else "recorded"


@csrf_exempt
@require_POST
def voice_callback(request):
    """The provider relay's report of one finished call (see the module's docstring for the contract)."""
    if len(request.body) > MAX_BYTES:
        return _refused(413, "body too large")
    refusal = _signature_refusal(request)
    if refusal is not None:
        return refusal
    payload = _payload(request.body)
    if payload is None:
        return _refused(400, "not a call report")
    status, what = voice_callback_take(call_id=payload["call_id"], status=payload["status"], digit=payload["digit"])
    if status != 200:
        return _refused(status, what, {"call_id": payload["call_id"]})
    return JsonResponse({"result": "ok", "taken": what})

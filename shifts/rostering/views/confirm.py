"""Confirming a week's shifts: one tap on My shifts, the no-login link from a text message, and the provider's
callbacks (上行短信 replies and delivery reports), whose HMAC signature is verified."""

import hashlib
import hmac
import json
import logging
import time

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from scheduler_site.access import member_required
from shifts.messaging.notices import notice_open
from shifts.models import MemberNotice, Notification, WeekConfirmation
from shifts.rostering.confirmations import (
    confirmation_answer,
    confirmation_answer_by_link,
    confirmation_by_token,
    sms_reply_handle,
)

logger = logging.getLogger(__name__)


@require_POST
@member_required
def confirm_week(request, confirmation_id, member):
    confirmation = get_object_or_404(WeekConfirmation, pk=confirmation_id, member=member)
    accept = request.POST.get("answer") == "yes"
    try:
        confirmation_answer(confirmation=confirmation, accept=accept, by=request.user, via=WeekConfirmation.Via.APP,
                            proxy=getattr(request, "acting_proxy", None))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("my_shifts")
    MemberNotice.objects.filter(member=member, kind=MemberNotice.Kind.CONFIRM, read_at__isnull=True).update(
        read_at=timezone.now())
    messages.success(request, _("Thank you, your shifts are confirmed.") if accept else
                     _("Thank you for telling us. Your secretary is finding someone to take your place."))
    return redirect("my_shifts")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_link(request, token):
    """The link in the text message. GET only shows the buttons: link previews must not answer for the member."""
    if request.method == "POST":
        try:
            confirmation = confirmation_answer_by_link(token=token, accept=request.POST.get("answer") == "yes")
        except ValidationError as exc:  # a yes after the member said they cannot come
            return render(request, "shifts/confirm_invalid.html", {"error": " ".join(exc.messages)}, status=409)
        if confirmation is not None:
            return render(request, "shifts/confirm_done.html", {"confirmation": confirmation})
    else:
        confirmation = confirmation_by_token(token)
        if confirmation is not None:
            return render(request, "shifts/confirm_link.html", {"confirmation": confirmation})
    return render(request, "shifts/confirm_invalid.html", status=404)


@member_required
def notice_view(request, notice_id, member):
    try:
        notice = notice_open(member=member, notice_id=notice_id)
    except MemberNotice.DoesNotExist:
        raise Http404
    return redirect(notice.url)


# A provider callback is a handful of flat objects; anything bigger or deeper is refused before it is parsed.
CALLBACK_MAX_BYTES = 64 * 1024
CALLBACK_MAX_ITEMS = 100
CALLBACK_MAX_DEPTH = 2  # a list of objects


def _callback_refusal(request) -> HttpResponse | None:
    """Why a provider callback is refused before its content is read, or None: too big, signed wrongly, or
    signed too long ago (a captured callback sent again later)."""
    if len(request.body) > CALLBACK_MAX_BYTES:
        return HttpResponse("body too large", status=413, content_type="text/plain")
    secret = settings.SMS_CALLBACK_SECRET
    given = request.headers.get("X-Yure-Signature", "")
    stamp = request.headers.get("X-Yure-Timestamp", "")
    if not secret or not given or not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        return HttpResponseForbidden("bad signature")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        return HttpResponseForbidden("bad signature")
    if abs(time.time() - int(stamp)) > settings.SMS_CALLBACK_MAX_AGE_SECONDS:
        logger.warning("refused a provider callback signed at %s: too old or from the future", stamp)
        return HttpResponseForbidden("stale timestamp")
    return None


def _json_depth(raw: bytes) -> int:
    """How deeply the JSON text nests its arrays and objects, read without parsing it (so no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            escaped, in_string = (False, True) if escaped else (byte == 0x5C, byte != 0x22)
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _callback_items(raw: bytes) -> list[dict] | None:
    """The callback's objects (one object or a list of them, each of plain values), or None when it is not that."""
    if _json_depth(raw) > CALLBACK_MAX_DEPTH:
        return None
    try:
        items = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    items = items if isinstance(items, list) else [items]
    if len(items) > CALLBACK_MAX_ITEMS or not all(isinstance(item, dict) for item in items):
        return None
    plain = (str, int, float, bool, type(None))
    if not all(isinstance(value, plain) and "\x00" not in str(value) for item in items for value in item.values()):
        return None
    return items


def _phone(item: dict) -> str:
    number = str(item.get("mobile") or item.get("phone_number") or "")
    nation = str(item.get("nationcode") or "86")
    return number if number.startswith("+") else f"+{nation}{number}"


@csrf_exempt
@require_POST
def sms_reply_webhook(request):
    """上行短信: the relay posts the replies as JSON (one object or a list), each with the provider's id of the reply
    ("msgid") and of our message it answers ("reply_to"); "1" confirms, "2" declines (README, Text messages)."""
    refused = _callback_refusal(request)
    if refused is not None:
        return refused
    items = _callback_items(request.body)
    if items is None:
        return JsonResponse({"result": 1, "errmsg": "body is not a JSON object or a list of flat objects"},
                            status=400)
    handled = 0
    for item in items:
        if sms_reply_handle(reply_id=str(item.get("msgid") or ""), reply_to=str(item.get("reply_to") or ""),
                            phone=_phone(item), text=str(item.get("text", ""))):
            handled += 1
    return JsonResponse({"result": 0, "errmsg": "OK", "handled": handled})


@csrf_exempt
@require_POST
def sms_status_webhook(request):
    """Delivery reports: [{"sid": provider message id, "report_status": "SUCCESS"|"FAIL", ...}]."""
    refused = _callback_refusal(request)
    if refused is not None:
        return refused
    items = _callback_items(request.body)
    if items is None:
        return HttpResponse("body is not a JSON object or a list of flat objects", status=400)
    updated = 0
    for item in items:
        if not item.get("sid"):
            continue
        delivered = str(item.get("report_status", "")).upper() == "SUCCESS"
        updated += Notification.objects.filter(provider_message_id=str(item["sid"])).update(
            delivery_status=Notification.Delivery.DELIVERED if delivered else Notification.Delivery.UNDELIVERED,
            delivered_at=timezone.now() if delivered else None,
            error="" if delivered else str(item.get("description") or item.get("errmsg") or "")[:300])
    return JsonResponse({"result": 0, "errmsg": "OK", "updated": updated})

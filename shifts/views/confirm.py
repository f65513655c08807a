"""Confirming a week's shifts: one tap on My shifts, the no-login link from a text message, and the provider's
callbacks (上行短信 replies and delivery reports), whose HMAC signature is verified."""

import hashlib
import hmac
import json
import logging

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
from shifts.models import MemberNotice, Notification, WeekConfirmation
from shifts.services.confirmations import (
    confirmation_answer,
    confirmation_answer_by_link,
    confirmation_by_token,
    sms_reply_handle,
)
from shifts.services.notices import notice_open

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


def _signature_ok(request) -> bool:
    secret = settings.SMS_CALLBACK_SECRET
    given = request.headers.get("X-Yure-Signature", "")
    if not secret or not given:
        return False
    expected = hmac.new(secret.encode(), request.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, given)


def _phone(item: dict) -> str:
    number = str(item.get("mobile") or item.get("phone_number") or "")
    nation = str(item.get("nationcode") or "86")
    return number if number.startswith("+") else f"+{nation}{number}"


@csrf_exempt
@require_POST
def sms_reply_webhook(request):
    """上行短信: the provider posts the replies as JSON (one object or a list); "1" confirms, "2" declines."""
    if not _signature_ok(request):
        return HttpResponseForbidden("bad signature")
    try:
        items = json.loads(request.body)
    except ValueError:
        return JsonResponse({"result": 1, "errmsg": "body is not JSON"}, status=400)
    handled = 0
    for item in items if isinstance(items, list) else [items]:
        if isinstance(item, dict) and sms_reply_handle(phone=_phone(item), text=str(item.get("text", ""))):
            handled += 1
    return JsonResponse({"result": 0, "errmsg": "OK", "handled": handled})


@csrf_exempt
@require_POST
def sms_status_webhook(request):
    """Delivery reports: [{"sid": provider message id, "report_status": "SUCCESS"|"FAIL", ...}]."""
    if not _signature_ok(request):
        return HttpResponseForbidden("bad signature")
    try:
        items = json.loads(request.body)
    except ValueError:
        return HttpResponse("body is not JSON", status=400)
    updated = 0
    for item in items if isinstance(items, list) else [items]:
        if not isinstance(item, dict) or not item.get("sid"):
            continue
        delivered = str(item.get("report_status", "")).upper() == "SUCCESS"
        updated += Notification.objects.filter(provider_message_id=str(item["sid"])).update(
            delivery_status=Notification.Delivery.DELIVERED if delivered else Notification.Delivery.UNDELIVERED,
            delivered_at=timezone.now() if delivered else None,
            error="" if delivered else str(item.get("description") or item.get("errmsg") or "")[:300])
    return JsonResponse({"result": 0, "errmsg": "OK", "updated": updated})

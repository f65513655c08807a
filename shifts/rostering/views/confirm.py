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
    confirmation_by_spent_token,
    confirmation_by_token,
    sms_reply_handle,
)
from shifts.rostering.forms import CantComeForm
from shifts.rostering.week_decline import week_decline_undo, week_shifts_to_cancel

logger = logging.getLogger(__name__)


@require_POST
@member_required
def confirm_week(request, confirmation_id, member):
    """能来，确认 from My shifts. 我来不了 is a page of its own (confirm_decline): a tap here never cancels a week."""
    confirmation = get_object_or_404(WeekConfirmation, pk=confirmation_id, member=member)
    if request.POST.get("answer") != "yes":
        return redirect("confirm_decline", confirmation.pk)
    try:
        confirmation_answer(confirmation=confirmation, accept=True, by=request.user, via=WeekConfirmation.Via.APP,
                            proxy=getattr(request, "acting_proxy", None))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("my_shifts")
    _notices_read(member)
    messages.success(request, _("Thank you, your shifts are confirmed."))
    return redirect("my_shifts")


def _notices_read(member) -> None:
    MemberNotice.objects.filter(member=member, kind=MemberNotice.Kind.CONFIRM, read_at__isnull=True).update(
        read_at=timezone.now())


@member_required
@require_http_methods(["GET", "POST"])
def confirm_decline(request, confirmation_id, member):
    """我来不了 for the whole week: the shifts it cancels, a reason (as for one shift), then confirm."""
    confirmation = get_object_or_404(WeekConfirmation.objects.select_related("community"), pk=confirmation_id,
                                     member=member)
    if confirmation.state == WeekConfirmation.State.DECLINED:  # already said (a second tap): My shifts has the undo
        return redirect("my_shifts")
    form = CantComeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation_answer(confirmation=confirmation, accept=False, by=request.user,
                                via=WeekConfirmation.Via.APP, proxy=getattr(request, "acting_proxy", None),
                                reason=form.cleaned_data["reason"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            _notices_read(member)
            messages.success(request, _("Thank you for telling us. Your secretary is finding someone to take your "
                                        "place. If you can come after all, press “I can come after all” below."))
            return redirect("my_shifts")
    return render(request, "shifts/week_decline.html",
                  {"confirmation": confirmation, "form": form, "shifts": week_shifts_to_cancel(confirmation)},
                  status=400 if form.errors else 200)


@require_POST
@member_required
def confirm_undo(request, confirmation_id, member):
    """我又能来了: back on the week's shifts, while no replacement is published."""
    confirmation = get_object_or_404(WeekConfirmation, pk=confirmation_id, member=member)
    try:
        week_decline_undo(confirmation=confirmation, by=request.user, via=WeekConfirmation.Via.APP,
                          proxy=getattr(request, "acting_proxy", None))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Welcome back: you are on your shifts of this week again."))
    return redirect("my_shifts")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_link(request, token):
    """The link in the text message. GET only shows the buttons: link previews must not answer for the member.
    我来不了 opens its own page (confirm_link_decline): an answer "no" posted here cancels nothing."""
    if request.method == "POST" and request.POST.get("answer") != "yes":
        if confirmation_by_token(token) is None:
            return render(request, "shifts/confirm_invalid.html", status=404)
        return redirect("confirm_link_decline", token)
    if request.method == "POST":
        try:
            confirmation = confirmation_answer_by_link(token=token, accept=True)
        except ValidationError as exc:  # a yes after the member said they cannot come
            return render(request, "shifts/confirm_invalid.html", {"error": " ".join(exc.messages)}, status=409)
        if confirmation is not None:
            return render(request, "shifts/confirm_done.html", {"confirmation": confirmation})
    else:
        confirmation = confirmation_by_token(token)
        if confirmation is not None:
            return render(request, "shifts/confirm_link.html", {"confirmation": confirmation, "token": token})
    return render(request, "shifts/confirm_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_link_decline(request, token):
    """我来不了 from the text message's link: the shifts it cancels and a reason, then confirm; no login."""
    confirmation = confirmation_by_token(token)
    if confirmation is None:
        return render(request, "shifts/confirm_invalid.html", status=404)
    form = CantComeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answered = confirmation_answer_by_link(token=token, accept=False, reason=form.cleaned_data["reason"],
                                               note=form.cleaned_data["note"])
        if answered is None:
            return render(request, "shifts/confirm_invalid.html", status=404)
        # Just declined: nothing can have replaced the member yet (the withdrawal itself runs once this commits).
        undo = "possible" if answered.state == WeekConfirmation.State.DECLINED else ""
        return render(request, "shifts/confirm_done.html", {"confirmation": answered, "token": token, "undo": undo})
    return render(request, "shifts/confirm_link_decline.html",
                  {"confirmation": confirmation, "form": form, "shifts": week_shifts_to_cancel(confirmation),
                   "token": token}, status=400 if form.errors else 200)


@never_cache
@require_POST
def confirm_link_undo(request, token):
    """我又能来了 on the page the link's 我来不了 ended on (the link is spent, but still the newest one sent)."""
    confirmation = confirmation_by_spent_token(token)
    if confirmation is None:
        return render(request, "shifts/confirm_invalid.html", status=404)
    try:
        week_decline_undo(confirmation=confirmation, by=None, via=WeekConfirmation.Via.LINK)
    except ValidationError as exc:
        return render(request, "shifts/confirm_invalid.html", {"error": " ".join(exc.messages)}, status=409)
    confirmation.refresh_from_db()
    return render(request, "shifts/confirm_done.html", {"confirmation": confirmation, "undone": True})


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

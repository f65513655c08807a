"""The cover call-down's pages: the member's answer page (a signed link, no login), the same answer from the
notice on My shifts (logged in), and the secretary's stop."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from scheduler_site.access import member_required, staff_required
from shifts.messaging.labels import shift_label
from shifts.models import CoverAsk, CoverCall
from shifts.rostering.cover.answers import (
    BOOKED,
    CANNOT,
    CLOSED,
    NO,
    OPT_OUT,
    TAKEN,
    YES,
    ask_by_token,
    cover_answer,
)
from shifts.rostering.cover.calldown import LIVE, cover_call_stop
from shifts.rostering.cover.notices import week_path
from volunteers.selectors import communities_for

ANSWERS = {"yes": YES, "no": NO, "week": OPT_OUT}


@never_cache
@require_http_methods(["GET", "POST"])
def cover_answer_page(request, token):
    """我来接班 / 这次不行 / 本周别再问我. GET only shows the buttons (a link preview must not answer); a late yes
    gets 已有人接了，谢谢, not an error."""
    ask = ask_by_token(token)
    if ask is None:
        return render(request, "shifts/cover/answer_invalid.html", status=404)
    call = ask.call
    label = shift_label(call.shift)
    if request.method == "POST":
        answer = ANSWERS.get(request.POST.get("answer", ""))
        if answer is None:
            return redirect("cover_answer", token)
        outcome = cover_answer(ask=ask, answer=answer, via="link")
        ask.refresh_from_db(fields=["answer", "answered_at"])
        return render(request, "shifts/cover/answer_done.html", {"ask": ask, "label": label, "outcome": outcome})
    if ask.answer == YES:
        return render(request, "shifts/cover/answer_done.html", {"ask": ask, "label": label, "outcome": BOOKED})
    if call.state not in LIVE or ask.answer == "late":
        outcome = TAKEN if call.state == CoverCall.State.FILLED else CLOSED
        return render(request, "shifts/cover/answer_done.html", {"ask": ask, "label": label, "outcome": outcome})
    return render(request, "shifts/cover/answer.html", {"ask": ask, "label": label, "token": token})


@require_POST
@member_required
def my_cover_answer(request, ask_id, member):
    """我来接班 / 这次不行 from the notice on My shifts: the member's own ask only, answered by the same service
    as the signed page (its row locks: the first yes wins), then back to My shifts with what came of it."""
    ask = get_object_or_404(CoverAsk.objects.select_related("call__shift__duty", "call__shift__community"),
                            pk=ask_id, member=member)
    answer = ANSWERS.get(request.POST.get("answer", ""))
    if answer is None:
        messages.error(request, _("Answer: please press “I'll take it” or “Not this time”."))
        return redirect("my_shifts")
    via = "proxy" if getattr(request, "acting_proxy", None) is not None else "my_shifts"
    outcome = cover_answer(ask=ask, answer=answer, via=via)
    label = shift_label(ask.call.shift)
    if outcome == BOOKED:
        messages.success(request, _("The shift is yours: %(label)s. It is on My shifts now, and your teammates "
                                    "are told.") % {"label": label})
    else:
        messages.info(request, {
            TAKEN: _("Someone has already taken it. Thank you!"),
            CLOSED: _("This shift no longer needs anyone. Thank you!"),
            CANNOT: _("You cannot take this shift after all (another shift or an absence at that time). Thank you!"),
        }.get(outcome) or (_("Noted: we will not ask you again this week.") if answer == OPT_OUT
                           else _("Noted: not this time.")))
    return redirect("my_shifts")


@staff_required
@require_POST
def cover_stop(request, call_id):
    call = get_object_or_404(CoverCall.objects.select_related("shift"), pk=call_id,
                             community__in=communities_for(request.user))
    try:
        cover_call_stop(call=call, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The call-down is stopped; nobody more will be asked."))
    return redirect("dashboard" if request.POST.get("next") == "dashboard" else week_path(call.shift))

"""The cover call-down's pages: the member's answer page (a signed link, no login) and the secretary's stop."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from scheduler_site.access import staff_required
from shifts.messaging.labels import shift_label
from shifts.models import CoverCall
from shifts.rostering.cover.answers import BOOKED, CLOSED, NO, OPT_OUT, TAKEN, YES, ask_by_token, cover_answer
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

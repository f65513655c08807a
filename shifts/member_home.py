"""The member's own home pages, for a phone: My shifts (the next four weeks, what waits for them, the calendar
link) and 长辈模式's simplified home. They combine rostering, messaging and feeds, so they stand at the top of
shifts, beside urls and tasks; the member's answers ("I can't come", a period away) are rostering's views."""

from django.shortcuts import render
from django.utils import timezone

from scheduler_site.access import member_required
from shifts.feeds.tokens import member_token
from shifts.feeds.views import subscribe_context
from shifts.messaging.notices import notice_subject, notices_unread
from shifts.models import SwapRequest
from shifts.rostering.confirmations import confirmations_pending
from shifts.rostering.cover.selectors import cover_asks_for_member
from shifts.rostering.readmodels.member_shifts import (
    next_assignment,
    shift_in_words,
    shifts_given_up,
    upcoming_assignments,
)
from shifts.rostering.week_decline import declined_weeks
from volunteers.selectors import community_secretary_phone


def _subscribe_context(member) -> dict:
    """The calendar-subscribe partial's context (link, webcal link, QR code) from the feeds package."""
    return subscribe_context(member_token(member))


def _still_asking(notices, confirmations) -> list:
    """The notices that still ask something of the member: an offer of a swap somebody already took (or that was
    withdrawn or ran out), or a week to confirm with no shifts left, waits for nothing any more."""
    subjects = {n.pk: notice_subject(n) for n in notices}
    swap_ids = {pk for kind, pk in filter(None, subjects.values()) if kind == "swap"}
    open_swaps = set(SwapRequest.objects.filter(pk__in=swap_ids, state=SwapRequest.State.OPEN,
                                                expires_at__gt=timezone.now()).values_list("pk", flat=True))
    pending = {c.pk for c in confirmations}
    still = {"swap": open_swaps, "confirm": pending}
    return [n for n in notices if subjects[n.pk] is None or subjects[n.pk][1] in still[subjects[n.pk][0]]]


def _waiting_context(member) -> dict:
    """What waits for the member (the notices and confirmations partial)."""
    confirmations = list(confirmations_pending(member))
    return {"notices": _still_asking(list(notices_unread(member)), confirmations), "confirmations": confirmations,
            "declined_weeks": declined_weeks(member)}


@member_required
def my_shifts(request, member):
    assignments, absences = upcoming_assignments(member)
    return render(request, "shifts/my_shifts.html", {
        "member": member, "assignments": assignments, "absences": absences, "given_up": shifts_given_up(member),
        # Why the member is away is health or family information: a relative acting for them sees only when.
        "show_reasons": getattr(request, "acting_proxy", None) is None,
        # a cover ask open to the member, or one someone else took (until its shift is over)
        "cover_asks": cover_asks_for_member(member),
        **_subscribe_context(member), **_waiting_context(member),
    })


@member_required
def member_home(request, member):
    """长辈模式's simplified home: 我的值班, 我来不了 (the next shift), 给书记打电话, and the next shift in words.
    What waits on My shifts (notices, the week to confirm, a cover ask to answer) is counted on its button rather
    than shown here."""
    upcoming = next_assignment(member)
    waiting = _waiting_context(member)
    asks = sum(1 for ask in cover_asks_for_member(member) if ask.state == "open")
    return render(request, "shifts/member_home.html", {
        "member": member, "next_assignment": upcoming,
        "waiting": len(waiting["notices"]) + len(waiting["confirmations"]) + asks,
        "next_in_words": shift_in_words(upcoming.shift, today=timezone.localdate()) if upcoming else "",
        "secretary_phone": community_secretary_phone(member.community),
    })

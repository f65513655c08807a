"""Notices in the app: what waits for a member on My shifts. One per message that asks something of them,
recorded once per dedupe key, marked read when the member opens it. A notice keeps what its sentence is made
of (params) and is worded when read, in the language the reader has then (notice_shown_text)."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shifts.messaging.labels import shift_label
from shifts.models import MemberNotice, SwapRequest
from volunteers.models import Member

NOTICE_KIND_OF = {
    "swaps/offered": MemberNotice.Kind.SWAP_REQUEST,
    "roster_changed": MemberNotice.Kind.SHIFT_CHANGE,
    "swaps/applied": MemberNotice.Kind.SHIFT_CHANGE,
    "confirm_request": MemberNotice.Kind.CONFIRM,
}


def notice_for_message(*, member: Member, kind: str, dedupe_key: str, context: dict) -> MemberNotice | None:
    notice_kind = NOTICE_KIND_OF.get(kind)
    if notice_kind is None:
        return None
    params = _params(context)
    with translation.override(member.language or "zh-hans"):
        text, url = _text_and_url(notice_kind, context)
    notice, _created = MemberNotice.objects.get_or_create(
        dedupe_key=f"notice:{dedupe_key}"[:200],
        defaults={"member": member, "kind": notice_kind, "text": text[:200], "url": url, "params": params})
    return notice


def _params(context: dict) -> dict:
    week = context.get("week_start")
    return {"requester": context.get("requester", ""), "shift": context.get("shift", ""),
            "swap_id": context.get("swap_id"), "week_start": week.isoformat() if week else None}


def notice_shown_text(notice: MemberNotice) -> str:
    """The notice in the active language: its sentence made again from its params (the shift's name too, from
    the swap), so a member who switched to English reads English. Older notices without params keep their text."""
    params = notice.params or {}
    if not params:
        return notice.text
    context = {"requester": params.get("requester", ""), "shift": params.get("shift", ""),
               "swap_id": params.get("swap_id") or ""}
    if params.get("week_start"):
        context["week_start"] = dt.date.fromisoformat(params["week_start"][:10])
    if params.get("swap_id"):
        swap = (SwapRequest.objects.select_related("assignment__shift__duty").filter(pk=params["swap_id"])
                .first())
        if swap is not None and swap.assignment is not None:
            context["shift"] = shift_label(swap.assignment.shift)
    return _text_and_url(notice.kind, context)[0]


def _text_and_url(kind: str, context: dict) -> tuple[str, str]:
    if kind == MemberNotice.Kind.SWAP_REQUEST:
        return (_("%(name)s asks you to take a shift: %(shift)s") % {"name": context.get("requester", ""),
                                                                     "shift": context.get("shift", "")},
                reverse("swap_home") + f"#offer-{context.get('swap_id', '')}")
    if kind == MemberNotice.Kind.CONFIRM:
        week = context.get("week_start")
        if week and context.get("first_version"):  # the publish's one message: the week's shifts, to confirm
            return (_("The roster for the week of %(week)s is published: see your shifts.") % {
                "week": week.strftime("%m-%d")}, reverse("my_shifts") + f"#week-{week.isoformat()}")
        return (_("Please confirm your shifts for the week of %(week)s.") % {
            "week": week.strftime("%m-%d") if week else ""}, reverse("my_shifts") + "#confirm")
    week = context.get("week_start")
    if week:
        # Opens My shifts at that week's heading, where the member's shifts of the week are listed.
        url = reverse("my_shifts") + f"#week-{week.isoformat()}"
        if context.get("first_version"):  # the first publish changes nothing: it is the week's roster
            return _("The roster for the week of %(week)s is published: see your shifts.") % {
                "week": week.strftime("%m-%d")}, url
        return _("Your shifts for the week of %(week)s changed.") % {"week": week.strftime("%m-%d")}, url
    return _("Your shifts changed: %(shift)s") % {"shift": context.get("shift", "")}, reverse("my_shifts")


def notice_open(*, member: Member, notice_id: int) -> MemberNotice:
    """The member opened a notice: mark it read (once) and return it; raises DoesNotExist for others' notices."""
    notice = MemberNotice.objects.get(pk=notice_id, member=member)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


def notices_unread(member: Member) -> list[MemberNotice]:
    """The member's unread notices, each with `shown` (its text in the active language)."""
    notices = list(MemberNotice.objects.filter(member=member, read_at__isnull=True).order_by("-created_at")[:10])
    for notice in notices:
        notice.shown = notice_shown_text(notice)
    return notices


# What a notice asks about, read from its dedupe key (notice:<message dedupe key>): a swap offered to the member
# (swaps/offered:<swap>:<member>) or a week to confirm (confirm:<confirmation>:v<version>).
_ABOUT = re.compile(r"^notice:(?:(?P<swap>swaps/offered:)|(?P<confirm>confirm:))(?P<pk>\d+):")


def notice_subject(notice: MemberNotice) -> tuple[str, int] | None:
    """("swap", swap id) or ("confirm", confirmation id) for a notice that asks something; None for the others."""
    match = _ABOUT.match(notice.dedupe_key)
    if match is None:
        return None
    return ("swap" if match.group("swap") else "confirm"), int(match.group("pk"))

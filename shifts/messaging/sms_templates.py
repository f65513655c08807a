"""Which approved text-message template each notification uses, and its parameters.

Chinese SMS is template-based: a message is an approved sign name, a template code and a list of parameters.
Each notification kind maps to one of settings.SMS_MESSAGE_KINDS; SMS_TEMPLATE_PARAMS says which parameters
that kind's template takes (in order, as {1}, {2}, … in the template approved at the provider). The full
rendered text (subject and body) is still kept on the Notification and shown in the demo outbox.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

# Notification kind (the mail template name) → SMS message kind (one approved template each).
SMS_KIND_OF = {
    "shift_reminder": "reminder",
    "roster_changed": "roster_change",
    "partner_changed": "partner_change",  # a member keeps a shift, the others on it changed
    "swaps/offered": "swap_offer",
    "swaps/applied": "swap_outcome",
    "swaps/declined": "swap_outcome",
    "swaps/refused": "swap_outcome",
    "swaps/expired": "swap_outcome",
    "swaps/withdrawn": "swap_outcome",
    "swaps/awaiting_approval": "swap_outcome",
    "absence_recorded": "replan",
    "repair_proposal": "replan",
    "unfilled_alert": "replan",
    "solve_failed": "replan",
    "login_code": "login_code",
    "confirm_request": "confirm_request",
    "confirm_reminder": "confirm_request",
    "welfare_check": "welfare_check",
    "no_show_leader": "welfare_check",  # someone did not turn up: the team leader, then the welfare contact
    "no_show_welfare": "welfare_check",
    "cover_ask": "cover_ask",  # can you take a short shift? (the link answers: 我来接班 / 这次不行 / 本周别再问我)
    "cover_taken": "cover_outcome",  # 已有人接了，谢谢
    "cover_exhausted": "replan",  # to the secretary: nobody left to ask
    "cover_soon": "replan",  # to the secretary: a short shift starts within COVER_ALERT_HOURS
    "cover_reasked": "replan",  # to the secretary: after nobody was left, someone new can take it: asking again
    "cover_replan_short": "replan",  # to the secretary: the re-plan found nobody
    "welfare_call": "welfare_check",  # a welfare-ladder step: who, and which shift (a voice call where configured)
}

# The parameters of each kind's template, in order. Documented in the README for whoever files the templates.
SMS_TEMPLATE_PARAMS = {
    "reminder": ("name", "when", "duty"),
    "roster_change": ("name", "week", "link"),
    # e.g. "{1}您好，您{2}的搭档换了，现在同班：{3}。详情见 {4}" — shift: "03-03 09:00 巡逻" (its duty, never a
    # household; "等2班" when several), partner: the names now on it ("王一、王二"; "无" when nobody else is).
    "partner_change": ("name", "shift", "partner", "link"),
    "swap_offer": ("requester", "shift", "link"),
    "swap_outcome": ("shift", "outcome", "link"),
    "replan": ("name", "what", "link"),
    "login_code": ("code", "link"),
    "confirm_request": ("name", "week", "link"),
    "welfare_check": ("name", "when"),
    "cover_ask": ("name", "shift", "link"),
    "cover_outcome": ("shift", "outcome"),
}
PARAM_MAX = 30  # characters per parameter (links: LINK_MAX), short enough for one message
LINK_MAX = 120


def sms_params(*, kind: str, context: dict, language: str) -> list[str]:
    """The template parameters for a notification, in the recipient's language, from its message context."""
    sms_kind = SMS_KIND_OF.get(kind)
    if sms_kind is None:
        return []
    with translation.override(language):
        values = _param_values(kind, sms_kind, context)
    return [str(values.get(name, "") or "-")[:LINK_MAX if name == "link" else PARAM_MAX]
            for name in SMS_TEMPLATE_PARAMS[sms_kind]]


def _when(moment) -> str:
    if not moment:
        return ""
    local = timezone.localtime(moment) if isinstance(moment, dt.datetime) else moment
    return local.strftime("%m-%d %H:%M") if isinstance(local, dt.datetime) else local.strftime("%m-%d")


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else settings.SITE_URL


def _param_values(kind: str, sms_kind: str, context: dict) -> dict:
    name = context.get("member_name") or context.get("staff_name") or ""
    shift = context.get("shift")
    if sms_kind == "reminder":
        duty = shift["duty_en"] if translation.get_language() == "en" else shift["duty"]
        return {"name": name, "when": _when(shift["start"]), "duty": duty}
    if sms_kind == "roster_change":
        return {"name": name, "week": _when(context.get("week_start")), "link": _site("/me/")}
    if sms_kind == "partner_change":
        return _partner_values(name, context)
    if sms_kind == "swap_offer":
        return {"requester": context.get("requester"), "shift": context.get("shift"),
                "link": _site(context.get("swap_path", ""))}
    if sms_kind == "swap_outcome":
        return {"shift": context.get("shift"), "outcome": _swap_outcome(kind),
                "link": _site(context.get("swap_path", ""))}
    if sms_kind == "replan":
        return {"name": name or context.get("community_name", ""), "what": _replan_what(kind),
                "link": _site(context.get("path", "/me/"))}
    if sms_kind == "login_code":
        # Providers check a code variable as digits only.
        return {"code": str(context.get("code", "")).replace(" ", ""), "link": context.get("link")}
    if sms_kind == "confirm_request":
        return {"name": name, "week": _when(context.get("week_start")), "link": context.get("link")}
    if sms_kind == "cover_ask":
        return {"name": name, "shift": _shift_words(shift), "link": context.get("link")}
    if sms_kind == "cover_outcome":
        return {"shift": _shift_words(shift), "outcome": _("someone has taken it, thank you")}
    if sms_kind == "welfare_check":  # who did not turn up, and for which shift
        return {"name": context.get("missing_name") or name, "when": _when(context.get("when")) or
                context.get("shift", "")}
    return {}


def _partner_values(name: str, context: dict) -> dict:
    """Which shift (the first, "等N班" when several) and who is on it with the member now: short, no address."""
    rows = context.get("partners") or [{"shift": c.get("shift"), "with": c.get("with", [])}
                                       for c in context.get("changes", [])]  # the older context
    if not rows:
        return {"name": name, "shift": "", "partner": "", "link": _site("/me/")}
    shift = _shift_words(rows[0]["shift"])
    if len(rows) > 1:
        shift = _("%(shift)s and %(count)s more") % {"shift": shift, "count": len(rows) - 1}
    separator = ", " if translation.get_language() == "en" else "、"
    partner = separator.join(rows[0].get("with") or []) or _("nobody else")
    return {"name": name, "shift": shift, "partner": partner, "link": _site("/me/")}


def _shift_words(shift) -> str:
    if not shift:
        return ""
    duty = shift["duty_en"] if translation.get_language() == "en" else shift["duty"]
    return f"{_when(shift['start'])} {duty}"


def _swap_outcome(kind: str) -> str:
    return {"swaps/applied": _("done"), "swaps/declined": _("declined"), "swaps/refused": _("not approved"),
            "swaps/expired": _("expired"), "swaps/withdrawn": _("withdrawn"),
            "swaps/awaiting_approval": _("waiting for approval")}.get(kind, "")


def _replan_what(kind: str) -> str:
    return {"absence_recorded": _("your absence is noted"), "repair_proposal": _("a re-plan waits"),
            "unfilled_alert": _("shifts are short"), "solve_failed": _("a roster could not be made"),
            "cover_exhausted": _("nobody left to ask for cover"), "cover_soon": _("a short shift starts soon"),
            "cover_reasked": _("asking again for cover"),
            "cover_replan_short": _("the re-plan found nobody")}.get(kind, "")

"""Which approved text-to-speech (TTS) template each notification kind is read aloud with, its parameters, the
keys it offers, and the text the member hears (kept on the call's Notification and in the demo outbox).

Voice providers read an approved template (a code, e.g. Alibaba's TTS_1234) with named parameters (${name}); the
key menu of an IVR call (按1确认，按2来不了) is part of that approved template's wording, and the keys are sent with
the call (Alibaba IvrCall MenuKeyMap). A kind not in VOICE_KIND_OF is never called. The spoken text carries a name,
a time and a duty only: never health, caregiving, an address or a household's name (a home visit is 入户探访).
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Notification kind → voice kind (one approved TTS template each, settings.VOICE_TEMPLATES).
VOICE_KIND_OF = {
    "shift_reminder": "reminder",
    "confirm_request": "confirm_request",
    "confirm_reminder": "confirm_request",
    "cover_ask": "cover_ask",
    "welfare_call": "welfare_call",
}

# The parameters of each voice kind's template, by name (${name} in the template filed at the provider).
VOICE_TEMPLATE_PARAMS = {
    "reminder": ("name", "when", "duty"),
    "confirm_request": ("name", "week"),
    "cover_ask": ("name", "when", "duty"),
    "welfare_call": ("name", "when"),
}

# The keys each voice kind offers and what they mean (what the feature that placed the call does with them).
VOICE_KEYS = {
    "reminder": {},
    "confirm_request": {"1": gettext_lazy("confirm"), "2": gettext_lazy("can't come")},
    "cover_ask": {"1": gettext_lazy("I take the shift")},
    "welfare_call": {"1": gettext_lazy("on the way / all is well"), "2": gettext_lazy("ill"),
                     "3": gettext_lazy("safe at home")},
}
PARAM_MAX = 20  # characters per parameter: short, so the read-out stays short


def voice_kind(kind: str) -> str | None:
    return VOICE_KIND_OF.get(kind)


def voice_keys(kind: str) -> dict[str, str]:
    """The keys a call of this notification kind offers, with their meaning in the active language."""
    return {digit: str(label) for digit, label in VOICE_KEYS.get(VOICE_KIND_OF.get(kind, ""), {}).items()}


def voice_params(*, kind: str, context: dict, language: str) -> list[str]:
    """The template parameters, in the order of VOICE_TEMPLATE_PARAMS, in the recipient's language."""
    vkind = VOICE_KIND_OF.get(kind)
    if vkind is None:
        return []
    with translation.override(language):
        values = _values(vkind, context)
    return [str(values.get(name) or "-")[:PARAM_MAX] for name in VOICE_TEMPLATE_PARAMS[vkind]]


def voice_text(*, kind: str, params: list[str], language: str) -> str:
    """What the member hears: the template's wording with the parameters filled in (for the outbox and the
    secretary; the provider reads its own approved copy of the same wording)."""
    vkind = VOICE_KIND_OF.get(kind)
    if vkind is None:
        return ""
    values = dict(zip(VOICE_TEMPLATE_PARAMS[vkind], params, strict=False))
    with translation.override(language):
        wording = {
            "reminder": _("Hello %(name)s, this is Yure volunteer service. Your %(duty)s shift is at %(when)s. "
                          "Thank you."),
            "confirm_request": _("Hello %(name)s, this is Yure volunteer service. Your shifts for the week of "
                                 "%(week)s are ready. Press 1 to confirm, press 2 if you can't come."),
            "cover_ask": _("Hello %(name)s, this is Yure volunteer service. A %(duty)s shift at %(when)s needs "
                           "someone. Press 1 to take the shift."),
            "welfare_call": _("Hello, this is Yure volunteer service calling about %(name)s, who was due at "
                              "%(when)s. Press 1 if on the way or all is well, press 2 if ill, press 3 if safe at "
                              "home."),
        }[vkind]
        return wording % values


def _spoken_time(moment) -> str:
    if not moment:
        return ""
    if isinstance(moment, dt.datetime):
        local = timezone.localtime(moment)
        return local.strftime("%m月%d日 %H:%M") if translation.get_language().startswith("zh") \
            else local.strftime("%d %b %H:%M")
    if isinstance(moment, dt.date):
        return moment.strftime("%m月%d日") if translation.get_language().startswith("zh") else moment.strftime("%d %b")
    return str(moment)


def _duty(shift) -> str:
    if not isinstance(shift, dict):
        return str(shift or "")
    return shift.get("duty_en") if translation.get_language() == "en" else shift.get("duty", "")


def _values(vkind: str, context: dict) -> dict:
    name = context.get("member_name") or context.get("staff_name") or ""
    shift = context.get("shift")
    start = shift.get("start") if isinstance(shift, dict) else context.get("start")
    if vkind in ("reminder", "cover_ask"):
        return {"name": name, "when": _spoken_time(start), "duty": _duty(shift)}
    if vkind == "confirm_request":
        return {"name": name, "week": _spoken_time(context.get("week_start"))}
    if vkind == "welfare_call":  # about whom (the member, when a relative or the secretary is called)
        return {"name": context.get("missing_name") or name, "when": _spoken_time(context.get("when") or start)}
    return {}


def voice_template_code(vkind: str) -> str:
    return settings.VOICE_TEMPLATES.get(vkind) or f"yure-voice-{vkind}"

"""Template context the shell's base templates need on every page: whether the staff menu shows the demo
text-message outbox (staff_base.html). It reads only settings, so the shell needs no app to draw its menu."""

from django.conf import settings


def menu(request):
    return {"sms_outbox_shown": "outbox" in (settings.SMS_PROVIDER, settings.VOICE_PROVIDER)}

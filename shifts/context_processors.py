"""Template context every page needs: whether the demo text-message outbox is in use (staff menu link)."""

from django.conf import settings


def sms(request):
    return {"sms_outbox_shown": settings.SMS_PROVIDER == "outbox"}

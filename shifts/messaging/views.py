"""The demo outbox: text messages and voice calls the "outbox" providers kept instead of sending, for staff to
read."""

from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.messaging.selectors import outbox_calls_for, outbox_for

SHOWN = 200


@staff_required
def sms_outbox(request):
    return render(request, "shifts/outbox.html", {"outbox": outbox_for(request.user, limit=SHOWN), "shown": SHOWN,
                                                  "calls": outbox_calls_for(request.user, limit=SHOWN)})

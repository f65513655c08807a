"""The demo outbox: text messages the "outbox" provider kept instead of sending, for staff to read."""

from django.db.models import Q
from django.shortcuts import render

from scheduler_site.access import staff_required
from shifts.models import OutboxMessage
from volunteers.selectors import communities_for, is_district_admin

SHOWN = 200


@staff_required
def sms_outbox(request):
    messages = OutboxMessage.objects.select_related("notification__member", "notification__proxy__member",
                                                    "notification__user")
    if not is_district_admin(request.user):
        communities = communities_for(request.user)
        messages = messages.filter(Q(notification__member__community__in=communities)
                                   | Q(notification__proxy__member__community__in=communities)
                                   | Q(notification__user=request.user))
    return render(request, "shifts/outbox.html", {"outbox": list(messages[:SHOWN]), "shown": SHOWN})

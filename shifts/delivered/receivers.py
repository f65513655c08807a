"""Receivers: the volunteers app's signals that show service delivered on volunteers' pages, and a welfare call's
key press (shifts.signals.call_answered)."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from shifts.delivered.hours import member_hours
from shifts.delivered.welfare_ladder import welfare_answer_by_key
from shifts.signals import call_answered
from volunteers.signals import my_details_sections


@receiver(my_details_sections, dispatch_uid="shifts.delivered.my_hours")
def my_hours_section(sender, request, member, **kwargs):
    """Hours and stars on the member's My details page (owned by volunteers, which cannot load shifts' tags)."""
    return render_to_string("shifts/partials/my_hours.html", {"hours": member_hours(member), "member": member},
                            request=request)


@receiver(call_answered, dispatch_uid="shifts.delivered.welfare_call_answered")
def welfare_call_answered(sender, notification_id, kind, digit, member_id=None, **kwargs):
    """A key pressed on a welfare-ladder call answers the ladder like the secretary's button (1 on the way,
    2 ill, 3 safe at home); the ladder locks and re-checks itself, so a key press racing a check-in is one answer."""
    if kind == "welfare_call":
        welfare_answer_by_key(notification_id=notification_id, digit=digit)

"""Receivers for the volunteers app's signals that show service delivered on volunteers' pages."""

from django.dispatch import receiver
from django.template.loader import render_to_string

from shifts.delivered.hours import member_hours
from volunteers.signals import my_details_sections


@receiver(my_details_sections, dispatch_uid="shifts.delivered.my_hours")
def my_hours_section(sender, request, member, **kwargs):
    """Hours and stars on the member's My details page (owned by volunteers, which cannot load shifts' tags)."""
    return render_to_string("shifts/partials/my_hours.html", {"hours": member_hours(member), "member": member},
                            request=request)

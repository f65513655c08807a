"""Inclusion tags that add the service-delivered blocks to pages owned by other features with one line each:
check-in on My shifts. (Hours and stars on My details, a volunteers page, come
through volunteers.signals.my_details_sections: see shifts.services.receivers.)"""

from django import template

from shifts.delivered.selectors import open_gatherings, open_shifts
from volunteers.selectors import member_of

register = template.Library()


@register.inclusion_tag("shifts/partials/attendance_today.html", takes_context=True)
def attendance_today(context):
    request = context["request"]
    member = member_of(request.user)
    items = open_shifts(member) + open_gatherings(member) if member is not None else []
    return {"items": items, "here": request.get_full_path(), "csrf_token": context.get("csrf_token")}

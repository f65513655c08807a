"""Inclusion tags that add the service-delivered blocks to pages owned by other features with one line each:
check-in on My shifts, the contact list on the dashboard. (Hours and stars on My details, a volunteers page, come
through volunteers.signals.my_details_sections: see shifts.services.receivers.)"""

from django import template

from shifts.delivered.selectors import needs_contact, open_gatherings, open_shifts
from shifts.messaging.labels import shift_title
from volunteers.selectors import communities_for, member_of, sensitive_community_ids

register = template.Library()


@register.inclusion_tag("shifts/partials/attendance_today.html", takes_context=True)
def attendance_today(context):
    request = context["request"]
    member = member_of(request.user)
    items = open_shifts(member) + open_gatherings(member) if member is not None else []
    return {"items": items, "here": request.get_full_path(), "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("shifts/partials/needs_contact.html", takes_context=True)
def needs_contact_list(context):
    request = context["request"]
    checks = needs_contact(communities_for(request.user))
    private = set(sensitive_community_ids(request.user))
    for check in checks:  # a home visit's household only to its community's own staff
        check.title = shift_title(check.shift, private=check.shift.community_id in private)
    return {"checks": checks, "csrf_token": context.get("csrf_token")}


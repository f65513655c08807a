"""Receivers for the volunteers app's signals (volunteers.signals). Cheap: they only queue repairs (the solving is
on the queue) or call one service."""

import logging

from django.dispatch import receiver
from django.template.loader import render_to_string

from volunteers.models import Member
from volunteers.signals import (availability_changed, login_code_issued, member_anonymising, member_history_asked,
                                my_details_sections)

from .absences import member_availability_changed
from .hours import member_hours
from .member_data import member_roster_data_erase, member_roster_history
from .notify import notify_member, notify_proxy

logger = logging.getLogger(__name__)


@receiver(availability_changed, dispatch_uid="shifts.lifecycle.replan_on_availability_change")
def replan_on_availability_change(sender, member_id, start=None, end=None, reason="", **kwargs):
    """A health, limits or caregiving change, or an inactive member: re-plan the rosters touched."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return
    try:
        member_availability_changed(member=member, start=start, end=end, reason=reason or "")
    except Exception:  # the sender's request already committed; a failed re-plan must not turn it into a 500
        logger.exception("could not queue a re-plan for member %s", member_id)


@receiver(login_code_issued, dispatch_uid="shifts.messages.send_login_code")
def send_login_code(sender, member, link, code, code_page, proxy=None, **kwargs):
    """The secretary pressed "send by text message" on the login page: one message, to the member or relative."""
    context = {"link": link, "code": code, "code_page": code_page}
    key = f"login-code:{member.pk}:{proxy.pk if proxy else 'm'}:{code.replace(' ', '')}"
    if proxy is not None:
        return notify_proxy(proxy=proxy, kind="login_code", dedupe_key=key, context=context)
    return notify_member(member=member, kind="login_code", dedupe_key=key, context=context, forward=False)


@receiver(member_history_asked, dispatch_uid="shifts.retention.history")
def roster_history(sender, member, **kwargs):
    """Assignments and swaps point at the member: keep the row (it is anonymised later)."""
    return member_roster_history(member=member)


@receiver(member_anonymising, dispatch_uid="shifts.retention.erase")
def roster_data_erase(sender, member, **kwargs):
    """Inside member_anonymise's transaction: a failure here rolls the anonymisation back."""
    member_roster_data_erase(member=member)


@receiver(my_details_sections, dispatch_uid="shifts.delivered.my_hours")
def my_hours_section(sender, request, member, **kwargs):
    """Hours and stars on the member's My details page (owned by volunteers, which cannot load shifts' tags)."""
    return render_to_string("shifts/partials/my_hours.html", {"hours": member_hours(member), "member": member},
                            request=request)

"""Receivers for the volunteers app's signals (volunteers.signals). Cheap: they only queue repairs (the solving is
on the queue), queue messages (shifts.messaging.jobs) or call one service."""

import logging

from django.dispatch import receiver

from shifts.messaging.jobs import message_job_queue
from shifts.messaging.notify import notify_member, notify_proxy, senders
from shifts.rostering import voice_answers  # noqa: F401  connects the key press on a confirmation call
from shifts.rostering.follow import plans_follow
from shifts.rostering.member_data import member_roster_data_erase, member_roster_history
from volunteers.models import Member, MemberProxy
from volunteers.signals import availability_changed, login_code_issued, member_anonymising, member_history_asked

logger = logging.getLogger(__name__)


@receiver(availability_changed, dispatch_uid="shifts.lifecycle.replan_on_availability_change")
def replan_on_availability_change(sender, member_id, start=None, end=None, reason="", **kwargs):
    """A health, limits or caregiving change, or an inactive member: re-plan the rosters touched."""
    member = Member.objects.filter(pk=member_id).first()
    if member is None:
        return
    try:
        plans_follow(member=member, start=start, end=end, cause=reason or "")
    except Exception:  # the sender's request already committed; a failed re-plan must not turn it into a 500
        logger.exception("could not queue a re-plan for member %s", member_id)


@receiver(login_code_issued, dispatch_uid="shifts.messages.send_login_code")
def send_login_code(sender, member, link, code, code_page, proxy=None, **kwargs):
    """The secretary pressed "send by text message" on the login page: one message, to the member or relative,
    queued (a slow provider must not hold up the page). Returns the queued job, or None when no channel can
    reach them."""
    if not any(s.address_for_proxy(proxy) if proxy is not None else s.address_for_member(member)
               for s in senders()):
        return None
    return message_job_queue(task="shifts.tasks.login_code_send",
                             args=[member.pk, proxy.pk if proxy else None, link, code, code_page],
                             key=_login_code_key(member.pk, proxy.pk if proxy else None, code))


def _login_code_key(member_id: int, proxy_id: int | None, code: str) -> str:
    return f"login-code:{member_id}:{proxy_id or 'm'}:{code.replace(' ', '')}"


def login_code_send(*, member_id: int, proxy_id: int | None, link: str, code: str, code_page: str) -> None:
    """Send the login message (on the queue: shifts.tasks.login_code_send); once per code."""
    context = {"link": link, "code": code, "code_page": code_page}
    key = _login_code_key(member_id, proxy_id, code)
    if proxy_id is not None:
        proxy = MemberProxy.objects.select_related("member").filter(pk=proxy_id).first()
        if proxy is not None:
            notify_proxy(proxy=proxy, kind="login_code", dedupe_key=key, context=context)
        return
    member = Member.objects.filter(pk=member_id).first()
    if member is not None:
        notify_member(member=member, kind="login_code", dedupe_key=key, context=context, forward=False)


@receiver(member_history_asked, dispatch_uid="shifts.retention.history")
def roster_history(sender, member, **kwargs):
    """Assignments and swaps point at the member: keep the row (it is anonymised later)."""
    return member_roster_history(member=member)


@receiver(member_anonymising, dispatch_uid="shifts.retention.erase")
def roster_data_erase(sender, member, **kwargs):
    """Inside member_anonymise's transaction: a failure here rolls the anonymisation back."""
    member_roster_data_erase(member=member)

"""Relatives acting for a member (亲属代办): added only with the member's recorded consent, revoked at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from volunteers.models import Member, MemberLoginToken, MemberProxy
from volunteers.selectors import can_see_sensitive_in

from .audit import audit_log


def proxy_add(*, member: Member, by, name: str, phone: str, relation: str, consent_note: str,
              forward_messages: bool) -> MemberProxy:
    """Record a relative; `consent_note` says how the member agreed (required: no consent, no proxy)."""
    if by is not None and not can_see_sensitive_in(by, member.community):
        # The relative gets the member's messages and acts as them: a district administrator not assigned to the
        # community could otherwise copy any member's login codes to a phone of their choosing.
        raise ValidationError({"member": _("Only the secretary of the member's own community can add a "
                                           "relative.")})
    if not (consent_note or "").strip():
        raise ValidationError({"consent_note": _("Write down how the member agreed; without it a relative "
                                                 "cannot act for them.")})
    proxy = MemberProxy(member=member, name=name.strip(), phone=phone, relation=relation,
                        consent_note=consent_note.strip(), consent_at=timezone.now(),
                        forward_messages=forward_messages, created_by=by)
    proxy.full_clean(exclude=["user", "created_by"])
    with transaction.atomic():
        proxy.save()
        audit_log(action="volunteers.proxy.added", actor=by, community=member.community, obj=member,
                  data={"proxy": proxy.pk, "relation": relation, "forward_messages": forward_messages,
                        "consent_note": proxy.consent_note})
    return proxy


def proxy_revoke(*, proxy: MemberProxy, by) -> MemberProxy:
    """Stop the relative at once: their login is disabled (open sessions end on the next request), unused codes
    expire, and no more messages are copied to them."""
    with transaction.atomic():
        proxy = MemberProxy.objects.select_for_update().get(pk=proxy.pk)
        if proxy.revoked_at is None:
            proxy.revoked_at = timezone.now()
            proxy.save(update_fields=["revoked_at"])
        if proxy.user_id and proxy.user.is_active:
            proxy.user.is_active = False
            proxy.user.save(update_fields=["is_active"])
        MemberLoginToken.objects.filter(proxy=proxy, used_at__isnull=True).update(expires_at=timezone.now())
        audit_log(action="volunteers.proxy.revoked", actor=by, community=proxy.member.community, obj=proxy.member,
                  data={"proxy": proxy.pk})
    return proxy

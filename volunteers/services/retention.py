"""Retention: deactivating or deleting a member keeps the roster history; personal data is anonymised later.

A member with no roster history can be deleted outright. Anyone who ever served stays as a row that past
rosters, fairness counts and the audit trail point at, and after ANONYMISE_AFTER_DAYS of being inactive that
row loses everything that identifies the person: name, phone, e-mail, birth date, health, caregiving,
absences, login, messages. `retention_run` is idempotent and meant for a daily schedule or the
`anonymise_members` command.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from volunteers.models import HealthLevel, Member
from volunteers.signals import member_anonymising, member_history_asked

from .audit import audit_log
from .availability import availability_announce

logger = logging.getLogger(__name__)

ANONYMOUS_BIRTH_DATE = dt.date(1900, 1, 1)


def member_deactivate(*, member: Member, by=None, reason: str = "") -> Member:
    """Stop rostering the member; their past shifts stay. Published future weeks are re-planned."""
    with transaction.atomic():
        was_active = member.active
        member.active = False
        member.full_clean()
        member.save()
        member.login_tokens.filter(used_at__isnull=True).update(expires_at=timezone.now())
        audit_log(action="volunteers.member.deactivated", actor=by, community=member.community, obj=member,
                  reason=reason)
        if was_active:
            availability_announce(member_ids=[member.pk], reason="inactive")
    return member


def member_has_history(member: Member) -> bool:
    """Whether another app keeps history that points at the member (asked through member_history_asked)."""
    return any(answer for _receiver, answer in member_history_asked.send(sender=Member, member=member))


def member_delete(*, member: Member, by=None, reason: str = "", anonymise_now: bool = False) -> Member | None:
    """Delete a member. Without roster history the row goes (returns None); with history it is deactivated,
    its login removed, and it is anonymised now or after ANONYMISE_AFTER_DAYS."""
    community, pk = member.community, member.pk
    with transaction.atomic():
        if not member_has_history(member):
            user = member.user
            member.delete()
            if user is not None:
                user.delete()
            audit_log(action="volunteers.member.deleted", actor=by, community=community,
                      data={"member_id": pk, "history": False}, reason=reason)
            return None
        member_deactivate(member=member, by=by, reason=reason)
        if member.user is not None:
            member.user.delete()  # Member.user is SET_NULL; open sessions stop working
            member.user = None
        audit_log(action="volunteers.member.deleted", actor=by, community=community, obj=member,
                  data={"member_id": pk, "history": True}, reason=reason)
        if anonymise_now:
            member_anonymise(member=member, by=by)
    return member


def member_anonymise(*, member: Member, by=None) -> Member:
    """Remove everything that identifies the person; roster history keeps pointing at the row."""
    if member.anonymised_at is not None:
        return member
    with transaction.atomic():
        user = member.user
        member.name = f"已匿名 #{member.pk}"
        member.phone = member.email = member.volunteer_number = ""
        member.lives_alone = False
        member.birth_date = ANONYMOUS_BIRTH_DATE
        member.health = HealthLevel.GOOD
        member.active = False
        member.reminders = False
        member.duty_preferences, member.weekday_preferences = {}, {}
        member.max_shifts_per_week = member.max_minutes_per_week = None
        member.max_consecutive_days = member.min_rest_minutes = None
        member.feed_version += 1  # the personal calendar link stops working
        member.anonymised_at = timezone.now()
        member.user = None
        member.full_clean()
        member.save()
        member.skills.clear()
        member.extra_communities.clear()
        member.usual_households.clear()
        member.caregiving.all().delete()
        member.unavailability.all().delete()
        member.login_tokens.all().delete()
        member_anonymising.send(sender=Member, member=member)  # messages, swap notes: the apps that hold them
        if user is not None:
            user.delete()
        audit_log(action="volunteers.member.anonymised", actor=by, community=member.community, obj=member)
    logger.info("anonymised member %s", member.pk)
    return member


def members_due_for_anonymisation(*, now: dt.datetime | None = None, after_days: int | None = None) -> list[Member]:
    """Inactive, not yet anonymised members unchanged for more than `after_days` (default
    settings.ANONYMISE_AFTER_DAYS). Deactivating saves the member, so the clock starts at deactivation; any
    later edit restarts it, which errs towards keeping data a little longer, never shorter."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=after_days if after_days is not None else settings.ANONYMISE_AFTER_DAYS)
    return list(Member.objects.filter(active=False, anonymised_at__isnull=True, updated_at__lt=cutoff))


def retention_run(*, now: dt.datetime | None = None, dry_run: bool = False, after_days: int | None = None) -> int:
    """Anonymise every member that is due; returns how many (would be) anonymised. Safe to run repeatedly."""
    due = members_due_for_anonymisation(now=now, after_days=after_days)
    if not dry_run:
        for member in due:
            member_anonymise(member=member)
    return len(due)

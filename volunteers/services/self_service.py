"""What a member may change about themself: how to reach them, their language, and their caregiving times.

Health and limits stay with the secretary (they decide which duties are safe); a member sees them and is told
to ask the secretary when something is wrong. Caregiving is written the way secretaries write it in the 名册,
e.g. "周一至周五 07:00-08:30", and parsed by the same code as the import.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from volunteers.models import CaregivingWindow, Member, applies_for_label

from .audit import audit_log
from .availability import availability_announce
from .member_text import format_caregiving, parse_caregiving


def member_caregiving_text(member: Member) -> str:
    return format_caregiving((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())


def member_update_own_details(*, member: Member, by, phone: str, email: str, language: str,
                              caregiving_text: str | None = None) -> Member:
    """Apply a member's own corrections; raises ValidationError naming the field. Caregiving is left alone when
    caregiving_text is None (the member's page sets it window by window with pickers)."""
    try:
        windows = None if caregiving_text is None else parse_caregiving(caregiving_text)
    except ValidationError as exc:
        raise ValidationError({"caregiving_text": exc.messages}) from None
    with transaction.atomic():
        before = {"phone": member.phone, "email": member.email, "language": member.language}
        member.phone, member.email, member.language = phone.strip(), email.strip(), language
        member.full_clean(exclude=["user"])
        member.save()
        changed = [name for name, old in before.items() if getattr(member, name) != old]
        current = frozenset((w.weekdays, w.start, w.end, w.label) for w in member.caregiving.all())
        if windows is not None and current != windows:
            member.caregiving.all().delete()
            for weekdays, start, end, label in windows:
                window = CaregivingWindow(member=member, weekdays=weekdays, start=start, end=end, label=label,
                                           applies=applies_for_label(label))
                window.full_clean()
                window.save()
            changed.append("caregiving")
            availability_announce(member_ids=[member.pk], reason="caregiving")
        if changed:
            audit_log(action="volunteers.member.self_updated", actor=by, community=member.community, obj=member,
                      data={"fields": changed})
    return member


"""One new member, added by hand from the set-up pages (no spreadsheet needed)."""

from django.db import transaction

from volunteers.models import Member
from volunteers.services.audit import audit_log


def member_add(*, member: Member, by, skills=()) -> Member:
    """Add one member by hand (no spreadsheet needed); raises ValidationError naming the field."""
    with transaction.atomic():
        member.full_clean(exclude=["user"])
        member.save()
        member.skills.set(skills)
        audit_log(action="shifts.setup.member_added", actor=by, community=member.community, obj=member,
                  data={"name": member.name})
    return member

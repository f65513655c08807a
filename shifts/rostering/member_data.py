"""What the rostering side holds about a member, for volunteers' retention (member_delete, member_anonymise).

volunteers cannot import shifts, so it asks through volunteers.signals and shifts.rostering.receivers answers
with these services.
"""

from shifts.models import Assignment, Notification, SwapRequest
from volunteers.models import Member


def member_roster_history(*, member: Member) -> bool:
    """True when rosters or swaps point at the member: they are kept (and anonymised later), not deleted."""
    return (Assignment.objects.filter(member=member).exists()
            or SwapRequest.objects.filter(requester=member).exists())


def member_roster_data_erase(*, member: Member) -> None:
    """Remove the member's messages and the free text of their swap requests; rosters keep the row."""
    Notification.objects.filter(member=member).delete()
    SwapRequest.objects.filter(requester=member).update(note="")

"""Which shifts a login may reach: staff, their communities' shifts; a member, the shifts they are on in a
roster that is (or was) published. Drafts and proposals are the secretary's working copies."""

from django.http import Http404

from shifts.models import Roster, Shift, ShiftTemplate
from volunteers.selectors import communities_for, is_district_admin, is_staff_member, member_of

VISIBLE_TO_MEMBERS = (Roster.Status.PUBLISHED, Roster.Status.SUPERSEDED)


def shifts_for(user):
    if is_staff_member(user):
        shifts = Shift.objects.all()
        return shifts if is_district_admin(user) else shifts.filter(community__in=communities_for(user))
    own = member_of(user)
    if own is None:
        return Shift.objects.none()
    return Shift.objects.filter(assignments__member=own, assignments__roster__status__in=VISIBLE_TO_MEMBERS).distinct()


def shift_for(user, pk) -> Shift:
    """The shift with this pk if the login may reach it; Http404 otherwise (no hint that it exists)."""
    try:
        return shifts_for(user).get(pk=pk)
    except (Shift.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def templates_for(user):
    """Weekly templates of a staff login's communities (all of them for a district administrator)."""
    if not is_staff_member(user):
        return ShiftTemplate.objects.none()
    templates = ShiftTemplate.objects.all()
    return templates if is_district_admin(user) else templates.filter(community__in=communities_for(user))


def template_for(user, pk) -> ShiftTemplate:
    try:
        return templates_for(user).get(pk=pk)
    except (ShiftTemplate.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404

"""The single place that decides what a login may read.

Every view and export fetches people and communities through these functions, so scoping cannot be
forgotten view by view. Objects outside the caller's scope raise Http404: no hint that they exist.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import Community, Member, StaffProfile


def staff_profile(user) -> StaffProfile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.staff_profile
    except StaffProfile.DoesNotExist:
        return None


def is_district_admin(user) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    profile = staff_profile(user)
    return profile is not None and profile.role == StaffProfile.Role.DISTRICT_ADMIN


def is_staff_member(user) -> bool:
    """A secretary or district administrator (not the Django is_staff flag)."""
    return is_district_admin(user) or staff_profile(user) is not None


def member_of(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.member
    except Member.DoesNotExist:
        return None


def communities_for(user) -> QuerySet[Community]:
    """Communities a staff login manages; empty for members and anonymous users."""
    if is_district_admin(user):
        return Community.objects.all()
    profile = staff_profile(user)
    if profile is None:
        return Community.objects.none()
    return profile.communities.all()


def community_for(user, pk) -> Community:
    try:
        return communities_for(user).get(pk=pk)
    except (Community.DoesNotExist, ValueError, TypeError):
        raise Http404


def members_for(user) -> QuerySet[Member]:
    """Members a staff login manages: those whose home community is theirs; a member sees only themself."""
    if is_staff_member(user):
        if is_district_admin(user):
            return Member.objects.all()
        return Member.objects.filter(community__in=communities_for(user))
    own = member_of(user)
    if own is None:
        return Member.objects.none()
    return Member.objects.filter(pk=own.pk)


def member_for(user, pk) -> Member:
    try:
        return members_for(user).get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError):
        raise Http404


def can_see_sensitive(user, member: Member) -> bool:
    """Health, caregiving and addresses: staff of the member's own community, and the member themself."""
    own = member_of(user)
    if own is not None and own.pk == member.pk:
        return True
    if is_district_admin(user):
        return True
    profile = staff_profile(user)
    return profile is not None and profile.communities.filter(pk=member.community_id).exists()


def members_serving(community: Community) -> QuerySet[Member]:
    """Active members who may serve the community's shifts: its own and guests from neighbours."""
    return Member.objects.filter(Q(community=community) | Q(extra_communities=community), active=True).distinct()

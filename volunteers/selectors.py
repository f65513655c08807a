"""The single place that decides what a login may read.

Every view and export fetches people and communities through these functions, so scoping cannot be
forgotten view by view. Objects outside the caller's scope raise Http404: no hint that they exist.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import AuditEntry, Community, Member, MemberImportJob, MemberProxy, StaffProfile, VisitTarget
from .services.audit import audit_log


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


def acting_for(user):
    """(member, relative) for a relative's login acting for a member with consent not revoked, else (None, None).
    Checked on every request, so revoking takes effect at once."""
    if not getattr(user, "is_authenticated", False):
        return None, None
    proxy = MemberProxy.objects.filter(user=user, revoked_at__isnull=True).select_related("member").first()
    if proxy is None or not proxy.is_active or not proxy.member.active:
        return None, None
    return proxy.member, proxy


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
    except (Community.DoesNotExist, ValueError, TypeError, OverflowError):
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
    except (Member.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def visit_targets_for(user) -> QuerySet[VisitTarget]:
    """Visit households (their addresses are sensitive) of a staff login's communities."""
    if not is_staff_member(user):
        return VisitTarget.objects.none()
    targets = VisitTarget.objects.all()
    return targets if is_district_admin(user) else targets.filter(community__in=communities_for(user))


def visit_target_for(user, pk) -> VisitTarget:
    try:
        return visit_targets_for(user).get(pk=pk)
    except (VisitTarget.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


def can_see_sensitive(user, member: Member) -> bool:
    """Health, caregiving and addresses: staff of the member's own community, and the member themself.

    A district administrator sees them only for communities they are assigned to as well: seeing every
    community's rosters does not make someone staff of every community.
    """
    own = member_of(user)
    if own is not None and own.pk == member.pk:
        return True
    profile = staff_profile(user)
    return profile is not None and profile.communities.filter(pk=member.community_id).exists()


def can_see_sensitive_in(user, community: Community) -> bool:
    """Health, caregiving and addresses of a community's members: its own staff only (not the district
    administrator unless assigned to it, not members)."""
    profile = staff_profile(user)
    return profile is not None and profile.communities.filter(pk=getattr(community, "pk", community)).exists()


def member_for_own_staff(user, pk) -> Member:
    """A member whom only staff of their own community may act for: their login codes, relatives and calendar
    link all open the member's private details. Anyone else, a district administrator not assigned to the
    member's community included, gets Http404."""
    member = member_for(user, pk)
    if not is_staff_member(user) or not can_see_sensitive_in(user, member.community_id):
        raise Http404
    return member


def sensitive_community_ids(user) -> set[int]:
    """Communities whose members' sensitive details the login may see as staff (can_see_sensitive_in)."""
    profile = staff_profile(user)
    return set(profile.communities.values_list("pk", flat=True)) if profile is not None else set()


def sensitive_member_ids(user, member_ids) -> set[int]:
    """The ids among member_ids whose sensitive details the login may see (see can_see_sensitive), in two
    queries whatever their number."""
    ids = set(member_ids)
    own = member_of(user)
    allowed = {own.pk} & ids if own is not None else set()
    profile = staff_profile(user)
    if profile is not None and ids:
        allowed |= set(Member.objects.filter(pk__in=ids, community__in=profile.communities.all())
                       .values_list("pk", flat=True))
    return allowed


def members_serving(community: Community) -> QuerySet[Member]:
    """Active members who may serve the community's shifts: its own and guests from neighbours."""
    return Member.objects.filter(Q(community=community) | Q(extra_communities=community), active=True).distinct()


def same_name_members(community, name: str, *, exclude_pk=None) -> list[Member]:
    """Members of the community who already have this name (oldest first), for the "a different person with the
    same name?" question asked when a member is added by hand or renamed; a name no database can hold (a NUL)
    has none."""
    name = (name or "").strip()
    if not name or "\x00" in name:
        return []
    found = Member.objects.filter(community=community, name=name, anonymised_at__isnull=True)
    if exclude_pk is not None:
        found = found.exclude(pk=exclude_pk)
    return list(found.order_by("birth_date", "pk"))


def community_secretary_phone(community: Community) -> tuple[str, str] | None:
    """(as shown, as dialled) for the 给书记打电话 button: a secretary of the community with a phone of their own
    (the longest-serving first), else the community's contact phone; None when neither is on file."""
    profile = (StaffProfile.objects.filter(role=StaffProfile.Role.SECRETARY, communities=community)
               .exclude(phone="").order_by("pk").first())
    if profile is not None:
        return profile.phone.as_national, profile.phone.as_e164
    dialled = "".join(ch for ch in community.contact_phone if ch.isdigit() or ch == "+")
    return (community.contact_phone, dialled) if dialled else None


# --------------------------------------------------------------------------- sensitive fields, audited

def member_sensitive_details(*, user, member: Member, purpose: str = "viewed") -> dict:
    """Health, caregiving windows and usual visit households' addresses of one member, for a login allowed
    to see them (else Http404). Every read is written to the audit log as
    volunteers.member.sensitive_viewed (or sensitive_exported when purpose="exported")."""
    if not can_see_sensitive(user, member):
        raise Http404
    details = {
        "health": member.health,
        "caregiving": list(member.caregiving.all()),
        "households": list(member.usual_households.all()),
    }
    audit_log(action=f"volunteers.member.sensitive_{'exported' if purpose == 'exported' else 'viewed'}",
              actor=user, community=member.community, obj=member,
              data={"fields": ["health", "caregiving", "addresses"]})
    return details


def import_job_of(*, user, community: Community, job_id, sheet: str) -> MemberImportJob:
    """An import job (of the member list or the attendance book) that this login started for this community;
    404 for anyone else's, or an id that is not one."""
    try:
        return MemberImportJob.objects.get(pk=job_id, community=community, created_by=user, sheet=sheet)
    except (MemberImportJob.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404


# --------------------------------------------------------------------------- the audit log (操作记录)

def audit_entries_for(user) -> QuerySet[AuditEntry]:
    """The audit entries a staff login may read: those of its communities (a secretary) or of every community of
    the district (the district administrator); none for anyone else. Newest first."""
    if not is_staff_member(user):
        return AuditEntry.objects.none()
    return (AuditEntry.objects.filter(community__in=communities_for(user))
            .select_related("actor", "community").order_by("-created_at", "-id"))


def audit_values_visible(user) -> set[int]:
    """Communities whose health and caregiving values the login may read in the audit log: its own as a
    secretary; never any for the district administrator (the district sees that a value changed, not to what)."""
    if is_district_admin(user):
        return set()
    return sensitive_community_ids(user)


def audit_people(entries) -> tuple[dict, dict, dict]:
    """For a page of entries, in three queries: {user id: member} of the actors who are members, {user id: proxy}
    of the actors who are relatives (with the member they act for), {member id: member} the entries are about."""
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    about_ids = {int(e.object_id) for e in entries if e.object_type == "volunteers.member" and e.object_id.isdigit()}
    members = {m.user_id: m for m in Member.objects.filter(user_id__in=actor_ids)} if actor_ids else {}
    proxies = ({p.user_id: p for p in MemberProxy.objects.filter(user_id__in=actor_ids).select_related("member")}
               if actor_ids else {})
    about = Member.objects.in_bulk(about_ids) if about_ids else {}
    return members, proxies, about

"""What volunteers tells the shell's page guards (scheduler_site.access) about a login: the shell imports no app,
so volunteers hands these over at start-up (volunteers.apps)."""

from scheduler_site.access import People

from .selectors import acting_for, is_district_admin, is_staff_member, member_of
from .services.audit import audit_log


def proxy_acted(request, member, proxy, *, status: int) -> None:
    """A relative's POST for the member (亲属代办), audited as done by them, with what came of it (`status`)."""
    audit_log(action="volunteers.proxy.acted", actor=request.user, community=member.community, obj=member,
              data={"proxy": proxy.pk, "proxy_name": proxy.name, "view": request.resolver_match.url_name,
                    "path": request.path, "status": status})


PEOPLE = People(is_staff_member=is_staff_member, is_district_admin=is_district_admin, member_of=member_of,
                acting_for=acting_for, proxy_acted=proxy_acted)

"""Who may open a page: the guards every secretary and member view of both apps shares.

They live in the project, not in an app, because both apps use them and volunteers must not import shifts.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404

from volunteers.selectors import acting_for, is_staff_member, member_of
from volunteers.services.audit import audit_log


def staff_required(view):
    """Secretaries and district administrators only; anyone else gets a 404 (no hint the page exists)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def member_required(view):
    """A logged-in member, or a relative acting for one (亲属代办); the member row is passed to the view as
    `member`. A relative's every successful change is audited as done by them for the member."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        member, proxy = member_for_request(request)
        response = view(request, *args, member=member, **kwargs)
        if proxy is not None and request.method == "POST" and response.status_code < 400:
            audit_log(action="volunteers.proxy.acted", actor=request.user, community=member.community, obj=member,
                      data={"proxy": proxy.pk, "proxy_name": proxy.name, "view": request.resolver_match.url_name,
                            "path": request.path})
        return response

    return wrapper


def member_for_request(request):
    """(member, relative or None) for the logged-in person; 404 for anyone else. Sets request.acting_proxy."""
    member, proxy = member_of(request.user), None
    if member is None:
        member, proxy = acting_for(request.user)
    if member is None:
        raise Http404
    request.acting_proxy = proxy
    return member, proxy

"""Who may open a page: the guards every secretary and member view of both apps shares.

They live in the project, not in an app, because both apps use them and volunteers must not import shifts.
"""

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
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
    `member`. Every POST a relative makes here is audited as done by them for the member, whatever came of it
    (the response's status is in the entry; a view that raised is recorded too), so no act of theirs can be
    missing from the member's log: a refusal that redirects, or a view that changed data before it failed,
    would otherwise slip through. This is the one such check; member pages guard with it."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        member, proxy = member_for_request(request)
        if proxy is None or request.method != "POST":
            return view(request, *args, member=member, **kwargs)
        status = 500
        try:
            response = view(request, *args, member=member, **kwargs)
            status = response.status_code
            return response
        except Http404:
            status = 404
            raise
        except PermissionDenied:
            status = 403
            raise
        finally:
            audit_log(action="volunteers.proxy.acted", actor=request.user, community=member.community, obj=member,
                      data={"proxy": proxy.pk, "proxy_name": proxy.name, "view": request.resolver_match.url_name,
                            "path": request.path, "status": status})

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

"""Who may open a page: the guards every secretary and member view of every app shares.

The shell imports no app (tests/foundation/test_layering.py). Who is a secretary, which member a login is or
acts for, and how a relative's change is recorded are the volunteers app's knowledge: volunteers hands them to
the shell when it starts (volunteers.apps.VolunteersConfig.ready → `use_people(volunteers.access.PEOPLE)`).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404


@dataclass(frozen=True)
class People:
    """What the guards ask about a login. Every function takes the request's user (possibly anonymous)."""

    is_staff_member: Callable  # user -> bool: a secretary or district administrator
    is_district_admin: Callable  # user -> bool: the district administrator
    member_of: Callable  # user -> Member | None: the member this login is
    acting_for: Callable  # user -> (Member, relative) or (None, None): the member a relative's login acts for
    proxy_acted: Callable  # (request, member, relative, status=) -> None: record a relative's POST


_people: People | None = None


def use_people(people: People) -> None:
    global _people
    _people = people


def people() -> People:
    if _people is None:
        raise ImproperlyConfigured("No app told the shell who is staff or a member: is volunteers installed?")
    return _people


def staff_required(view):
    """Secretaries and district administrators only; anyone else gets a 404 (no hint the page exists)."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not people().is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def district_admin_required(view):
    """The district administrator only; anyone else gets a 404."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not people().is_district_admin(request.user):
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
            people().proxy_acted(request, member, proxy, status=status)

    return wrapper


def member_for_request(request):
    """(member, relative or None) for the logged-in person; 404 for anyone else. Sets request.acting_proxy."""
    member, proxy = people().member_of(request.user), None
    if member is None:
        member, proxy = people().acting_for(request.user)
    if member is None:
        raise Http404
    request.acting_proxy = proxy
    return member, proxy

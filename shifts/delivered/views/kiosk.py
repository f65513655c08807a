"""The kiosk's pages: the secretary opens or closes a community's kiosk; on the tablet a member types four digits,
taps their name and checks in or out, or says they cannot come tomorrow. The tablet is never logged in: it holds
the kiosk cookie (shifts.delivered.kiosk), and every post names the digits and the member again."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from scheduler_site.access import staff_required
from shifts.delivered import kiosk as service
from shifts.models import Kiosk
from volunteers.selectors import community_for

# --------------------------------------------------------------------------- the secretary

@staff_required
def kiosk_setup(request, community_id):
    """The community's open kiosks, a button to close each, and the button that makes this browser a kiosk."""
    community = community_for(request.user, community_id)
    return render(request, "shifts/kiosk/setup.html", {"community": community,
                                                       "kiosks": service.open_kiosks(community)})


@staff_required
@require_POST
def kiosk_open(request, community_id):
    """Make this browser the community's kiosk: it keeps a kiosk cookie and is logged out, so nobody at the
    tablet acts as the secretary."""
    community = community_for(request.user, community_id)
    _kiosk, cookie = service.kiosk_open(community=community, by=request.user, name=request.POST.get("name", ""))
    logout(request)
    response = redirect("kiosk_home")
    response.set_cookie(service.COOKIE, cookie, max_age=service.COOKIE_AGE, httponly=True, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)
    return response


@staff_required
@require_POST
def kiosk_close(request, community_id):
    community = community_for(request.user, community_id)
    raw = request.POST.get("kiosk", "")
    kiosk = get_object_or_404(Kiosk, pk=int(raw) if raw.isdigit() and len(raw) < 12 else 0, community=community)
    service.kiosk_close(kiosk=kiosk, by=request.user)
    return redirect("kiosk_setup", community.pk)


# --------------------------------------------------------------------------- the tablet

def _page(request, kiosk, template, context=None, status=200):
    return render(request, f"shifts/kiosk/{template}", {"kiosk": kiosk, **(context or {})}, status=status)


def _kiosk_view(view):
    """The kiosk the browser's cookie names, or the page that says this is not a kiosk; a locked kiosk says so."""
    def wrapper(request, *args, **kwargs):
        kiosk = service.kiosk_from_cookie(request.COOKIES.get(service.COOKIE))
        if kiosk is None:
            return render(request, "shifts/kiosk/not_a_kiosk.html", status=403)
        try:
            return view(request, kiosk, *args, **kwargs)
        except service.KioskLocked as locked:
            return _page(request, kiosk, "home.html", {"locked_until": timezone.localtime(locked.until)},
                         status=429)
    wrapper.__name__, wrapper.__doc__ = view.__name__, view.__doc__
    return never_cache(wrapper)


@_kiosk_view
def kiosk_home(request, kiosk):
    """Type the last 4 digits of your phone."""
    locked = kiosk.locked_until if kiosk.locked_until and kiosk.locked_until > timezone.now() else None
    return _page(request, kiosk, "home.html", {"locked_until": timezone.localtime(locked) if locked else None},
                 status=429 if locked else 200)


@require_POST
@_kiosk_view
def kiosk_find(request, kiosk):
    """The names whose phone ends with the digits: each member taps their own."""
    digits = request.POST.get("digits", "")
    try:
        members = service.kiosk_lookup(kiosk=kiosk, digits=digits)
    except ValidationError as exc:
        return _page(request, kiosk, "home.html", {"error": " ".join(exc.messages)}, status=400)
    return _page(request, kiosk, "names.html", {"members": members, "digits": digits.strip()})


def _member_page(request, kiosk, member, digits, *, notice="", error="", status=200):
    return _page(request, kiosk, "member.html", {
        "member": member, "digits": digits, "items": service.kiosk_today(kiosk=kiosk, member=member),
        "notice": notice, "error": error}, status=status)


def _tapped(request, kiosk):
    """(member, digits, None) for the name tapped with the digits typed, checked again on every tap; or
    (None, "", the start page saying why) when they do not match."""
    digits = request.POST.get("digits", "")
    try:
        member = service.kiosk_member(kiosk=kiosk, digits=digits, member_id=request.POST.get("member", ""))
    except ValidationError as exc:
        return None, "", _page(request, kiosk, "home.html", {"error": " ".join(exc.messages)}, status=400)
    return member, digits.strip(), None


@require_POST
@_kiosk_view
def kiosk_member(request, kiosk):
    """The tapped member's shifts here today, with a button for each."""
    member, digits, refused = _tapped(request, kiosk)
    if refused is not None:
        return refused
    return _member_page(request, kiosk, member, digits)


@require_POST
@_kiosk_view
def kiosk_check(request, kiosk):
    """Check in or out of one of today's shifts; the page then says what was done (and offers check-out)."""
    member, digits, refused = _tapped(request, kiosk)
    if refused is not None:
        return refused
    try:
        attendance, already = service.kiosk_check_member(kiosk=kiosk, member=member,
                                                         shift_id=request.POST.get("shift", ""),
                                                         action=request.POST.get("action", ""))
    except ValidationError as exc:
        return _member_page(request, kiosk, member, digits, error=" ".join(exc.messages), status=400)
    if already:
        notice = _("%(name)s, you already checked in at %(time)s. Tap “Check out” when you leave.") % {
            "name": member.name, "time": timezone.localtime(attendance.check_in).strftime("%H:%M")}
    elif request.POST.get("action") == "in":
        notice = _("%(name)s, checked in at %(time)s. Thank you!") % {
            "name": member.name, "time": timezone.localtime(attendance.check_in).strftime("%H:%M")}
    else:
        notice = _("%(name)s, checked out at %(time)s. Thank you for your service!") % {
            "name": member.name, "time": timezone.localtime(attendance.check_out).strftime("%H:%M")}
    return _member_page(request, kiosk, member, digits, notice=notice)


@require_POST
@_kiosk_view
def kiosk_away(request, kiosk):
    """"明天来不了": first a question (a stray tap must not free a shift), then the absence."""
    digits, member_id = request.POST.get("digits", ""), request.POST.get("member", "")
    try:
        member = service.kiosk_member(kiosk=kiosk, digits=digits, member_id=member_id)
    except ValidationError as exc:
        return _page(request, kiosk, "home.html", {"error": " ".join(exc.messages)}, status=400)
    tomorrow = timezone.localtime().date() + dt.timedelta(days=1)
    if request.POST.get("confirm") != "1":
        return _page(request, kiosk, "away.html", {
            "member": member, "digits": digits.strip(), "tomorrow": tomorrow,
            "shifts": service.kiosk_tomorrow(kiosk=kiosk, member=member)})
    service.kiosk_cant_come_tomorrow(kiosk=kiosk, digits=digits, member_id=member_id)
    return _page(request, kiosk, "away.html", {"member": member, "done": True, "tomorrow": tomorrow})

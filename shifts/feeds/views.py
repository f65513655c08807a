"""The feed endpoint, and the pages where members and secretaries find (and reset) their calendar links."""

import logging

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shifts.feeds.feed_cache import feed_cached
from shifts.feeds.services import feed_link_reset_community, feed_link_reset_member
from shifts.feeds.tokens import community_token, duty_token, feed_url, member_token, resolve_token, webcal_url
from shifts.models import Duty
from volunteers.selectors import community_for, member_for_own_staff, member_of

logger = logging.getLogger(__name__)

_PRIVATE_HEADERS = {
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in _PRIVATE_HEADERS.items():
        response.headers[header] = value
    return response


def _not_found() -> HttpResponse:
    return _private(HttpResponseNotFound(b"Not found", content_type="text/plain; charset=utf-8"))


def feed_response(request, token: str) -> HttpResponse:
    """The answer to GET or HEAD of a feed; FeedFastPathMiddleware calls it before the rest of the stack."""
    scope = resolve_token(token)
    if scope is None:
        return _not_found()
    cached = feed_cached(scope)
    response = HttpResponse(content_type="text/calendar; charset=utf-8")
    response.headers["ETag"] = cached.etag
    response.headers["Last-Modified"] = http_date(cached.last_modified_ts)
    answer = get_conditional_response(request, etag=cached.etag, last_modified=cached.last_modified_ts,
                                      response=response)
    if answer is response:  # 200: only now is the body needed (for HEAD, only its length)
        if request.method == "GET":
            response.content = cached.body  # may re-render, if the body was evicted meanwhile
            response.headers["ETag"] = cached.etag
            response.headers["Last-Modified"] = http_date(cached.last_modified_ts)
        response.headers["Content-Length"] = str(cached.length)
    # Never the token: the scope kind and object id say enough to trace a problem.
    logger.debug("feed %s %s served: %s, %d events", scope.kind,
                 scope.owner_id, answer.status_code, cached.events)
    return _private(answer)


@require_safe
def feed(request, token: str):
    """GET/HEAD /feeds/<token>.ics. Anything wrong with the token is the same bare 404."""
    return feed_response(request, token)


def subscribe_context(token: str) -> dict:
    """What the subscribe partial (shifts/feeds/subscribe.html) needs for one feed link."""
    url = feed_url(token)
    qr = segno.make(url, error="m").svg_inline(scale=5, svgclass="qr", title=_("QR code of the calendar link"))
    # segno writes the SVG itself; the URL inside is made of url-safe characters only.
    return {"feed_url": url, "webcal_url": webcal_url(token), "qr_svg": mark_safe(qr)}  # noqa: S308


@login_required
@require_http_methods(["GET", "POST"])
def my_subscription(request):
    """A member's own calendar link: subscribe buttons, QR code, and a reset if the link went astray."""
    member = member_of(request.user)
    if member is None:
        raise Http404
    if request.method == "POST":
        feed_link_reset_member(member=member, by=request.user)
        messages.success(request, _("Your old calendar link no longer works. Subscribe again with the new one."))
        return redirect("feeds:mine")
    return render(request, "shifts/feeds/mine.html", {"member": member, **subscribe_context(member_token(member))})


@login_required
@require_http_methods(["GET", "POST"])
def member_link(request, pk: int):
    """A secretary shows (or resets) a member's calendar link, e.g. to print it for them."""
    own = member_of(request.user)
    if own is not None and own.pk == pk:
        return redirect("feeds:mine")
    # The member's feed carries the households they visit, with addresses: their own community's staff only.
    member = member_for_own_staff(request.user, pk)
    if request.method == "POST":
        feed_link_reset_member(member=member, by=request.user)
        messages.success(request, _("The old calendar link no longer works."))
        return redirect("feeds:member", pk=member.pk)
    return render(request, "shifts/feeds/member.html", {"member": member, **subscribe_context(member_token(member))})


@login_required
@require_http_methods(["GET", "POST"])
def community_links(request, pk: int):
    """The secretary's community calendar and one calendar per duty."""
    community = community_for(request.user, pk)
    if request.method == "POST":
        feed_link_reset_community(community=community, by=request.user)
        messages.success(request, _("The old community and duty calendar links no longer work."))
        return redirect("feeds:community", pk=community.pk)
    duties = Duty.objects.filter(shifts__community=community).distinct().order_by("code")
    duty_links = [{"duty": duty, "feed_url": feed_url(duty_token(community, duty)),
                   "webcal_url": webcal_url(duty_token(community, duty))} for duty in duties]
    return render(request, "shifts/feeds/community.html", {
        "community": community, "duty_links": duty_links, **subscribe_context(community_token(community))})

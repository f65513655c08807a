"""A fast path for calendar polls: GET/HEAD /feeds/<token>.ics is answered before the rest of the middleware.

Calendar apps poll every feed about once an hour, and most polls end in 304. Such a request needs no session,
user, CSRF check, locale negotiation, messages, htmx, axes or static files; running that stack was most of a
poll's cost. This middleware sits right after RequestSizeLimitMiddleware and SecurityMiddleware, so the body
limit, the https redirect, HSTS and nosniff still apply, and adds the headers SecurityHeadersMiddleware and
XFrameOptionsMiddleware would have. Anything else, including a /feeds/ path that is not a well-formed token
URL and any other method, goes on down the stack to the URL resolver as before (404 or 405 there).
"""

import re

from django.conf import settings
from django.utils import translation

_FEED_PATH = re.compile(r"/feeds/([A-Za-z0-9_-]{16,64})\.ics")  # the same pattern as shifts/feeds/urls.py


class FeedFastPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        from shifts.feeds.views import feed_response  # the views import models, which are not ready at import time

        self.feed_response = feed_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        found = _FEED_PATH.fullmatch(request.path_info)
        if found is None:
            return self.get_response(request)
        # The community and duty feeds are written in the site language, whatever the poller's Accept-Language.
        with translation.override(settings.LANGUAGE_CODE):
            response = self.feed_response(request, found[1])
        headers = response.headers
        headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        return response

"""Request guards and response headers every page carries."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


class RequestSizeLimitMiddleware:
    """Refuse oversized bodies (file uploads included) with 413 before anything reads them.

    DATA_UPLOAD_MAX_MEMORY_SIZE does not count uploaded files, and a missing or lying Content-Length must
    not let a client stream an unbounded body into a temporary file."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.MAX_REQUEST_BYTES
        raw = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(raw)
        except ValueError:
            return HttpResponse(_("Bad Content-Length header."), status=400, content_type="text/plain; charset=utf-8")
        if length > limit or length < 0:
            logger.warning("refused a %s-byte request body to %s", length, request.path)
            return HttpResponse(
                _("The upload is too large (at most %(mb)d MB).") % {"mb": limit // (1024 * 1024)},
                status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy and no referrer leakage."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            # The admin ships inline scripts; everything of ours is served from 'self'.
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response

"""Request guards and response headers every page carries."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .access import people
from .addresses import client_address

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


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the client's address from X-Forwarded-For, but only when the request comes from a
    proxy named in settings.TRUSTED_PROXIES (see scheduler_site.addresses); the login limits and django-axes then
    count clients, not the proxy. Without the setting the header is ignored: anyone can send it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TRUSTED_PROXIES:
            request.META["REMOTE_ADDR"] = client_address(request.META)
        return self.get_response(request)


class NulCharacterMiddleware:
    """Refuse a NUL character in the path, the query or a form field with 400, naming the field.

    No one types one, PostgreSQL cannot store or even compare one (the query fails with ValueError, a 500), and
    Django's form fields only catch it in the fields they validate, not in lookups a view makes from the raw
    request first. Form fields are read in process_view, so that views exempt from CSRF (the provider callbacks,
    which read the raw JSON body and check its values themselves) still find their body unread."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = "path" if "\x00" in request.path else _field_with_nul(request.GET)
        if field is not None:
            return _nul_refused(request, field)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (request.method != "POST" or request.content_type not in self.FORM_TYPES
                or getattr(view_func, "csrf_exempt", False)):
            return None
        field = _field_with_nul(request.POST)
        return _nul_refused(request, field) if field is not None else None


def _field_with_nul(data) -> str | None:
    for key, values in data.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "")
    return None


def _nul_refused(request, field: str) -> HttpResponse:
    logger.warning("refused a NUL character in %s of a request to %s", field, request.path.replace("\x00", ""))
    return HttpResponse(_("“%(field)s” contains a character that is not allowed (NUL).") % {"field": field},
                        status=400, content_type="text/plain; charset=utf-8")


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


TEXT_SIZES = ("standard", "large", "xlarge")
TEXT_SIZE_COOKIE = "yure_text_size"


class TextSizeMiddleware:
    """The text-size switch (标准 / 大 / 特大), remembered in a cookie.

    The switch is a plain GET form (works without scripts, no pop-up): `?text_size=large&next=/me/` stores the
    choice and goes back. Every page reads `request.text_size`, so the server renders the right class on <html>
    and the page never flashes at the wrong size."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.GET.get("text_size")
        if chosen in TEXT_SIZES:
            target = request.GET.get("next") or request.path
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = request.path
            response = HttpResponseRedirect(target)
            response.set_cookie(TEXT_SIZE_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax",
                                secure=request.is_secure(), httponly=True)
            return response
        stored = request.COOKIES.get(TEXT_SIZE_COOKIE)
        request.text_size = stored if stored in TEXT_SIZES else "standard"
        return self.get_response(request)


class MemberLanguageMiddleware:
    """A logged-in member sees the interface in the language stored in 我的信息 (Member.language).

    Runs after LocaleMiddleware and AuthenticationMiddleware. The header's language buttons (set_language) also
    store the member's choice, so a language cookie that disagrees with the stored one is stale (left from before
    the member changed it in 我的信息, or from someone else on the same phone) and the stored one wins. The stored
    default (Chinese) cannot be told apart from "never chosen", so with no cookie it leaves the browser's own
    language alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        member = self._member(request)
        if member is not None:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            chosen_explicitly = member.language != settings.LANGUAGE_CODE or (cookie and cookie != member.language)
            if member.language and chosen_explicitly and translation.check_for_language(member.language):
                translation.activate(member.language)
                request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Store a choice made with the header's language buttons. Here, not in __call__: Django runs process_view
        in MIDDLEWARE order and stops at the first that answers, so this runs only once CsrfViewMiddleware
        (listed before) has accepted the POST; a forged cross-site POST changes nothing."""
        if request.method != "POST" or request.path != _set_language_path():
            return None
        member = self._member(request)
        chosen = request.POST.get("language")
        if member is not None and chosen in dict(type(member).Language.choices) and chosen != member.language:
            type(member).objects.filter(pk=member.pk).update(language=chosen)
            member.language = chosen
        return None

    @staticmethod
    def _member(request):
        user = getattr(request, "user", None)
        return people().member_of(user) if user is not None else None


def _set_language_path() -> str | None:
    try:
        return reverse("set_language")
    except NoReverseMatch:  # a URLconf without the i18n views (some tests mount their own)
        return None

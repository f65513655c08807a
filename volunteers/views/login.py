"""Member logins by one-time link or code, and the secretary's page that issues them.

Opening a link only shows a confirmation button: message apps and link previews fetch URLs on their own,
and a GET that logged in would use the link up before the elder ever tapped it.
"""

import logging

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from volunteers.models import Member
from volunteers.selectors import member_for_own_staff
from volunteers.services.logins import (
    CODE_DIGITS,
    code_digits,
    code_login_address_busy,
    code_login_blocked,
    code_login_failed,
    code_owner,
    login_redeem,
    login_token_issue,
    login_token_peek,
)
from volunteers.signals import login_code_issued

logger = logging.getLogger(__name__)


class LoginCodeForm(forms.Form):
    code = forms.CharField(label=_("Login code"), max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def clean_code(self):
        digits = code_digits(self.cleaned_data["code"])
        if len(digits) != CODE_DIGITS:
            raise ValidationError(_("The code has %(n)d digits.") % {"n": CODE_DIGITS})
        return digits


def _log_member_in(request, member, user=None):
    login(request, user or member.user, backend="django.contrib.auth.backends.ModelBackend")
    # The member's own phone stays logged in: elders should not have to ask for a new link every week.
    request.session.set_expiry(settings.MEMBER_SESSION_DAYS * 24 * 3600)


@never_cache
@require_http_methods(["GET", "POST"])
def link_login(request, token):
    if request.method == "POST":
        redeemed = login_redeem(token=token)
        if redeemed is not None:
            _log_member_in(request, redeemed[0], redeemed[1])
            return redirect("home")
    else:
        member = login_token_peek(token=token)
        if member is not None:
            return render(request, "volunteers/login/link_confirm.html", {"member_name": member.name})
    return render(request, "volunteers/login/link_invalid.html", status=404)


def _locked(request):
    return render(request, "volunteers/login/code.html", {"form": LoginCodeForm(), "locked": True}, status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def code_login(request):
    """The code page. The limits (volunteers.services.logins) live in the database and key on the address range
    (REMOTE_ADDR, made the client's by TrustedProxyMiddleware) and the code's owner, never on a cookie."""
    address = request.META.get("REMOTE_ADDR", "")
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        owner = code_owner(code)
        if owner is not None and code_login_blocked(address=address, member=owner):
            return _locked(request)  # this member's codes, tried too often from here
        redeemed = login_redeem(code=code)
        if redeemed is not None:
            _log_member_in(request, redeemed[0], redeemed[1])
            return redirect("home")
        code_login_failed(address=address, code=code)
        if owner is not None and code_login_blocked(address=address, member=owner):
            return _locked(request)
        form.add_error("code", _("This code is wrong, used or expired. Ask your secretary for a new one."))
        if code_login_blocked(address=address, member=None) or code_login_address_busy(address=address):
            # Many wrong codes from here: say so, but keep the form, a neighbour's correct code still works.
            form.add_error("code", _("Many wrong codes were typed here recently. Please check the code with your "
                                     "secretary before you try again."))
            return render(request, "volunteers/login/code.html", {"form": form}, status=429)
    status = 400 if request.method == "POST" else 200
    return render(request, "volunteers/login/code.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def issue_login_link(request, member_id):
    # A link logs in as the member and opens 我的信息 (health, caregiving): only their own community's staff.
    member = member_for_own_staff(request.user, member_id)
    context = {"member": member, "code_page": request.build_absolute_uri(reverse("member_code_login"))}
    if request.method == "POST":
        try:
            token, code = login_token_issue(member=member, by=request.user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "volunteers/login/issue.html", context, status=400)
        context.update(login_card_context(request, token, code))
        if request.POST.get("send") == "sms":
            context["sent"] = _send_by_text(member, None, context)
    return render(request, "volunteers/login/issue.html", context)


def login_card_context(request, token: str, code: str) -> dict:
    """What the login page and the printable card show: link, spaced code, where to type it, a QR code."""
    link = request.build_absolute_uri(reverse("member_link_login", args=[token]))
    qr = segno.make(link, error="m").svg_inline(scale=4, svgclass="qr", title=_("QR code of the login link"))
    return {"link": link, "code": f"{code[:4]} {code[4:]}", "qr_svg": mark_safe(qr),  # noqa: S308 (segno's SVG)
            "code_page": request.build_absolute_uri(reverse("member_code_login"))}


def _send_by_text(member, proxy, context) -> bool:
    """Ask shifts (through the login_code_issued signal) to text the code; True when a message is on its way
    (shifts queues it: no message is sent inside a request)."""
    results = login_code_issued.send(sender=Member, member=member, proxy=proxy, link=context["link"],
                                     code=context["code"], code_page=context["code_page"])
    return any(result is not None for _receiver, result in results)


@login_required
def logout_confirm(request):
    """退出登录 behind a question: the page asks, and only its button (a POST to logout) logs out."""
    return render(request, "volunteers/login/logout_confirm.html")

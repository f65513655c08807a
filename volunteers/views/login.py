"""Member logins by one-time link or code, and the secretary's page that issues them.

Opening a link only shows a confirmation button: message apps and link previews fetch URLs on their own,
and a GET that logged in would use the link up before the elder ever tapped it.
"""

import logging

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from volunteers.selectors import can_see_sensitive_in, is_staff_member, member_for
from volunteers.services.logins import CODE_DIGITS, login_token_issue, login_token_peek, login_token_redeem

logger = logging.getLogger(__name__)

# Code attempts are throttled by django-axes under one pseudo-username, i.e. per client address.
_CODE_CREDENTIALS = {"username": "member-login-code"}


class LoginCodeForm(forms.Form):
    code = forms.CharField(label=_("Login code"), max_length=20,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))

    def clean_code(self):
        digits = "".join(ch for ch in self.cleaned_data["code"] if ch.isdigit())
        if len(digits) != CODE_DIGITS:
            raise ValidationError(_("The code has %(n)d digits.") % {"n": CODE_DIGITS})
        return digits


def _log_member_in(request, member):
    login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
    # The member's own phone stays logged in: elders should not have to ask for a new link every week.
    request.session.set_expiry(settings.MEMBER_SESSION_DAYS * 24 * 3600)


@never_cache
@require_http_methods(["GET", "POST"])
def link_login(request, token):
    if request.method == "POST":
        member = login_token_redeem(token=token)
        if member is not None:
            _log_member_in(request, member)
            return redirect("home")
    else:
        member = login_token_peek(token=token)
        if member is not None:
            return render(request, "volunteers/login/link_confirm.html", {"member_name": member.name})
    return render(request, "volunteers/login/link_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def code_login(request):
    if AxesProxyHandler.is_locked(request, _CODE_CREDENTIALS):
        return render(request, "volunteers/login/code.html", {"form": LoginCodeForm(), "locked": True}, status=429)
    form = LoginCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        member = login_token_redeem(code=form.cleaned_data["code"])
        if member is not None:
            _log_member_in(request, member)
            return redirect("home")
        user_login_failed.send(sender=__name__, credentials=_CODE_CREDENTIALS, request=request)
        form.add_error("code", _("This code is wrong, used or expired. Ask your secretary for a new one."))
    status = 400 if request.method == "POST" else 200
    return render(request, "volunteers/login/code.html", {"form": form}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def issue_login_link(request, member_id):
    if not is_staff_member(request.user):
        raise Http404
    member = member_for(request.user, member_id)
    if not can_see_sensitive_in(request.user, member.community):
        # A link logs in as the member and opens 我的信息 (health, caregiving): only their own community's staff.
        raise Http404
    context = {"member": member}
    if request.method == "POST":
        try:
            token, code = login_token_issue(member=member, by=request.user)
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
            return render(request, "volunteers/login/issue.html", context, status=400)
        context["link"] = request.build_absolute_uri(reverse("member_link_login", args=[token]))
        context["code"] = f"{code[:4]} {code[4:]}"
    return render(request, "volunteers/login/issue.html", context)

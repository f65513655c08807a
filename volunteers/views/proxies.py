"""The secretary's page for a member's relatives (亲属代办): add with consent, give a one-time login, revoke."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from scheduler_site.forms import errors_to_form
from volunteers.models import MemberProxy
from volunteers.selectors import member_for_own_staff
from volunteers.services.logins import login_token_issue
from volunteers.services.proxies import proxy_add, proxy_revoke

from .login import _send_by_text, login_card_context


class ProxyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Relative's name"), max_length=60)
    phone = forms.CharField(label=gettext_lazy("Relative's phone"), max_length=30)
    relation = forms.ChoiceField(label=gettext_lazy("Relation"), choices=MemberProxy.Relation.choices)
    consent_note = forms.CharField(label=gettext_lazy("How the member agreed"), max_length=200,
                                   help_text=gettext_lazy("For example: said yes on the phone on 11-20."))
    forward_messages = forms.BooleanField(label=gettext_lazy("The member wants the relative to get their text "
                                                             "messages too"), required=False)


def _staff_member(request, member_id):
    # A relative gets the member's messages and acts as them: only the member's own community's staff add one.
    return member_for_own_staff(request.user, member_id)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def proxies(request, member_id):
    member = _staff_member(request, member_id)
    form = ProxyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proxy_add(member=member, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("The relative is recorded. Give them a login code below."))
            return redirect("member_proxies", member.pk)
    return render(request, "volunteers/proxies.html", {
        "member": member, "form": form, "proxies": member.proxies.order_by("revoked_at", "name"),
    }, status=400 if form.errors else 200)


@never_cache
@login_required
@require_POST
def proxy_login(request, member_id, proxy_id):
    member = _staff_member(request, member_id)
    proxy = get_object_or_404(MemberProxy, pk=proxy_id, member=member)
    try:
        token, code = login_token_issue(member=member, by=request.user, proxy=proxy)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member_proxies", member.pk)
    context = {"member": member, "proxy": proxy, **login_card_context(request, token, code)}
    if request.POST.get("send") == "sms":
        context["sent"] = _send_by_text(member, proxy, context)
    return render(request, "volunteers/proxy_login.html", context)


@login_required
@require_POST
def proxy_revoke_view(request, member_id, proxy_id):
    member = _staff_member(request, member_id)
    proxy = get_object_or_404(MemberProxy, pk=proxy_id, member=member)
    proxy_revoke(proxy=proxy, by=request.user)
    messages.success(request, _("%(name)s can no longer act for %(member)s.") % {"name": proxy.name,
                                                                                "member": member.name})
    return redirect("member_proxies", member.pk)

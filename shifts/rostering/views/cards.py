"""The large-print schedule card for a month (A5, 24 pt): for one member from the member page, or for every
member of a community.

The card's QR code: by default it opens the code login page (no secret on paper: the member types the code the
secretary gives them). The secretary may instead print each member's own one-time login link (a POST; the rules
are those of every login link, volunteers.services.logins: only the staff of the member's own community may
issue it, it works once, expires after MEMBER_LOGIN_LINK_HOURS, replaces the member's older unused links, and each
issue is audited). A link printed on paper is never longer-lived than one sent by text message."""

import datetime as dt

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from scheduler_site.access import staff_required
from shifts.rostering.readmodels.month_card import month_cards, month_from_url
from volunteers.models import Member
from volunteers.selectors import community_for, member_for
from volunteers.services.audit import audit_log
from volunteers.services.logins import login_token_issue


def _qr(url: str, title: str) -> str:
    # segno writes the SVG itself; the URL inside is made of url-safe characters only.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, svgclass="qr", title=title))  # noqa: S308


def _render(request, cards, *, community, month, single: bool):
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    with_login = request.method == "POST" and request.POST.get("login") == "1"
    code_page = request.build_absolute_uri(reverse("member_code_login"))
    status, error = 200, ""
    if with_login:
        try:
            with transaction.atomic():  # every member's link, or none
                for card in cards:
                    token, _code = login_token_issue(member=card.member, by=request.user)
                    card.login_link = request.build_absolute_uri(reverse("member_link_login", args=[token]))
        except ValidationError as exc:
            with_login, status = False, 400
            error = " ".join(exc.messages)
            for card in cards:
                card.login_link = ""
        else:
            audit_log(action="shifts.card.printed_with_login", actor=request.user, community=community,
                      data={"month": month.strftime("%Y-%m"), "members": [card.member.pk for card in cards]})
    for card in cards:
        link = getattr(card, "login_link", "") if with_login else ""
        card.qr = _qr(link or code_page, _("QR code of the login link") if link else _("QR code of the login page"))
        card.with_login = bool(link)
    return render(request, "shifts/print/card.html", {
        "cards": cards, "community": community, "month": month, "single": single, "with_login": with_login,
        "error": error, "login_hours": settings.MEMBER_LOGIN_LINK_HOURS,
        "login_until": timezone.now() + dt.timedelta(hours=settings.MEMBER_LOGIN_LINK_HOURS)}, status=status)


@never_cache
@staff_required
def member_card(request, member_id, month):
    member = member_for(request.user, member_id)
    month_start = month_from_url(month)
    return _render(request, month_cards([member], month_start), community=member.community, month=month_start,
                   single=True)


@never_cache
@staff_required
def community_cards(request, community_id, month):
    community = community_for(request.user, community_id)
    month_start = month_from_url(month)
    members = (Member.objects.filter(community=community, active=True, anonymised_at__isnull=True)
               .select_related("community").order_by("name"))
    return _render(request, month_cards(members, month_start), community=community, month=month_start,
                   single=False)

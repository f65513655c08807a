"""Every staff and member page, listed from the URLconf, over a small but lived-in community.

`seeded_site()` builds the data (a published week this week, a draft next week, a member with shifts and a login,
service delivered, a relative, a caregiving window); `html_pages()` walks every named URL pattern, fills its
arguments from that data and keeps the ones that answer 200 with HTML to a secretary, a district administrator or
the member. New pages other helpers add are picked up without editing this list."""

import dataclasses
import datetime as dt
import re

from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shifts.demo_delivered import seed_delivered
from shifts.models import Assignment, Certificate, OutboxMessage, Roster
from shifts.rostering.confirmations import confirmations_request
from shifts.rostering.selectors import shifts_for_week
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_start_of
from tests import factories
from tests.site_week import build_site
from volunteers.models import MemberProxy, VisitTarget
from volunteers.services.proxies import proxy_add

# Not pages: machinery, files, or the Django admin (its own look, outside the issue).
SKIPPED_NAMESPACES = {"admin"}
SKIPPED_NAMES = {"set_language", "javascript-catalog", "feed", "sms_reply_webhook", "sms_status_webhook",
                 "solve_progress", "logout"}


@dataclasses.dataclass
class Seeded:
    community: object
    week_start: dt.date
    secretary: object
    district: object
    member: object
    values: dict


def seeded_site() -> Seeded:
    this_week = week_start_of(timezone.localdate())
    next_week = this_week + dt.timedelta(days=7)
    site = build_site(next_week, members=10)
    shifts_make_for_week(community=site.community, week_start=this_week)
    member = site.members[1]
    factories.member_login(member)
    factories.caregiving(member)
    # Published this week and next (the member's phone shows shifts to act on) and next week's re-plan draft.
    _roster(site.community, this_week, Roster.Status.PUBLISHED, site.members)
    published = _roster(site.community, next_week, Roster.Status.PUBLISHED, site.members)
    draft = _roster(site.community, next_week, Roster.Status.DRAFT, site.members)
    seed_delivered(site.community, today=timezone.localdate(), secretary=site.secretary)
    district = factories.district_admin("district")
    assignment = Assignment.objects.filter(roster=published, member=member).order_by("shift__start").first()
    shift = draft.assignments.order_by("shift__start").first().shift
    certificate = Certificate.objects.filter(community=site.community).first()
    proxy = proxy_add(member=member, by=site.secretary, name="王小明", phone="13912345678",
              relation=MemberProxy.Relation.CHILD, consent_note="本人同意", forward_messages=True)
    values = {"community_id": site.community.pk, "week": next_week.isoformat(), "member_id": member.pk,
              "assignment_id": assignment.pk if assignment else 0, "roster_id": draft.pk, "shift_id": shift.pk,
              "year": next_week.year, "pk": site.community.pk, "fmt": "html",
              "certificate_id": certificate.pk, "proxy_id": proxy.pk, "token": certificate.verify_token,
              # The monthly report (shifts.reports): this month, so far, of the community's district.
              "month": timezone.localdate().strftime("%Y-%m"), "district": site.community.district}
    # The set-up pages' objects: a weekly template, a duty and a visit household of the community.
    template = site.community.templates.order_by("pk").first()
    household = VisitTarget.objects.filter(community=site.community).order_by("pk").first()
    values.update(template_id=template.pk if template else 0, duty_id=template.duty_id if template else 0,
                  target_id=household.pk if household else 0, window_id=member.caregiving.first().pk)
    return Seeded(site.community, next_week, site.secretary, district, member, values)


def _roster(community, week_start, status, members) -> Roster:
    roster = Roster(community=community, week_start=week_start, status=status,
                    version=1 if status == Roster.Status.PUBLISHED else 0)
    roster.full_clean()
    roster.save()
    turn = 0
    for shift in shifts_for_week(community, week_start):
        for _ in range(shift.min_staff):
            Assignment.objects.create(roster=roster, shift=shift, member=members[turn % len(members)])
            turn += 1
    return roster


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name and entry.name not in SKIPPED_NAMES:
            pattern = entry.pattern
            names = list(getattr(pattern, "converters", {}) or pattern.regex.groupindex)
            yield namespace + entry.name, names


def _clients(seeded: Seeded) -> dict[str, Client]:
    clients = {}
    for role, user in (("secretary", seeded.secretary), ("district", seeded.district),
                       ("member", seeded.member.user)):
        client = Client()
        client.force_login(user)
        clients[role] = client
    return clients


def html_pages(seeded: Seeded) -> list[tuple[str, str, str]]:
    """(url name, path, role) for every GET page that renders HTML for one of the three people."""
    clients = _clients(seeded)
    found, seen = [], set()
    for name, arg_names in _walk(get_resolver().url_patterns):
        if any(arg not in seeded.values for arg in arg_names):
            continue
        path = reverse(name, kwargs={arg: seeded.values[arg] for arg in arg_names})
        if path in seen:
            continue
        for role, client in clients.items():
            response = client.get(path, HTTP_HOST="testserver")
            if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
                found.append((name, path, role))
                seen.add(path)
                break
    return found


def session_cookies(seeded: Seeded, role: str, server_url: str, language: str) -> list[dict]:
    """Cookies that log `role` in and pick the language, for a Playwright context."""
    user = {"secretary": seeded.secretary, "district": seeded.district, "member": seeded.member.user}[role]
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server_url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server_url}]


def confirmation_waiting(seeded: Seeded, settings) -> str:
    """Ask the seeded member to confirm next week, as a publish does: a notice and a confirmation card on My shifts,
    and a text message whose no-login link is returned as a path (the week confirmation page)."""
    settings.SMS_PROVIDER = "outbox"
    settings.NOTIFICATION_SENDERS = ["shifts.messaging.sms.SmsSender", "shifts.messaging.notify.EmailSender"]
    seeded.member.phone = "13800000001"
    seeded.member.save(update_fields=["phone"])
    roster = Roster.objects.get(community=seeded.community, week_start=seeded.week_start,
                                status=Roster.Status.PUBLISHED)
    confirmations_request(roster=roster)
    text = OutboxMessage.objects.filter(notification__member=seeded.member,
                                        notification__kind="confirm_request").latest("pk").text
    link = re.search(r"https?://\S+?(/c/\S+/)", text)
    return link.group(1)


def relative_cookies(seeded: Seeded, server_url: str, language: str) -> list[dict]:
    """Cookies that log in the seeded member's relative (王小明, 亲属代办) through their own one-time link."""
    from volunteers.models import MemberProxy
    from volunteers.services.logins import login_token_issue

    proxy = MemberProxy.objects.get(pk=seeded.values["proxy_id"])
    token, _code = login_token_issue(member=seeded.member, by=seeded.secretary, proxy=proxy)
    client = Client()
    assert client.post(reverse("member_link_login", args=[token])).status_code == 302
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": server_url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server_url}]

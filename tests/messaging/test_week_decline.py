"""我来不了 for a whole week (My shifts and the text message's link): the page lists the shifts it cancels and asks
why, nothing is cancelled by one tap, and 我又能来了 puts the member back until a replacement is published."""

import re

import pytest
from django.urls import reverse

from shifts.models import Assignment, OutboxMessage, Roster, ShiftExclusion, SolveRun, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from shifts.rostering.repair import proposal_apply
from tests import factories
from tests.site_week import build_site
from volunteers.models import AuditEntry, Unavailability

pytestmark = pytest.mark.django_db
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def site(week_start, outbox_sms):
    site = build_site(week_start)
    for i, member in enumerate(site.members):
        member.phone = f"1380000000{i}"
        member.save()
    return site


@pytest.fixture
def published(site):
    """王一0 holds two shifts of the week (the Monday and Wednesday patrols); others fill the rest."""
    monday, wednesday, thursday = site.shifts
    m = site.members
    roster = site.roster(Roster.Status.PUBLISHED, [(monday, m[0]), (monday, m[1]), (wednesday, m[0]),
                                                   (wednesday, m[2]), (thursday, m[3])])
    Roster.objects.filter(pk=roster.pk).update(published_at=roster.created_at)
    confirmations_request(roster=roster)
    return roster


def _member_client(client, member):
    client.force_login(factories.member_login(member))
    return client


def _held(roster, member):
    return set(roster.assignments.filter(member=member).values_list("shift_id", flat=True))


def test_one_tap_cancels_nothing_the_page_lists_the_shifts_and_asks_why(site, published, client,
                                                                          django_capture_on_commit_callbacks):
    member = site.members[0]
    confirmation = WeekConfirmation.objects.get(member=member)
    _member_client(client, member)
    card = client.get(reverse("my_shifts"), **ZH).content.decode()
    assert reverse("confirm_decline", args=[confirmation.pk]) in card
    assert 'name="answer" value="no"' not in card  # no longer a one-tap button under 能来，确认
    # An old page's 我来不了 posted here only opens the page.
    tapped = client.post(reverse("confirm_week", args=[confirmation.pk]), {"answer": "no"})
    assert tapped.status_code == 302 and tapped["Location"] == reverse("confirm_decline", args=[confirmation.pk])
    page = client.get(tapped["Location"], **ZH).content.decode()
    assert "这会取消您下面这 2 个班" in page and page.count('class="shift-when"') == 2
    assert "生病" in page or 'value="illness"' in page
    assert WeekConfirmation.objects.get(pk=confirmation.pk).state == "pending"
    assert _held(published, member) == {site.shifts[0].pk, site.shifts[1].pk}
    assert client.post(tapped["Location"], {}, **ZH).status_code == 400  # a reason is asked
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(tapped["Location"], {"reason": "family", "note": "老伴住院"}, **ZH)
    assert done.status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.state == "declined"
    assert set(Unavailability.objects.filter(member=member).values_list("reason", flat=True)) == {"family"}
    assert _held(published, member) == set()
    assert AuditEntry.objects.get(action="shifts.confirmation.declined").data["reason"] == "family"


def test_i_can_come_after_all_restores_the_week_until_a_replacement_is_published(
        site, published, client, django_capture_on_commit_callbacks):
    member = site.members[0]
    confirmation = WeekConfirmation.objects.get(member=member)
    _member_client(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("confirm_decline", args=[confirmation.pk]), {"reason": "illness"})
    assert ShiftExclusion.objects.filter(member=member, cause="absent").count() == 2
    proposal = Roster.objects.get(community=site.community, status=Roster.Status.PROPOSAL)
    page = client.get(reverse("my_shifts"), **ZH).content.decode()
    assert "我又能来了" in page and reverse("confirm_undo", args=[confirmation.pk]) in page

    with django_capture_on_commit_callbacks(execute=True):
        back = client.post(reverse("confirm_undo", args=[confirmation.pk]), **ZH)
    assert back.status_code == 302
    assert "您这周的班已经恢复了" in client.get(back["Location"], **ZH).content.decode()
    confirmation.refresh_from_db()
    assert confirmation.state == "confirmed"
    published.refresh_from_db()
    assert published.status == Roster.Status.PUBLISHED
    assert _held(published, member) == {site.shifts[0].pk, site.shifts[1].pk}
    assert not Unavailability.objects.filter(member=member).exists()
    assert not ShiftExclusion.objects.filter(member=member).exists()
    proposal.refresh_from_db()
    assert proposal.status == Roster.Status.DISCARDED
    assert not Roster.objects.filter(community=site.community, status=Roster.Status.PROPOSAL,
                                     assignments__isnull=False).exclude(assignments__member=member).exists()
    entry = AuditEntry.objects.get(action="shifts.confirmation.decline_undone")
    assert sorted(entry.data["shifts"]) == sorted([site.shifts[0].pk, site.shifts[1].pk])
    assert entry.data["proposals_discarded"] == [proposal.pk]
    assert AuditEntry.objects.filter(action="volunteers.absence.withdrawn").count() == 2
    # plans_follow ran: the week was re-planned from the facts with the member back
    assert SolveRun.objects.filter(cause__reason="back").exists()
    assert "我又能来了" not in client.get(reverse("my_shifts"), **ZH).content.decode()


def test_after_a_replacement_is_published_the_undo_is_not_offered(site, published, client,
                                                                  django_capture_on_commit_callbacks):
    member = site.members[0]
    confirmation = WeekConfirmation.objects.get(member=member)
    _member_client(client, member)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("confirm_decline", args=[confirmation.pk]), {"reason": "illness"})
    proposal = Roster.objects.get(community=site.community, status=Roster.Status.PROPOSAL)
    with django_capture_on_commit_callbacks(execute=True):
        proposal_apply(roster=proposal, by=site.secretary)
    page = client.get(reverse("my_shifts"), **ZH).content.decode()
    assert "您这周的班已经安排给别人了" in page
    assert reverse("confirm_undo", args=[confirmation.pk]) not in page
    refused = client.post(reverse("confirm_undo", args=[confirmation.pk]), **ZH)
    assert "请给书记打电话" in client.get(refused["Location"], **ZH).content.decode()
    current = Roster.objects.get(community=site.community, status=Roster.Status.PUBLISHED)
    assert _held(current, member) == set()
    assert WeekConfirmation.objects.get(pk=confirmation.pk).state == "declined"


def test_the_text_message_link_asks_why_and_offers_the_undo(site, published, client,
                                                            django_capture_on_commit_callbacks):
    member = site.members[0]
    text = OutboxMessage.objects.filter(notification__member=member,
                                        notification__kind="confirm_request").latest("pk").text
    link = re.search(r"http://\S+/c/\S+/", text).group(0)
    path = link[link.index("/c/"):]
    page = client.get(path, **ZH).content.decode()
    assert f'href="{path}no/"' in page and 'value="no"' not in page
    assert client.post(path, {"answer": "no"}).status_code == 302  # cancels nothing
    assert WeekConfirmation.objects.get(member=member).state == "pending"
    decline = client.get(path + "no/", **ZH).content.decode()
    assert "这会取消您下面这 2 个班" in decline
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(path + "no/", {"reason": "hospital"}, **ZH)
    body = done.content.decode()
    assert done.status_code == 200 and "我又能来了" in body and f'action="{path}undo/"' in body
    assert _held(published, member) == set()
    with django_capture_on_commit_callbacks(execute=True):
        undone = client.post(path + "undo/", **ZH)
    assert undone.status_code == 200 and "您这周的班已经恢复了" in undone.content.decode()
    assert _held(published, member) == {site.shifts[0].pk, site.shifts[1].pk}
    assert AuditEntry.objects.get(action="shifts.confirmation.decline_undone").data["via"] == "link"
    # the link is spent: another undo or answer does nothing more
    assert client.post(path + "undo/").status_code == 409
    assert Assignment.objects.filter(roster=published, member=member).count() == 2

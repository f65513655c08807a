"""Traps in daily use, through the real publish, swap and page code: one message per member per publish (the
confirmation request says what changed), a teammate told their partner changed, the first publish's notice
opening the member's week, stale 等您处理 items leaving, and the dashboard's urgent list first."""

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.models import MemberNotice, NoShowCheck, Notification, Roster, WeekConfirmation, WelfareLadder
from shifts.rostering.rosters import roster_publish
from shifts.swaps.requests import swap_request_accept, swap_request_create
from tests import factories
from tests.site_week import build_site

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a service and then what it left for after the commit (the queue runs tasks at once: q_sync)."""
    def call(fn, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(**kwargs)
    return call


@pytest.fixture
def site(week_start, outbox_sms):
    site = build_site(week_start)
    for i, member in enumerate(site.members):
        member.phone = f"1380000000{i}"
        member.save()
    return site


def _keys(member) -> set[str]:
    return set(Notification.objects.filter(member=member).values_list("dedupe_key", flat=True))


def _publish(site, run_on_commit, pairs):
    draft = site.roster(Roster.Status.DRAFT, pairs)
    return run_on_commit(roster_publish, roster=draft, by=site.secretary)


@pytest.fixture
def first(site, run_on_commit):
    """Version 1: Monday's patrol 王一0 and 王二1; Wednesday's 王一0 and 王三2."""
    m = site.members
    return _publish(site, run_on_commit, [(site.shifts[0], m[0]), (site.shifts[0], m[1]),
                                          (site.shifts[1], m[0]), (site.shifts[1], m[2])])


def test_the_first_publish_is_one_message_whose_notice_opens_the_week(site, first, client):
    member = site.members[0]
    keys = _keys(member)
    assert len(keys) == 1 and keys.pop().startswith("confirm:")  # not a "changed" text in the same second
    body = Notification.objects.filter(member=member).first().body
    assert "排班已发布" in body and "社区服务中心门口" in body
    notice = MemberNotice.objects.get(member=member)
    assert "排班已发布" in notice.text and "有变动" not in notice.text
    assert notice.url.endswith(f"#week-{site.week}")
    client.force_login(factories.member_login(member))
    opened = client.get(reverse("notice_open", args=[notice.pk]))
    page = client.get(opened.url.split("#")[0]).content.decode()
    assert f'id="week-{site.week}"' in page and page.count("shift-item") >= 2  # both of her shifts


def test_a_replaced_member_gets_one_message_and_the_teammate_is_told(site, first, run_on_commit):
    m = site.members
    before = {p.pk: _keys(p) for p in m}
    # 王一0 is replaced on Monday by 王四3; 王二1 stays on Monday; Wednesday is unchanged.
    second = _publish(site, run_on_commit, [(site.shifts[0], m[3]), (site.shifts[0], m[1]),
                                            (site.shifts[1], m[0]), (site.shifts[1], m[2])])
    new = {p.pk: _keys(p) - before[p.pk] for p in m}
    assert len(new[m[0].pk]) == 1 and new[m[0].pk].pop().startswith("confirm:")  # one text, not two
    replaced = Notification.objects.filter(member=m[0], kind="confirm_request").latest("pk").body
    # what changed, in the plain sentence the proposal page previews (shifts.rostering.affected)
    assert "值班有变动" in replaced and "不用再去：巡逻" in replaced and "东门" in replaced
    assert len(new[m[3].pk]) == 1
    assert new[m[1].pk] == {f"roster:{second.pk}:m{m[1].pk}"}  # the teammate hears it, once per version
    told = Notification.objects.get(member=m[1], kind="partner_changed").body
    assert m[3].name in told and m[0].name not in told
    assert new[m[2].pk] == set()  # nothing changed for 王三2


def test_stale_waiting_items_leave_my_shifts(site, first, run_on_commit, client):
    m = site.members
    wednesday = first.assignments.get(member=m[0], shift=site.shifts[1])
    swap = run_on_commit(swap_request_create, requester=m[0], kind="cover", assignment=wednesday,
                         invited=[m[4], m[5]])
    offer = MemberNotice.objects.get(member=m[4], kind=MemberNotice.Kind.SWAP_REQUEST)
    client.force_login(factories.member_login(m[4]))
    assert offer.text in client.get(reverse("my_shifts")).content.decode()
    run_on_commit(swap_request_accept, swap=swap, member=m[5])
    assert offer.text not in client.get(reverse("my_shifts")).content.decode()  # 王六5 took it

    # 王三2 was asked to confirm Wednesday; a new version takes Wednesday from her: nothing left to confirm.
    confirmation = WeekConfirmation.objects.get(member=m[2])
    _publish(site, run_on_commit, [(site.shifts[0], m[0]), (site.shifts[0], m[1]),
                                   (site.shifts[1], m[5]), (site.shifts[1], m[3])])
    assert WeekConfirmation.objects.get(pk=confirmation.pk).state == WeekConfirmation.State.PENDING
    client.force_login(factories.member_login(m[2]))
    page = client.get(reverse("my_shifts")).content.decode()
    assert reverse("confirm_week", args=[confirmation.pk]) not in page
    assert MemberNotice.objects.get(member=m[2], kind=MemberNotice.Kind.CONFIRM).text not in page
    assert "有变动" in page  # what did change (Wednesday taken from her) is still told


def _whole_week_overdue(site) -> int:
    """Reminder hours that make every confirmation of the site's week overdue: the week is the first coming one
    without a 25th or a holiday, which may be three weeks away (seen on 2026-12-17)."""
    return 24 * ((site.week_start - timezone.localdate()).days + 8)


def test_the_dashboard_lists_the_calls_to_make_before_the_unconfirmed(site, first, client, settings):
    settings.CONFIRM_REMINDER_HOURS = _whole_week_overdue(site)
    check = NoShowCheck.objects.create(shift=site.shifts[0], member=site.members[1])
    WelfareLadder.objects.create(shift=check.shift, member=check.member, no_show=check, trigger="no_show",
                                 due_at=timezone.now())
    assert WeekConfirmation.objects.filter(state=WeekConfirmation.State.PENDING).count() == 3
    client.force_login(site.secretary)
    page = client.get(reverse("dashboard")).content.decode()
    assert 'id="needs-contact"' in page and 'id="unconfirmed"' in page
    assert page.index('id="needs-contact"') < page.index('id="unconfirmed"')
    assert "{#" not in page


def test_a_week_with_no_shifts_left_is_not_on_the_secretarys_unconfirmed_list(site, first, run_on_commit, client,
                                                                               settings):
    settings.CONFIRM_REMINDER_HOURS = _whole_week_overdue(site)
    _publish(site, run_on_commit, [(site.shifts[0], site.members[0]), (site.shifts[0], site.members[1])])
    client.force_login(site.secretary)
    page = client.get(reverse("dashboard")).content.decode()
    section = page[page.index('id="unconfirmed"'):]
    assert site.members[2].name not in section and site.members[1].name in section

"""An elder taps twice, a link is opened on two phones, a provider retries: every answer to "will you come this
week?" is one row lock, the state read again under it, and idempotent.

Runs on PostgreSQL only (SQLite serialises every writer, so it cannot show the race): each thread has its own
database connection and its own transaction, and the requests go through the real views."""

import os

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shifts.models import Assignment, Roster, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from tests import factories
from tests.races import at_once
from tests.site_week import build_site
from volunteers.models import Unavailability

from .test_confirmations import _link, _path

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

PRESSES = 20


@pytest.fixture
def week(week_start, outbox_sms, settings):
    """A published week in which one member holds two shifts, and the confirmation request sent to her."""
    settings.SMS_CALLBACK_SECRET = "callback-secret"
    site = build_site(week_start)
    member = site.members[0]
    member.phone = "13800000000"
    member.save()
    pairs = [(site.shifts[0], member), (site.shifts[1], member), (site.shifts[0], site.members[1]),
             (site.shifts[1], site.members[2]), (site.shifts[2], site.members[3])]
    roster = site.roster(Roster.Status.PUBLISHED, pairs)
    confirmations_request(roster=roster)
    site.member = member
    site.shift_ids = {site.shifts[0].pk, site.shifts[1].pk}
    return site




def _held(week) -> set[int]:
    return set(Assignment.objects.filter(member=week.member, roster__status=Roster.Status.PUBLISHED,
                                         shift__start__gt=timezone.now()).values_list("shift_id", flat=True))


def _absences_per_shift(week) -> list[int]:
    return [Unavailability.objects.filter(member=week.member, start__lte=shift.start, end__gte=shift.end).count()
            for shift in week.shifts[:2]]


def _assert_consistent(week):
    """Confirmed: she holds the week and no absence was written. Declined: she is off every shift of it, with one
    absence per shift."""
    confirmation = WeekConfirmation.objects.get(member=week.member)
    if confirmation.state == WeekConfirmation.State.CONFIRMED:
        assert _held(week) == week.shift_ids and _absences_per_shift(week) == [0, 0]
    else:
        assert confirmation.state == WeekConfirmation.State.DECLINED
        assert _held(week) == set() and _absences_per_shift(week) == [1, 1]
    return confirmation.state


def test_concurrent_presses_of_one_link_have_a_single_winner(week):
    assert connection.vendor == "postgresql"
    path = _path(_link(week.member))

    def press():
        return Client(raise_request_exception=False).post(path + "no/", {"reason": "illness"}).status_code

    codes = at_once([press] * PRESSES)
    assert sorted(codes) == [200] + [404] * (PRESSES - 1), codes
    assert _assert_consistent(week) == WeekConfirmation.State.DECLINED


def test_concurrent_in_app_declines_write_one_absence_per_shift_and_never_500(week):
    login = factories.member_login(week.member)
    confirmation = WeekConfirmation.objects.get(member=week.member)
    url = reverse("confirm_decline", args=[confirmation.pk])

    def decline():
        client = Client(raise_request_exception=False)
        client.force_login(login)
        return client.post(url, {"reason": "illness"}).status_code

    codes = at_once([decline] * PRESSES)
    assert codes == [302] * PRESSES, codes
    assert _assert_consistent(week) == WeekConfirmation.State.DECLINED


def test_concurrent_mixed_answers_leave_a_consistent_week(week):
    """Yes and no at once, by app and by link: whichever wins, the state matches what the member holds."""
    login = factories.member_login(week.member)
    confirmation = WeekConfirmation.objects.get(member=week.member)
    path = _path(_link(week.member))

    def in_app(answer):
        def call():
            client = Client(raise_request_exception=False)
            client.force_login(login)
            if answer == "no":  # 我来不了 is its own page, with a reason
                return client.post(reverse("confirm_decline", args=[confirmation.pk]),
                                   {"reason": "illness"}).status_code
            return client.post(reverse("confirm_week", args=[confirmation.pk]), {"answer": answer}).status_code
        return call

    def by_link(answer):
        if answer == "no":
            return lambda: Client(raise_request_exception=False).post(path + "no/", {"reason": "illness"}).status_code
        return lambda: Client(raise_request_exception=False).post(path, {"answer": answer}).status_code

    calls = [in_app("yes"), in_app("no"), by_link("yes"), by_link("no")] * (PRESSES // 4)
    codes = at_once(calls)
    assert all(isinstance(code, int) and code < 500 for code in codes), codes
    _assert_consistent(week)



def test_concurrent_replays_of_one_signed_reply_are_taken_once(week):
    """A provider retrying, or someone replaying a captured "2", twenty times at once: one answer."""
    from .test_confirmations import _reply, _signed

    body, headers = _signed(_reply(week.member, "2", "up-race"))

    def deliver():
        response = Client(raise_request_exception=False).post(reverse("sms_reply_webhook"), body,
                                                              content_type="application/json", **headers)
        return response.json()["handled"] if response.status_code == 200 else response.status_code

    handled = at_once([deliver] * PRESSES)
    assert sorted(handled) == [0] * (PRESSES - 1) + [1], handled
    assert _assert_consistent(week) == WeekConfirmation.State.DECLINED

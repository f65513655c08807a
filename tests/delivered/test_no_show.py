"""The no-show check: who is flagged and when, the messages, each outcome, the re-plan after "ill" and the
escalation to the welfare contact."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from shifts.delivered.attendance import attendance_check_in
from shifts.delivered.no_show import no_show_checks_run, no_show_outcome
from shifts.models import NoShowCheck, Roster
from shifts.rostering.rosters import roster_generate, roster_publish
from tests import factories as f
from volunteers.models import Unavailability

from .conftest import WEEK, aware

pytestmark = pytest.mark.django_db


def _run(now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return no_show_checks_run(now=now)


def test_flagged_twenty_minutes_after_the_start_unless_checked_in_or_absent(team, django_capture_on_commit_callbacks):
    shift = team["shift"]
    attendance_check_in(member=team["mate"], shift=shift, now=aware(WEEK, 9, 1))
    Unavailability.objects.create(member=team["third"], start=aware(WEEK, 0), end=aware(WEEK, 23),
                                  reason=Unavailability.Reason.FAMILY)
    assert _run(aware(WEEK, 9, 15), django_capture_on_commit_callbacks) == 0  # too early
    assert _run(aware(WEEK, 9, 20), django_capture_on_commit_callbacks) == 1
    check = NoShowCheck.objects.get()
    assert check.member == team["leader"] and check.outcome == ""
    assert _run(aware(WEEK, 9, 25), django_capture_on_commit_callbacks) == 0  # idempotent


def test_the_delay_is_a_setting(team, settings, django_capture_on_commit_callbacks):
    settings.NO_SHOW_AFTER_MINUTES = 45
    assert _run(aware(WEEK, 9, 30), django_capture_on_commit_callbacks) == 0
    assert _run(aware(WEEK, 9, 45), django_capture_on_commit_callbacks) == 3


def test_team_leader_and_secretary_get_a_message_with_the_phone(team, django_capture_on_commit_callbacks):
    attendance_check_in(member=team["leader"], shift=team["shift"], now=aware(WEEK, 9))
    attendance_check_in(member=team["third"], shift=team["shift"], now=aware(WEEK, 9))
    mail.outbox.clear()
    _run(aware(WEEK, 9, 20), django_capture_on_commit_callbacks)
    to = {m.to[0]: m for m in mail.outbox}
    assert set(to) == {"lead@example.org", "sec@example.org"}
    assert "李秀英" in to["sec@example.org"].subject and "13900000002" in to["sec@example.org"].body
    assert "13900000002" in to["lead@example.org"].body


def test_a_leader_missing_too_is_not_asked_to_look_for_a_teammate(team, django_capture_on_commit_callbacks):
    """Both the leader and 李秀英 are missing: the leader's "your teammate is missing" text would reach someone
    who is not there; only the secretary is told (once per missing member)."""
    attendance_check_in(member=team["third"], shift=team["shift"], now=aware(WEEK, 9))
    mail.outbox.clear()
    assert _run(aware(WEEK, 9, 20), django_capture_on_commit_callbacks) == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["sec@example.org", "sec@example.org"]


@pytest.mark.parametrize("outcome", ["reached", "forgot"])
def test_reached_and_forgot_are_recorded_and_leave_the_list(team, outcome, django_capture_on_commit_callbacks):
    from shifts.delivered.selectors import needs_contact

    check = NoShowCheck.objects.create(shift=team["shift"], member=team["mate"])
    no_show_outcome(check=check, outcome=outcome, by=team["secretary"])
    check.refresh_from_db()
    assert check.outcome == outcome and check.outcome_by == team["secretary"]
    assert not Unavailability.objects.exists()
    assert check not in needs_contact([team["community"]])


def test_an_outcome_is_validated_and_recorded_once(team):
    from django.core.exceptions import ValidationError

    check = NoShowCheck.objects.create(shift=team["shift"], member=team["mate"])
    with pytest.raises(ValidationError):
        no_show_outcome(check=check, outcome="gone fishing")
    no_show_outcome(check=check, outcome="reached")
    with pytest.raises(ValidationError):
        no_show_outcome(check=check, outcome="ill")


@pytest.mark.parametrize("age, alone, escalated", [(70, False, False), (70, True, True), (81, False, True)])
def test_no_answer_escalates_for_members_alone_or_over_80(team, age, alone, escalated,
                                                          django_capture_on_commit_callbacks):
    welfare = f.user("welfare", email="welfare@example.org")
    team["community"].welfare_contact = welfare
    team["community"].save()
    member = f.member(team["community"], age=age, lives_alone=alone, phone="13900000077")
    check = NoShowCheck.objects.create(shift=team["shift"], member=member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        no_show_outcome(check=check, outcome="no_answer", by=team["secretary"])
    check.refresh_from_db()
    assert (check.escalated_at is not None) == escalated
    told = [m for m in mail.outbox if m.to == ["welfare@example.org"]]
    assert len(told) == (1 if escalated else 0)
    if escalated:
        assert "13900000077" in told[0].body and told[0].extra_headers.get("X-Priority") == "1"


def test_no_answer_without_a_welfare_contact_goes_to_the_secretaries(team, django_capture_on_commit_callbacks):
    member = f.member(team["community"], age=85)
    check = NoShowCheck.objects.create(shift=team["shift"], member=member)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        no_show_outcome(check=check, outcome="no_answer")
    assert [m.to for m in mail.outbox] == [["sec@example.org"]]


@pytest.fixture
def published(town, q_sync, run_on_commit):  # noqa: F811
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    return run_on_commit(roster_publish, roster=run.result, by=None)


def test_ill_records_an_absence_and_re_plans_the_remaining_shifts(town, published, run_on_commit):  # noqa: F811
    counts = {}
    for member_id in published.assignments.values_list("member_id", flat=True):
        counts[member_id] = counts.get(member_id, 0) + 1
    ill_id = max(counts, key=counts.get)
    mine = list(published.assignments.filter(member_id=ill_id).select_related("shift").order_by("shift__start"))
    check = NoShowCheck.objects.create(shift=mine[0].shift, member_id=ill_id)
    run_on_commit(no_show_outcome, check=check, outcome="ill", by=town["secretary"])
    absence = Unavailability.objects.get(member_id=ill_id)
    assert absence.reason == Unavailability.Reason.ILLNESS and absence.start == mine[0].shift.start
    assert absence.end - absence.start == dt.timedelta(days=7)
    # She is off the published shifts at once, and the re-plan looks for cover without her.
    assert not published.assignments.filter(member_id=ill_id).exists()
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL, community=town["community"])
    assert not proposal.assignments.filter(member_id=ill_id).exists()
    assert {d["shift"] for d in proposal.diff["added"]} <= {a.shift_id for a in mine}


def test_dashboard_lists_the_member_with_their_phone_and_records_the_outcome(client, team):
    check = NoShowCheck.objects.create(shift=team["shift"], member=team["mate"])
    client.force_login(team["secretary"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "李秀英" in page and 'href="tel:+8613900000002"' in page and "139 0000 0002" in page
    response = client.post(reverse("no_show_outcome", args=[check.pk]), {"outcome": "forgot"})
    assert response.status_code == 302
    check.refresh_from_db()
    assert check.outcome == "forgot"
    assert f'id="no-show-{check.pk}"' not in client.get(reverse("dashboard")).content.decode()
    client.force_login(f.secretary(f.community()))
    assert client.post(reverse("no_show_outcome", args=[check.pk]), {"outcome": "ill"}).status_code == 404


def test_secretary_marks_a_member_as_living_alone_with_a_volunteer_number(client, team):
    client.force_login(team["secretary"])
    member = team["mate"]
    page = client.get(reverse("member_edit", args=[member.pk])).content.decode()
    assert 'name="lives_alone"' in page and 'name="volunteer_number"' in page
    response = client.post(reverse("member_edit", args=[member.pk]), {
        "active": "on", "health": "good", "lives_alone": "on", "volunteer_number": " 31011520260002 "})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.lives_alone and member.volunteer_number == "31011520260002"


def test_the_check_runs_every_five_minutes_on_the_queue():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="yure.no_show_checks")
    assert (schedule.func, schedule.minutes) == ("shifts.tasks.no_show_checks_run", 5)

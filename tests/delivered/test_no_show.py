"""The no-show check: who is flagged and when, the leader's message, and what the welfare ladder that follows does
with each outcome: the re-plan after "ill", the escalation to the welfare contact when nobody answers. (The ladder's
own steps: test_welfare_ladder.py.)"""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_check_in
from shifts.delivered.no_show import no_show_checks_run
from shifts.delivered.welfare_ladder import welfare_answer
from shifts.delivered.welfare_run import welfare_ladders_run
from shifts.models import NoShowCheck, Notification, Roster, WelfareLadder
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


def test_the_team_leader_gets_a_message_with_the_phone_and_the_secretary_is_the_ladder_s_last_step(
        team, django_capture_on_commit_callbacks):
    """The secretary is no longer texted at once (the dashboard lists the member at once, and the welfare ladder's
    last step calls the secretaries); a team leader who is there is still asked to look round."""
    attendance_check_in(member=team["leader"], shift=team["shift"], now=aware(WEEK, 9))
    attendance_check_in(member=team["third"], shift=team["shift"], now=aware(WEEK, 9))
    mail.outbox.clear()
    _run(aware(WEEK, 9, 20), django_capture_on_commit_callbacks)
    assert [m.to[0] for m in mail.outbox] == ["lead@example.org"]
    assert "13900000002" in mail.outbox[0].body
    for minute in (20, 35, 50, 80):
        with django_capture_on_commit_callbacks(execute=True):
            welfare_ladders_run(now=aware(WEEK, 9) + dt.timedelta(minutes=minute))
    to_secretary = [m for m in mail.outbox if m.to == ["sec@example.org"]]
    assert len(to_secretary) == 2 and "李秀英" in to_secretary[0].subject  # steps 2 (no relative) and 3


def test_a_leader_missing_too_is_not_asked_to_look_for_a_teammate(team, django_capture_on_commit_callbacks):
    """Both the leader and 李秀英 are missing: the leader's "your teammate is missing" text would reach someone
    who is not there."""
    attendance_check_in(member=team["third"], shift=team["shift"], now=aware(WEEK, 9))
    mail.outbox.clear()
    assert _run(aware(WEEK, 9, 20), django_capture_on_commit_callbacks) == 2
    assert mail.outbox == []


def _ladder(team, member):
    check = NoShowCheck.objects.create(shift=team["shift"], member=member)
    return WelfareLadder.objects.create(shift=team["shift"], member=member, trigger="no_show", no_show=check,
                                        due_at=aware(WEEK, 9, 20), next_at=aware(WEEK, 9, 35))


@pytest.mark.parametrize("outcome, recorded", [("on_way", "reached"), ("safe_home", "safe_home")])
def test_well_and_safe_at_home_are_recorded_and_leave_the_list(team, outcome, recorded):
    from shifts.delivered.selectors import welfare_ladders_open

    ladder = _ladder(team, team["mate"])
    welfare_answer(ladder=ladder, outcome=outcome, via="dashboard", by=team["secretary"])
    check = NoShowCheck.objects.get()
    assert check.outcome == recorded and check.outcome_by == team["secretary"]
    assert not Unavailability.objects.exists()
    assert ladder not in welfare_ladders_open([team["community"]])


def test_an_outcome_is_validated_and_recorded_once(team):
    from django.core.exceptions import ValidationError

    ladder = _ladder(team, team["mate"])
    with pytest.raises(ValidationError):
        welfare_answer(ladder=ladder, outcome="gone fishing", via="dashboard")
    assert welfare_answer(ladder=ladder, outcome="on_way", via="dashboard")[1]
    assert not welfare_answer(ladder=ladder, outcome="ill", via="dashboard")[1]
    assert NoShowCheck.objects.get().outcome == "reached" and not Unavailability.objects.exists()


def _unanswered(team, member, django_capture_on_commit_callbacks):
    """Run the ladder for `member`, a no-show, until nobody has answered its last step."""
    _ladder(team, member)
    for minute in (35, 50, 80, 110):
        with django_capture_on_commit_callbacks(execute=True):
            welfare_ladders_run(now=aware(WEEK, 9) + dt.timedelta(minutes=minute))
    return WelfareLadder.objects.get(member=member)


@pytest.mark.parametrize("age, alone, escalated", [(70, False, False), (70, True, True), (81, False, True)])
def test_no_answer_escalates_for_members_alone_or_over_80(team, age, alone, escalated,
                                                          django_capture_on_commit_callbacks):
    """Unreachable after the ladder's last step: the welfare contact is told to look in (urgent, with the phone)
    for a member living alone or over 80, as before the ladder; it also took the ladder's second call."""
    welfare = f.user("welfare", email="welfare@example.org")
    team["community"].welfare_contact = welfare
    team["community"].save()
    member = f.member(team["community"], age=age, lives_alone=alone, phone="13900000077")
    mail.outbox.clear()
    ladder = _unanswered(team, member, django_capture_on_commit_callbacks)
    assert ladder.outcome == "unreachable" and NoShowCheck.objects.get(member=member).outcome == "no_answer"
    told = [m for m in mail.outbox if m.to == ["welfare@example.org"] and "13900000077" in m.body]
    assert len(told) == (1 if escalated else 0)
    if escalated:
        assert told[0].extra_headers.get("X-Priority") == "1"


def test_no_answer_without_a_welfare_contact_goes_to_the_secretaries(team, django_capture_on_commit_callbacks):
    member = f.member(team["community"], age=85)
    _unanswered(team, member, django_capture_on_commit_callbacks)
    urgent = Notification.objects.filter(kind="no_show_welfare")
    assert [(n.user, n.urgent) for n in urgent] == [(team["secretary"], True)]


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
    ladder = WelfareLadder.objects.create(shift=mine[0].shift, member_id=ill_id, trigger="no_show", no_show=check,
                                          due_at=mine[0].shift.start)
    run_on_commit(welfare_answer, ladder=ladder, outcome="ill", via="dashboard", by=town["secretary"])
    assert NoShowCheck.objects.get().outcome == "ill"
    absence = Unavailability.objects.get(member_id=ill_id)
    assert absence.reason == Unavailability.Reason.ILLNESS and absence.start == mine[0].shift.start
    assert absence.end - absence.start == dt.timedelta(days=7)
    # She is off the published shifts at once, and the re-plan looks for cover without her.
    assert not published.assignments.filter(member_id=ill_id).exists()
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL, community=town["community"])
    assert not proposal.assignments.filter(member_id=ill_id).exists()
    assert {d["shift"] for d in proposal.diff["added"]} <= {a.shift_id for a in mine}


def test_dashboard_lists_the_member_with_their_phone_once_and_records_the_outcome(client, team):
    ladder = _ladder(team, team["mate"])
    WelfareLadder.objects.update(due_at=timezone.now())  # the dashboard shows the last three days' ladders
    client.force_login(team["secretary"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "李秀英" in page and 'href="tel:+8613900000002"' in page and "139 0000 0002" in page
    assert page.count('href="tel:+8613900000002"') == 1  # one list: the ladder, not a second no-show list
    response = client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "safe_home"})
    assert response.status_code == 302
    assert NoShowCheck.objects.get().outcome == "safe_home"
    assert f'id="ladder-{ladder.pk}"' not in client.get(reverse("dashboard")).content.decode()
    client.force_login(f.secretary(f.community()))
    assert client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "ill"}).status_code == 404


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


def test_the_check_runs_every_minute_on_the_queue_as_the_welfare_ladder_s_check():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="yure.welfare_ladder")
    assert (schedule.func, schedule.minutes) == ("shifts.tasks.welfare_ladders_run", 1)

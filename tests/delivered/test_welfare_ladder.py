"""The welfare ladder: a no-show or a patrol member not back is called step by step (member, relative or welfare
contact, secretaries), each step only when the one before went unanswered, until the first answer: a key press,
the secretary's button, or the member checking in or out. Time is passed as `now` on a fixed past week."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_check_in, attendance_check_out
from shifts.delivered.welfare_ladder import welfare_answer, welfare_ladder_hurry
from shifts.delivered.welfare_run import welfare_ladders_run
from shifts.models import NoShowCheck, Notification, WelfareLadder
from shifts.signals import call_answered
from tests import factories as f
from volunteers.models import AuditEntry, MemberProxy, Unavailability

from .conftest import WEEK, aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def at(hour, minute=0):
        with django_capture_on_commit_callbacks(execute=True):
            return welfare_ladders_run(now=aware(WEEK, hour, minute))
    return at


@pytest.fixture
def missing(team):
    """The leader and 张志强 checked in at 09:00; 李秀英 did not come."""
    for member in (team["leader"], team["third"]):
        attendance_check_in(member=member, shift=team["shift"], now=aware(WEEK, 9))
    return team


def calls() -> list[tuple[str, str]]:
    """(recipient, dedupe step) of every welfare call so far, in order."""
    out = []
    for n in Notification.objects.filter(kind="welfare_call").select_related("member", "proxy", "user").order_by("pk"):
        who = n.member.name if n.member else n.proxy.name if n.proxy else n.user.get_username()
        out.append((who, n.dedupe_key.split(":")[2]))
    return out


def test_each_step_only_when_the_one_before_is_unanswered(missing, run):
    assert run(9, 19)["started"] == 0  # NO_SHOW_AFTER_MINUTES (20) not yet passed
    result = run(9, 20)
    assert (result["no_shows"], result["started"], result["calls"]) == (1, 1, 0)
    ladder = WelfareLadder.objects.get()
    assert (ladder.member, ladder.trigger, ladder.step, ladder.no_show.member) == (
        missing["mate"], "no_show", 0, missing["mate"])
    assert run(9, 34)["calls"] == 0 and calls() == []
    assert run(9, 35)["calls"] == 1
    assert calls() == [("李秀英", "s1")]
    assert run(9, 36)["calls"] == 0 and run(9, 49)["calls"] == 0  # idempotent until the next step is due
    assert run(9, 50)["calls"] == 1  # no relative, no welfare contact: the secretaries
    assert calls()[1:] == [("sec", "s2")]
    assert run(10, 20)["calls"] == 1 and calls()[2:] == [("sec", "s3")]
    assert run(10, 49)["unreachable"] == 0
    assert run(10, 50)["unreachable"] == 1
    ladder.refresh_from_db()
    assert (ladder.outcome, ladder.outcome_via, ladder.next_at) == ("unreachable", "timeout", None)
    assert ladder.no_show.outcome == NoShowCheck.Outcome.NO_ANSWER
    assert [c["whom"] for c in ladder.calls] == ["member", "secretary", "secretary"]
    assert run(10, 55) == {"no_shows": 0, "started": 0, "calls": 0, "unreachable": 0}
    assert AuditEntry.objects.filter(action="shifts.welfare.unreachable").count() == 1


def test_steps_are_a_setting(missing, run, settings):
    settings.WELFARE_LADDER_STEPS = ((0, "secretary"),)
    settings.WELFARE_UNREACHABLE_MINUTES = 10
    assert run(9, 20)["calls"] == 1 and calls() == [("sec", "s1")]  # +0: at once
    assert run(9, 29)["unreachable"] == 0 and run(9, 30)["unreachable"] == 1


@pytest.mark.parametrize("answered_after", [0, 1, 2, 3])
def test_an_answer_at_any_step_stops_the_ladder(missing, run, answered_after):
    times = [(9, 20), (9, 35), (9, 50), (10, 20)]
    for hour, minute in times[:answered_after + 1]:
        run(hour, minute)
    assert len(calls()) == answered_after
    ladder = WelfareLadder.objects.get()
    ladder, recorded = welfare_answer(ladder=ladder, outcome="safe_home", via="dashboard", by=missing["secretary"],
                                      answered_by="sec")
    assert recorded and ladder.outcome == "safe_home" and ladder.next_at is None
    for hour, minute in [(9, 50), (10, 20), (10, 50), (11, 30)]:
        run(hour, minute)
    assert len(calls()) == answered_after
    ladder.refresh_from_db()
    assert ladder.outcome == "safe_home" and ladder.no_show.outcome == NoShowCheck.Outcome.SAFE_HOME
    assert not Unavailability.objects.exists()


def test_an_answer_after_unreachable_replaces_it_and_a_second_answer_changes_nothing(missing, run):
    for hour, minute in [(9, 20), (9, 35), (9, 50), (10, 20), (10, 50)]:
        run(hour, minute)
    ladder = WelfareLadder.objects.get()
    assert ladder.outcome == "unreachable"
    ladder, recorded = welfare_answer(ladder=ladder, outcome="on_way", via="dashboard")
    assert recorded and ladder.outcome == "on_way"
    ladder, recorded = welfare_answer(ladder=ladder, outcome="ill", via="key")
    assert not recorded and ladder.outcome == "on_way"
    assert not Unavailability.objects.exists()
    assert AuditEntry.objects.filter(action__startswith="shifts.welfare.").count() == 2  # unreachable, on_way


def test_checking_in_answers_on_the_way(missing, run):
    run(9, 20)
    run(9, 35)
    attendance_check_in(member=missing["mate"], shift=missing["shift"], now=aware(WEEK, 9, 40))
    ladder = WelfareLadder.objects.get()
    assert (ladder.outcome, ladder.outcome_via, ladder.answered_by) == ("on_way", "attendance", "李秀英")
    assert ladder.no_show.outcome == NoShowCheck.Outcome.REACHED
    run(9, 50)
    run(10, 20)
    assert calls() == [("李秀英", "s1")]


def test_overdue_patrol_starts_a_ladder_and_checking_out_answers_it(team, run, django_capture_on_commit_callbacks):
    shift = team["shift"]  # 09:00–11:00, a patrol
    for member in (team["leader"], team["mate"], team["third"]):
        attendance_check_in(member=member, shift=shift, now=aware(WEEK, 9))
    for member in (team["leader"], team["third"]):
        attendance_check_out(member=member, shift=shift, now=aware(WEEK, 11))
    assert run(11, 29)["started"] == 0  # PATROL_OVERDUE_MINUTES (30) not yet passed
    assert run(11, 30)["started"] == 1 and run(11, 31)["started"] == 0
    ladder = WelfareLadder.objects.get()
    assert (ladder.member, ladder.trigger, ladder.due_at) == (team["mate"], "overdue", aware(WEEK, 11, 30))
    run(11, 45)
    call = Notification.objects.get(kind="welfare_call")
    assert call.member == team["mate"] and "还没有签退" in call.body and "请按1" in call.body  # her language
    attendance_check_out(member=team["mate"], shift=shift, now=aware(WEEK, 11, 50))
    ladder.refresh_from_db()
    assert (ladder.outcome, ladder.outcome_via) == ("on_way", "attendance")
    run(12, 0)
    run(12, 30)
    assert Notification.objects.filter(kind="welfare_call").count() == 1


def test_a_patrol_checked_out_by_its_leader_is_not_overdue(team, run):
    shift = team["shift"]
    for member in (team["leader"], team["mate"], team["third"]):
        attendance_check_in(member=member, shift=shift, now=aware(WEEK, 9))
    from shifts.delivered.attendance import attendance_team_check_out

    attendance_team_check_out(leader=team["leader"], shift=shift, now=aware(WEEK, 11))
    assert run(11, 40)["started"] == 0 and not WelfareLadder.objects.exists()


@pytest.mark.parametrize("digit, outcome", [("1", "on_way"), ("2", "ill"), ("3", "safe_home")])
def test_a_key_press_answers_through_the_signal(missing, run, digit, outcome, django_capture_on_commit_callbacks):
    run(9, 20)
    run(9, 35)
    call = Notification.objects.get(kind="welfare_call")
    with django_capture_on_commit_callbacks(execute=True):
        call_answered.send(sender=None, notification_id=call.pk, kind="welfare_call", digit=digit,
                           member_id=missing["mate"].pk)
    ladder = WelfareLadder.objects.get()
    assert (ladder.outcome, ladder.outcome_via, ladder.answered_by) == (outcome, "key", "李秀英")
    assert Unavailability.objects.filter(member=missing["mate"]).exists() == (outcome == "ill")
    run(9, 50)
    assert len(calls()) == 1


def test_other_kinds_and_unknown_keys_are_ignored(missing, run):
    run(9, 20)
    run(9, 35)
    call = Notification.objects.get(kind="welfare_call")
    call_answered.send(sender=None, notification_id=call.pk, kind="cover_ask", digit="1", member_id=None)
    call_answered.send(sender=None, notification_id=call.pk, kind="welfare_call", digit="9", member_id=None)
    assert WelfareLadder.objects.get().outcome == ""


def test_the_relative_is_called_and_may_answer_by_key(missing, run):
    proxy = MemberProxy.objects.create(member=missing["mate"], name="李女儿", phone="13700000009",
                                       consent_at=timezone.now(), consent_note="电话同意")
    MemberProxy.objects.create(member=missing["mate"], name="已撤销", phone="13700000008",
                               consent_at=timezone.now(), consent_note="x", revoked_at=timezone.now())
    for hour, minute in [(9, 20), (9, 35), (9, 50)]:
        run(hour, minute)
    assert calls() == [("李秀英", "s1"), ("李女儿", "s2")]
    call = Notification.objects.get(kind="welfare_call", proxy=proxy)
    assert "李秀英" in call.body and call.member_id is None
    call_answered.send(sender=None, notification_id=call.pk, kind="welfare_call", digit="1", member_id=None)
    ladder = WelfareLadder.objects.get()
    assert (ladder.outcome, ladder.answered_by) == ("on_way", "李女儿")
    assert ladder.calls[1]["whom"] == "relative" and ladder.calls[1]["names"] == ["李女儿"]


def test_without_a_relative_the_welfare_contact_is_called(missing, run):
    welfare = f.user("welfare", email="welfare@example.org")
    missing["community"].welfare_contact = welfare
    missing["community"].save()
    for hour, minute in [(9, 20), (9, 35), (9, 50), (10, 20)]:
        run(hour, minute)
    assert calls() == [("李秀英", "s1"), ("welfare", "s2"), ("sec", "s3")]
    assert Notification.objects.get(user=welfare).urgent


def test_the_secretary_records_the_outcome_or_hurries_the_next_call(client, missing, run):
    run(9, 20)
    run(9, 35)
    ladder = WelfareLadder.objects.get()
    WelfareLadder.objects.update(due_at=timezone.now())  # the dashboard shows the last three days' ladders
    client.force_login(missing["secretary"])
    page = client.get(reverse("dashboard")).content.decode()
    assert f'id="ladder-{ladder.pk}"' in page and 'href="tel:+8613900000002"' in page
    assert page.count("李秀英") >= 1 and 'value="safe_home"' in page and 'value="no_answer"' in page
    response = client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "no_answer"})
    assert response.status_code == 302
    ladder.refresh_from_db()
    assert ladder.outcome == "" and ladder.next_at <= timezone.now()
    assert len(calls()) == 1  # the request calls nobody: the periodic check does, within a minute
    assert AuditEntry.objects.filter(action="shifts.welfare.hurried").exists()
    assert client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "gone"}).status_code == 302
    ladder.refresh_from_db()
    assert ladder.outcome == ""
    client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "on_way"})
    ladder.refresh_from_db()
    assert (ladder.outcome, ladder.outcome_via, ladder.outcome_by) == ("on_way", "dashboard", missing["secretary"])
    assert f'id="ladder-{ladder.pk}"' not in client.get(reverse("dashboard")).content.decode()
    client.force_login(f.secretary(f.community()))
    assert client.post(reverse("welfare_answer", args=[ladder.pk]), {"outcome": "ill"}).status_code == 404


def test_hurry_on_an_answered_ladder_changes_nothing(missing, run):
    run(9, 20)
    ladder, _recorded = welfare_answer(ladder=WelfareLadder.objects.get(), outcome="on_way", via="dashboard")
    assert welfare_ladder_hurry(ladder=ladder, by=None).next_at is None


def test_the_message_names_only_who_and_which_shift(team, run):
    """No phone, no address, no health, no household, no "lives alone" in a call's text, to anyone."""
    visit = f.duty("visiting")
    target = f.visit_target(team["community"], household="谢家", address="和平街1号")
    mate = team["mate"]
    mate.lives_alone, mate.health = True, "frail"
    mate.save()
    shift = f.shift(team["community"], visit, aware(WEEK, 14), minutes=60, name="探访谢家（和平街1号）",
                    location="和平街1号", visit_target=target)
    from .conftest import publish

    publish((shift, mate))
    MemberProxy.objects.create(member=mate, name="李女儿", phone="13700000009", consent_at=timezone.now(),
                               consent_note="电话同意")
    for hour, minute in [(14, 20), (14, 35), (14, 50), (15, 20)]:
        run(hour, minute)
    sent = list(Notification.objects.filter(kind="welfare_call"))
    assert {n.member_id or n.proxy_id or n.user_id for n in sent} and len(sent) == 3
    for n in sent:
        text = n.subject + n.body + " ".join(n.sms_params)
        for secret in ("和平街", "谢家", "13900000002", "alone", "独居", "frail", "health", "80"):
            assert secret not in text, (n.dedupe_key, secret, text)
        assert "入户探访" in n.body and "李秀英" in text and "生病了请按2" in n.body


def test_the_periodic_check_runs_every_minute_on_the_queue():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="yure.welfare_ladder")
    assert (schedule.func, schedule.minutes) == ("shifts.tasks.welfare_ladders_run", 1)
    assert not Schedule.objects.filter(name="yure.no_show_checks").exists()


def test_a_ladder_is_unique_per_shift_member_and_trigger(missing, run):
    run(9, 20)
    from shifts.delivered.welfare_run import ladders_for_no_shows

    NoShowCheck.objects.update()
    assert ladders_for_no_shows(aware(WEEK, 9, 25)) == 0
    assert WelfareLadder.objects.count() == 1
    assert dt.timedelta(0) <= WelfareLadder.objects.get().next_at - aware(WEEK, 9, 35) < dt.timedelta(minutes=1)

"""Who a re-plan affects, before and after the secretary adopts it (issue 26, item 4).

The proposal page previews who will be told what (shifts.rostering.affected.proposal_affected); adopting it sends
each of them one message through the queue, saying the same sentences; nobody else hears anything.

A fixed week (Monday 2026-03-02) seen from a frozen moment four days before it, so nothing depends on the day the
suite runs: the published version 1 and the proposal are written the way their services write them.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from shifts import tasks
from shifts.models import Assignment, MessageJob, Notification, Roster, WeekConfirmation
from shifts.rostering.affected import proposal_affected
from shifts.rostering.repair import proposal_apply, proposal_discard
from shifts.rostering.rosters import roster_diff, roster_pairs
from tests import factories as f

from .conftest import aware

pytestmark = pytest.mark.django_db

WEEK = dt.date(2026, 3, 2)  # a Monday with no 25th and no holiday in its week


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    """The clock stands at Thursday 2026-02-26 10:00, before the week: its shifts are all to come."""
    moment = aware(dt.date(2026, 2, 26), 10)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


@pytest.fixture
def crew(run_on_commit):
    """Version 1 of the week, with its messages sent and confirmations asked:
    Monday 09:00 patrol 张一 and 李二; Wednesday 19:00 王三 and 赵四; Friday 09:00 孙五 and 周六. 吴七 is free."""
    community = f.community(name="幸福里")
    patrol = f.duty("patrol", name="巡逻", name_en="Patrol")
    shifts = {day: f.shift(community, patrol, aware(WEEK + dt.timedelta(days=offset), hour), min_staff=2,
                           max_staff=3, location="居委会门口")
              for day, offset, hour in (("mon", 0, 9), ("wed", 2, 19), ("fri", 4, 9))}
    people = {name: f.member(community, name=name, email=f"{key}@example.org")
              for key, name in (("a", "张一"), ("b", "李二"), ("c", "王三"), ("d", "赵四"), ("e", "孙五"),
                                ("f", "周六"), ("g", "吴七"))}
    secretary = f.secretary(community, username="sec")
    published = f.published_roster(community, WEEK, {shifts["mon"]: [people["张一"], people["李二"]],
                                                     shifts["wed"]: [people["王三"], people["赵四"]],
                                                     shifts["fri"]: [people["孙五"], people["周六"]]},
                                   by=secretary)
    assert WeekConfirmation.objects.filter(roster_version=1).count() == 6
    return {"community": community, "shifts": shifts, "people": people, "secretary": secretary,
            "published": published}


def proposal(crew, pairs) -> Roster:
    """A re-plan proposal holding `pairs`, written as shifts.rostering.solving._write_proposal writes one."""
    published = crew["published"]
    roster = Roster(community=crew["community"], week_start=WEEK, status=Roster.Status.PROPOSAL,
                    based_on=published, reason="张一: illness", cause={"kind": "availability", "name": "张一"})
    roster.diff = roster_diff(published, set(pairs))
    roster.full_clean()
    roster.save()
    Assignment.objects.bulk_create([Assignment(roster=roster, shift_id=s, member_id=m) for s, m in pairs])
    return roster


@pytest.fixture
def moved(crew):
    """张一 moves from Monday to Wednesday; 吴七 takes her place on Monday. Friday is unchanged."""
    s, p = crew["shifts"], crew["people"]
    return proposal(crew, {(s["mon"].pk, p["李二"].pk), (s["mon"].pk, p["吴七"].pk),
                           (s["wed"].pk, p["王三"].pk), (s["wed"].pk, p["赵四"].pk), (s["wed"].pk, p["张一"].pk),
                           (s["fri"].pk, p["孙五"].pk), (s["fri"].pk, p["周六"].pk)})


def preview(roster) -> dict[str, list[str]]:
    with translation.override("zh-hans"):
        return {person.member.name: person.lines() for person in proposal_affected(roster)}


def sent_since(pk: int) -> list[Notification]:
    return list(Notification.objects.filter(pk__gt=pk, member__isnull=False).select_related("member"))


def last_pk() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_the_preview_lists_exactly_whom_adopting_tells_and_what(crew, moved, run_on_commit):
    told = preview(moved)
    proposal_affected_now = proposal_affected(moved)
    assert sorted(told) == ["吴七", "张一", "李二", "王三", "赵四"]  # not 孙五, 周六: Friday is unchanged
    # 张一 moves: one sentence naming both shifts, and who she is with now.
    assert told["张一"] == ["班次调整：从 巡逻 3月2日 周一 09:00–11:00 调到 巡逻 3月4日 周三 19:00–21:00，"
                          "同班：王三、赵四。"]
    assert told["吴七"] == ["新安排您：巡逻 3月2日 周一 09:00–11:00，同班：李二。"]
    assert told["李二"] == ["巡逻 3月2日 周一 09:00–11:00 的搭档有变动，现在同班：吴七。"]
    assert told["王三"] == ["巡逻 3月4日 周三 19:00–21:00 的搭档有变动，现在同班：张一、赵四。"]
    before = last_pk()
    run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    sent = sent_since(before)
    # One message per person, to exactly those previewed, each saying what the preview said.
    assert sorted(n.member.name for n in sent) == sorted(told)
    for note in sent:
        for sentence in told[note.member.name]:
            assert sentence in note.body, (note.member.name, note.body)
    kinds = {n.member.name: n.kind for n in sent}
    assert kinds == {"张一": "confirm_request", "吴七": "confirm_request",  # their shifts changed: confirm again
                     "李二": "partner_changed", "王三": "partner_changed", "赵四": "partner_changed"}
    # The preview said which of the messages also ask to confirm the week.
    asked = {person.member.name for person in proposal_affected_now if person.asked_to_confirm}
    assert asked == {name for name, kind in kinds.items() if kind == "confirm_request"}


def test_a_member_moved_between_two_shifts_gets_one_message_naming_both(crew, moved, run_on_commit):
    before = last_pk()
    run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    mine = [n for n in sent_since(before) if n.member.name == "张一"]
    assert len(mine) == 1
    body = mine[0].body
    assert "3月2日 周一 09:00" in body and "3月4日 周三 19:00" in body and "调到" in body
    assert "以下班次不再需要您" not in body  # said once, in the sentence, not again as a list


def test_teammates_are_told_who_their_new_partner_is_in_their_own_text_template(crew, moved, run_on_commit):
    before = last_pk()
    run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    mate = next(n for n in sent_since(before) if n.member.name == "李二")
    assert mate.kind == "partner_changed" and "吴七" in mate.body and "张一" not in mate.body
    assert mate.subject.startswith("您") or "搭档" in mate.subject
    # The text message's own template: which shift, and who is on it now (short; no address).
    assert mate.sms_params[:3] == ["李二", "03-02 09:00 巡逻", "吴七"]
    assert mate.sms_params[3].endswith("/me/")
    assert all("居委会" not in value for value in mate.sms_params)


def test_members_the_re_plan_does_not_touch_are_told_nothing(crew, moved, run_on_commit):
    before = last_pk()
    run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    names = {n.member.name for n in sent_since(before)}
    assert not names & {"孙五", "周六"}
    assert Notification.objects.filter(pk__gt=before, member__isnull=True).count() == 0  # nor anyone else


def test_discarding_sends_nothing(crew, moved, run_on_commit):
    before, jobs = last_pk(), MessageJob.objects.count()
    run_on_commit(proposal_discard, roster=moved, by=crew["secretary"], reason="I will call someone")
    assert sent_since(before) == [] and MessageJob.objects.count() == jobs


def test_adopting_twice_sends_once(crew, moved, run_on_commit):
    before = last_pk()
    applied = run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    first = sorted((n.member.name, n.kind) for n in sent_since(before))
    with pytest.raises(ValidationError):  # the second tab's click
        run_on_commit(proposal_apply, roster=moved, by=crew["secretary"])
    tasks.notify_roster_published(applied.pk)  # and the queue's task run again (a retry, the catch-up)
    assert sorted((n.member.name, n.kind) for n in sent_since(before)) == first
    assert len(first) == 5


def test_a_member_with_nothing_left_that_week_gets_the_plain_change(crew, run_on_commit):
    """孙五 is taken off her only shift of the week: nothing left to confirm, so one roster_changed message."""
    s, p = crew["shifts"], crew["people"]
    roster = proposal(crew, {(s["mon"].pk, p["张一"].pk), (s["mon"].pk, p["李二"].pk),
                             (s["wed"].pk, p["王三"].pk), (s["wed"].pk, p["赵四"].pk),
                             (s["fri"].pk, p["周六"].pk), (s["fri"].pk, p["吴七"].pk)})
    told = preview(roster)
    asked = {person.member.name: person.asked_to_confirm for person in proposal_affected(roster)}
    assert told["孙五"] == ["不用再去：巡逻 3月6日 周五 09:00–11:00。"]
    before = last_pk()
    run_on_commit(proposal_apply, roster=roster, by=crew["secretary"])
    sent = {n.member.name: n for n in sent_since(before)}
    assert sorted(sent) == sorted(told) == ["吴七", "周六", "孙五"]
    assert sent["孙五"].kind == "roster_changed" and told["孙五"][0] in sent["孙五"].body
    assert asked == {"孙五": False, "周六": False, "吴七": True}
    assert sent["吴七"].kind == "confirm_request"
    assert sent["周六"].kind == "partner_changed" and "吴七" in sent["周六"].body


# ------------------------------------------------------------------ the proposal page

def _page(client, crew, language):
    url = reverse("roster_week", args=[crew["community"].pk, WEEK.isoformat()])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_proposal_page_says_how_many_are_told_and_who_in_chinese_and_english(crew, moved, client):
    client.force_login(crew["secretary"])
    zh = _page(client, crew, "zh-hans")
    assert "5 人会收到通知" in zh and 'id="proposal-told"' in zh
    for name in ("张一", "吴七", "李二", "王三", "赵四"):
        assert f"<strong>{name}</strong>" in zh
    assert "<strong>孙五</strong>" not in zh and "<strong>周六</strong>" not in zh
    assert zh.count("通知里同时请其确认本周的值班。") == 2  # 张一 and 吴七: their message is the request to confirm
    assert "采用后，每人只收到一条通知，内容如下：" in zh  # full-width punctuation in Chinese
    assert "班次调整：从 巡逻 3月2日 周一 09:00–11:00 调到 巡逻 3月4日 周三 19:00–21:00，同班：王三、赵四。" in zh
    told = zh[zh.index('id="proposal-told"'):zh.index("</section>", zh.index('id="proposal-told"'))]
    assert "," not in told and ":" not in told.replace("09:00", "").replace("11:00", "").replace(
        "19:00", "").replace("21:00", "")  # no half-width comma or colon in the Chinese text
    # Big targets: the decision buttons are the large kind (56 px; 72 px in elder mode).
    assert 'value="apply" class="primary big"' in zh and 'value="discard" class="big"' in zh
    en = _page(client, crew, "en")
    assert "5 people will be told" in en
    assert "You are moved from Patrol" in en or "You are moved from 巡逻" in en
    assert "Your teammate on" in en and "now with you: 吴七." in en


def test_a_proposal_that_changes_nobody_says_so(crew, client):
    proposal(crew, roster_pairs(crew["published"]))
    client.force_login(crew["secretary"])
    zh = _page(client, crew, "zh-hans")
    assert "0 人会收到通知" in zh and "采用后不会通知任何人。" in zh


def test_adopting_from_the_page_sends_nothing_in_the_request_then_the_previewed_messages(crew, moved, client,
                                                                                       monkeypatch,
                                                                                       django_capture_on_commit_callbacks):
    from django_q.conf import Conf

    from tests.messaging.test_no_message_in_request import worker_runs_message_jobs

    monkeypatch.setattr(Conf, "SYNC", False)  # queue tasks wait on the broker, as in production
    monkeypatch.setattr(Conf, "ORM", "default")
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)
    told = preview(moved)
    client.force_login(crew["secretary"])
    before = last_pk()
    url = reverse("proposal_decide", args=[moved.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "apply"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"decision": "apply"}, HTTP_ACCEPT_LANGUAGE="zh-hans")  # a double click
    assert sent_since(before) == []  # nothing sent inside the requests
    ran = worker_runs_message_jobs(monkeypatch)
    assert len(ran) == 1
    sent = sent_since(before)
    assert sorted(n.member.name for n in sent) == sorted(told)
    assert all(sentence in n.body for n in sent for sentence in told[n.member.name])


def test_the_catch_up_sends_the_previewed_messages_once_when_the_queue_never_ran(crew, moved, frozen,
                                                                                 django_capture_on_commit_callbacks):
    """The broker was down when the proposal was adopted: roster_messages_catch_up sends what the page previewed,
    teammates included, and a second sweep sends nothing more."""
    from shifts.rostering.messages import roster_messages_catch_up

    told = preview(moved)
    before = last_pk()
    with django_capture_on_commit_callbacks(execute=False):  # nothing reached the queue
        proposal_apply(roster=moved, by=crew["secretary"])
    assert sent_since(before) == []
    later = frozen + dt.timedelta(minutes=5)
    assert roster_messages_catch_up(now=later) == 1
    assert sorted(n.member.name for n in sent_since(before)) == sorted(told)
    assert roster_messages_catch_up(now=later) == 0
    assert len(sent_since(before)) == len(told)

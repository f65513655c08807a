"""A member with an open cover ask sees it on My shifts (and in elder mode): which shift — date, time, duty and
meeting point, never a visited household's address — with 我来接班 / 这次不行 buttons that answer through the same
race-safe service as the signed page. Once someone else took the shift the notice says so politely, until the
shift is over. Time is passed relative to the shift, never today's date."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from scheduler_site.middleware import TEXT_SIZE_COOKIE
from shifts.models import CoverAsk, CoverCall
from shifts.rostering.cover.calldown import cover_call_start
from tests import factories as f

from .cover_helpers import asks, build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cover_on")]

# Words that hurry a member, which the notice never uses.
HURRY = ("尽快", "马上", "赶紧", "立即", "先到先得", "第一个", "抓紧", "限时")


@pytest.fixture
def now(monkeypatch):
    """timezone.now, movable (a list); each test sets it relative to its shift."""
    from django.utils import timezone

    moment = [timezone.now()]
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment[0])
    return moment


@pytest.fixture
def week(settings, now):
    settings.COVER_WAVE_SIZE = 3
    week = build(location="社区服务中心门口")
    now[0] = week.shift.start - dt.timedelta(hours=20)
    return week


def _asked(run_on_commit, week):
    call = run_on_commit(cover_call_start, shift=week.shift)
    return call, asks(call)


def _as(client, member, size=None):
    client.force_login(member.user or f.member_login(member))
    if size:
        client.cookies[TEXT_SIZE_COOKIE] = size
    return client


def _notice(page: str, ask: CoverAsk) -> str:
    """The notice's section of the page ('' when it is not there)."""
    found = re.search(rf'<section[^>]*id="cover-ask-{ask.pk}".*?</section>', page, flags=re.S)
    return found.group(0) if found else ""


def _visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_an_open_ask_shows_the_shift_and_two_big_buttons_in_chinese(week, run_on_commit, client):
    _call, [ask, *_] = _asked(run_on_commit, week)
    page = _as(client, ask.member).get(reverse("my_shifts")).content.decode()
    notice = _notice(page, ask)
    assert notice, page
    words = _visible(notice)
    assert "有个班还缺人，您愿意来接吗？" in words
    assert "巡逻" in words and "10:00–12:00" in words and "集合地点：" in words and "社区服务中心门口" in words
    assert f'action="{reverse("my_cover_answer", args=[ask.pk])}"' in notice
    assert 'name="answer" value="yes"' in notice and "我来接班" in notice
    assert 'name="answer" value="no"' in notice and "这次不行" in notice
    assert notice.count('class="big') + notice.count('class="primary big') == 2
    assert "data-read-aloud-scope" in notice
    assert not any(word in words for word in HURRY)
    assert "?" not in words and "," not in words  # full-width punctuation in Chinese


def test_yes_on_my_shifts_books_the_shift_through_the_same_answer_service(week, run_on_commit, client):
    call, [ask, other, *_] = _asked(run_on_commit, week)
    me = _as(client, ask.member)
    done = run_on_commit(me.post, reverse("my_cover_answer", args=[ask.pk]), {"answer": "yes"}, follow=True)
    page = done.content.decode()
    assert done.redirect_chain[-1][0].startswith(reverse("my_shifts"))
    assert "这个班归您了" in page and not _notice(page, ask)
    call.refresh_from_db()
    assert call.state == CoverCall.State.FILLED and call.filled_by == ask.member
    assert CoverAsk.objects.get(pk=ask.pk).answer == "yes"
    # the other member asked reads that someone took it, politely, with no buttons
    client.logout()
    theirs = _notice(_as(client, other.member).get(reverse("my_shifts")).content.decode(), other)
    assert "已有人接了，谢谢！" in _visible(theirs) and 'name="answer"' not in theirs
    # a yes that still comes (a page left open) is told the same, and books nobody
    late = run_on_commit(client.post, reverse("my_cover_answer", args=[other.pk]), {"answer": "yes"}, follow=True)
    assert "已有人接了，谢谢！" in late.content.decode()
    assert CoverAsk.objects.get(pk=other.pk).answer == "late"


def test_the_taken_notice_disappears_after_the_shift(week, run_on_commit, client, now):
    from shifts.rostering.cover.answers import YES, cover_answer

    _call, [ask, other, *_] = _asked(run_on_commit, week)
    run_on_commit(cover_answer, ask=ask, answer=YES)
    now[0] = week.shift.start + dt.timedelta(minutes=30)  # during the shift: still says so
    assert _notice(_as(client, other.member).get(reverse("my_shifts")).content.decode(), other)
    now[0] = week.shift.end + dt.timedelta(minutes=1)
    client.logout()  # (a session does not last the shift's two hours idle)
    assert not _notice(_as(client, other.member).get(reverse("my_shifts")).content.decode(), other)


def test_no_on_my_shifts_is_noted_and_the_notice_goes(week, run_on_commit, client):
    _call, [ask, *_] = _asked(run_on_commit, week)
    me = _as(client, ask.member)
    done = run_on_commit(me.post, reverse("my_cover_answer", args=[ask.pk]), {"answer": "no"}, follow=True)
    assert "已记下：这次不行。" in done.content.decode() and not _notice(done.content.decode(), ask)
    assert CoverAsk.objects.get(pk=ask.pk).answer == "no"


def test_elder_mode_shows_it_on_my_shifts_and_counts_it_on_the_home(week, run_on_commit, client):
    _call, [ask, *_] = _asked(run_on_commit, week)
    me = _as(client, ask.member, size="xlarge")
    page = me.get(reverse("my_shifts")).content.decode()
    assert 'class="text-xlarge elder"' in page and "我来接班" in _notice(page, ask)
    home = me.get(reverse("member_home")).content.decode()
    assert "1件事等您处理" in re.sub(r"\s+", "", _visible(home))


def test_a_member_cannot_answer_someone_elses_ask_and_a_bad_answer_changes_nothing(week, run_on_commit, client):
    _call, [ask, other, *_] = _asked(run_on_commit, week)
    me = _as(client, ask.member)
    assert me.post(reverse("my_cover_answer", args=[other.pk]), {"answer": "yes"}).status_code == 404
    assert me.get(reverse("my_cover_answer", args=[ask.pk])).status_code == 405
    bad = me.post(reverse("my_cover_answer", args=[ask.pk]), {"answer": "maybe"}, follow=True)
    assert bad.status_code == 200 and CoverAsk.objects.get(pk=ask.pk).answer == ""
    assert "answer" in bad.content.decode().lower() or "回答" in bad.content.decode()


def test_a_home_visit_is_named_without_its_household_or_address(settings, now, run_on_commit, client):
    week = build(duty_code=settings.VISIT_DUTY_CODE, min_staff=1, on_shift=0, name="探访谢家（和平街1号）",
                 location="和平街1号")
    now[0] = week.shift.start - dt.timedelta(hours=20)
    home = f.visit_target(week.community, household="谢家", address="和平街1号")
    week.shift.visit_target = home
    week.shift.save()
    _call, [ask, *_] = _asked(run_on_commit, week)
    notice = _notice(_as(client, ask.member).get(reverse("my_shifts")).content.decode(), ask)
    assert "入户探访" in notice
    assert "和平街" not in notice and "谢家" not in notice

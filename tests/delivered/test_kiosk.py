"""The kiosk at the community centre (issue #27 item 3): four digits, a tapped name, check-in and out through the
one attendance service with source KIOSK, "明天来不了" through the absence service, bounded tries and a lockout
that holds. The service at fixed moments; the pages around the present moment."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from shifts.delivered import kiosk as service
from shifts.models import Assignment, Attendance, Kiosk, KioskTry
from shifts.rostering.week_making import study_session_make
from tests import factories as f
from volunteers.models import AuditEntry, Unavailability

from .conftest import WEEK, aware, grid_now, publish

pytestmark = pytest.mark.django_db
NINE = aware(WEEK, 9, 5)  # five minutes into the team's patrol


@pytest.fixture
def kiosk(team):
    opened, cookie = service.kiosk_open(community=team["community"], by=team["secretary"], name="活动室")
    return {**team, "kiosk": opened, "cookie": cookie}


# --------------------------------------------------------------------------- the service

def test_four_digits_find_the_member_and_the_check_in_is_the_kiosks(kiosk):
    members = service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=NINE)
    assert [m.name for m in members] == ["李秀英"]
    items = service.kiosk_today(kiosk=kiosk["kiosk"], member=members[0], now=NINE)
    assert [item.shift for item in items] == [kiosk["shift"]]
    member, record, already = service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=members[0].pk,
                                                  shift_id=kiosk["shift"].pk, action="in", now=NINE)
    assert not already and record.check_in == NINE and record.source == Attendance.Source.KIOSK
    service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=member.pk, shift_id=kiosk["shift"].pk,
                        action="out", now=aware(WEEK, 11))
    record.refresh_from_db()
    assert record.served and record.served_minutes == 115 and record.recorded_by is None
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"shifts.kiosk.opened", "shifts.kiosk.check_in", "shifts.kiosk.check_out"} <= actions


def test_the_attendance_rules_hold_at_the_kiosk(kiosk):
    """The one attendance service decides: not more than an hour early, only shifts the member is on."""
    with pytest.raises(ValidationError, match="too early"):
        service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=kiosk["mate"].pk,
                            shift_id=kiosk["shift"].pk, action="in", now=aware(WEEK, 7, 30))
    with pytest.raises(ValidationError, match="Check in first"):
        service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=kiosk["mate"].pk,
                            shift_id=kiosk["shift"].pk, action="out", now=NINE)
    assert not Attendance.objects.exists()


def test_wrong_digits_get_a_plain_message_and_count_towards_the_limit(kiosk):
    with pytest.raises(ValidationError, match="No member of 幸福里 has a phone number ending in 4444"):
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="4444", now=NINE)
    assert KioskTry.objects.filter(kiosk=kiosk["kiosk"], wrong=True).count() == 1
    with pytest.raises(ValidationError, match="last 4 digits"):
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="12a4", now=NINE)  # not a guess: not counted
    assert KioskTry.objects.filter(kiosk=kiosk["kiosk"]).count() == 1


def test_two_members_with_the_same_last_digits_both_show_and_each_taps_their_own(kiosk):
    twin = f.member(kiosk["community"], name="周桂兰", phone="13800000002")
    f.member(f.community(name="别处"), name="外人", phone="13700000002")  # another community: never shown
    f.member(kiosk["community"], name="已退出", phone="13600000002", active=False)
    members = service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=NINE)
    assert sorted(m.name for m in members) == ["周桂兰", "李秀英"]
    assert service.kiosk_member(kiosk=kiosk["kiosk"], digits="0002", member_id=twin.pk, now=NINE) == twin
    # The twin has no shift today; the tapped name must match the digits typed.
    assert service.kiosk_today(kiosk=kiosk["kiosk"], member=twin, now=NINE) == []
    with pytest.raises(ValidationError, match="no shift here today"):
        service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=twin.pk, shift_id=kiosk["shift"].pk,
                            action="in", now=NINE)
    with pytest.raises(ValidationError):
        service.kiosk_member(kiosk=kiosk["kiosk"], digits="0001", member_id=twin.pk, now=NINE)


def test_a_shift_already_checked_in_says_so_and_keeps_the_first_time(kiosk):
    args = {"kiosk": kiosk["kiosk"], "digits": "0002", "member_id": kiosk["mate"].pk, "shift_id": kiosk["shift"].pk}
    service.kiosk_check(**args, action="in", now=NINE)
    _member, record, already = service.kiosk_check(**args, action="in", now=NINE + dt.timedelta(minutes=20))
    assert already and record.check_in == NINE
    item, = service.kiosk_today(kiosk=kiosk["kiosk"], member=kiosk["mate"], now=NINE)
    assert item.checked_in and item.can_check_out
    assert AuditEntry.objects.filter(action="shifts.kiosk.check_in").count() == 1


def test_a_home_visit_shows_no_household_on_the_shared_screen(kiosk):
    visit = f.duty(settings.VISIT_DUTY_CODE)
    shift = f.shift(kiosk["community"], visit, aware(WEEK, 14), minutes=60, location="和平街1号",
                    name="探访谢家")
    publish((shift, kiosk["mate"]))
    titles = [(item.title, item.place) for item in service.kiosk_today(kiosk=kiosk["kiosk"], member=kiosk["mate"],
                                                                        now=NINE)]
    assert ("Home visit", "") in titles and not any("谢家" in t or "和平街" in p for t, p in titles)


def test_no_shift_today(kiosk):
    idle = f.member(kiosk["community"], name="钱多多", phone="13900009999")
    assert service.kiosk_today(kiosk=kiosk["kiosk"], member=idle, now=NINE) == []
    with pytest.raises(ValidationError, match="no shift here today"):
        service.kiosk_check(kiosk=kiosk["kiosk"], digits="9999", member_id=idle.pk, shift_id=kiosk["shift"].pk,
                            action="in", now=NINE)


def test_wrong_tries_lock_the_kiosk_and_the_lock_holds(kiosk):
    for n in range(service.WRONG_PER_MINUTE - 1):
        with pytest.raises(ValidationError):
            service.kiosk_lookup(kiosk=kiosk["kiosk"], digits=f"77{n:02d}", now=NINE + dt.timedelta(seconds=n))
    with pytest.raises(service.KioskLocked) as locked:
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="7799", now=NINE + dt.timedelta(seconds=10))
    assert locked.value.until == NINE + dt.timedelta(seconds=10) + service.LOCKOUT
    # Right digits, a minute later and with the cache flushed: still locked (the lock is a row, not a cache key).
    cache.clear()
    later = NINE + dt.timedelta(minutes=2)
    with pytest.raises(service.KioskLocked):
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=later)
    with pytest.raises(service.KioskLocked):
        service.kiosk_check(kiosk=kiosk["kiosk"], digits="0002", member_id=kiosk["mate"].pk,
                            shift_id=kiosk["shift"].pk, action="in", now=later)
    assert AuditEntry.objects.filter(action="shifts.kiosk.locked").count() == 1
    after = NINE + service.LOCKOUT + dt.timedelta(minutes=1)
    assert service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=after)[0] == kiosk["mate"]


def test_a_name_that_does_not_match_the_digits_counts_as_a_wrong_try(kiosk):
    for _n in range(service.WRONG_PER_MINUTE - 1):
        with pytest.raises(ValidationError):
            service.kiosk_member(kiosk=kiosk["kiosk"], digits="0001", member_id=kiosk["mate"].pk, now=NINE)
    with pytest.raises(service.KioskLocked):
        service.kiosk_member(kiosk=kiosk["kiosk"], digits="0001", member_id=kiosk["mate"].pk, now=NINE)


def test_look_ups_are_bounded_per_minute_even_when_right(kiosk):
    for n in range(service.LOOKUPS_PER_MINUTE):
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=NINE + dt.timedelta(seconds=n))
    with pytest.raises(ValidationError, match="Too many tries"):
        service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=NINE + dt.timedelta(seconds=30))
    assert service.kiosk_lookup(kiosk=kiosk["kiosk"], digits="0002", now=NINE + dt.timedelta(seconds=61))


def test_the_cookie_names_the_kiosk_until_it_is_closed(kiosk):
    assert service.kiosk_from_cookie(kiosk["cookie"]) == kiosk["kiosk"]
    assert service.kiosk_from_cookie(kiosk["cookie"][:-2] + "xx") is None
    assert service.kiosk_from_cookie("") is None
    service.kiosk_close(kiosk=kiosk["kiosk"], by=kiosk["secretary"])
    assert service.kiosk_from_cookie(kiosk["cookie"]) is None
    assert AuditEntry.objects.filter(action="shifts.kiosk.closed").exists()


def test_i_cannot_come_tomorrow_goes_through_the_absence_service(kiosk, run_on_commit, monkeypatch):
    """The absence covers tomorrow; after commit the member is taken off tomorrow's published shift and a re-plan
    is queued (held here, as in the browser tests, so no solve runs in a thread on the test database)."""
    import django_q.tasks

    held = []
    monkeypatch.setattr(django_q.tasks, "async_task", lambda func, *a, **k: held.append(func) or "held")
    now = timezone.localtime()
    tomorrow = now.date() + dt.timedelta(days=1)
    shift = f.shift(kiosk["community"], kiosk["patrol"], aware(tomorrow, 9), minutes=120, location="居委会门口")
    publish((shift, kiosk["mate"]))
    assert [item.shift for item in service.kiosk_tomorrow(kiosk=kiosk["kiosk"], member=kiosk["mate"])] == [shift]
    member, absence = run_on_commit(service.kiosk_cant_come_tomorrow, kiosk=kiosk["kiosk"], digits="0002",
                                    member_id=kiosk["mate"].pk)
    assert (absence.start, absence.end) == (aware(tomorrow, 0), aware(tomorrow + dt.timedelta(days=1), 0))
    assert Unavailability.objects.filter(member=member).count() == 1
    assert not Assignment.objects.filter(shift=shift, member=member, roster__status="published").exists()
    assert "shifts.tasks.solve_run" in held
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"volunteers.absence.reported", "shifts.kiosk.absence_reported"} <= actions


# --------------------------------------------------------------------------- study day at the kiosk and poster

@pytest.fixture
def study_now(team):
    session, _created = study_session_make(community=team["community"], day=grid_now().date())
    start = grid_now() - dt.timedelta(minutes=15)
    session.start, session.end = start, start + dt.timedelta(minutes=90)
    session.save()
    return {**team, "session": session}


def test_any_member_of_the_community_checks_in_to_the_study_session_at_the_kiosk(study_now):
    kiosk, _cookie = service.kiosk_open(community=study_now["community"], by=study_now["secretary"])
    newcomer = f.member(study_now["community"], name="新来的", phone="13900005555")  # on no roster
    item, = service.kiosk_today(kiosk=kiosk, member=newcomer)
    assert item.gathering and item.shift == study_now["session"]
    _member, record, _already = service.kiosk_check(kiosk=kiosk, digits="5555", member_id=newcomer.pk,
                                                    shift_id=study_now["session"].pk, action="in")
    assert record.source == Attendance.Source.KIOSK and record.shift == study_now["session"]


def test_the_study_sessions_poster_checks_in_any_member_of_the_community(client, study_now):
    newcomer = f.member(study_now["community"], name="新来的", phone="13900005555")
    client.force_login(study_now["secretary"])
    posters = client.get(reverse("posters_print", args=[study_now["community"].pk])).content.decode()
    assert posters.count("<svg") == 1  # no meeting point yet: the gatherings' poster prints all the same
    url = reverse("poster_scan", args=[service_poster_token(study_now["community"])])
    client.force_login(f.member_login(newcomer))
    page = client.get(url).content.decode()
    check = reverse("gathering_check", args=[study_now["session"].pk, "in"])
    assert check in page
    client.post(check, {"source": "poster", "next": url})
    record = Attendance.objects.get(member=newcomer, shift=study_now["session"])
    assert record.source == Attendance.Source.POSTER and record.check_in is not None
    stranger = f.member(f.community(name="别处"), name="路人甲")
    client.force_login(f.member_login(stranger))
    assert check not in client.get(url).content.decode()


def service_poster_token(community):
    from shifts.delivered.attendance import GATHERING_POSTER, poster_token

    return poster_token(community, GATHERING_POSTER)


# --------------------------------------------------------------------------- the pages

@pytest.fixture
def now_kiosk(team):
    start = grid_now() - dt.timedelta(minutes=30)
    shift = f.shift(team["community"], team["patrol"], start, minutes=120, location="居委会门口", name="早班巡逻")
    publish((shift, team["mate"]))
    return {**team, "now_shift": shift}


def _open_kiosk(client, team):
    client.force_login(team["secretary"])
    response = client.post(reverse("kiosk_open", args=[team["community"].pk]), {"name": "活动室"})
    assert response.status_code == 302 and response["Location"] == reverse("kiosk_home")
    return response


def test_the_secretary_turns_the_browser_into_the_kiosk_and_it_is_not_logged_in(client, now_kiosk):
    assert client.get(reverse("kiosk_home")).status_code == 403  # no kiosk cookie yet
    _open_kiosk(client, now_kiosk)
    assert "_auth_user_id" not in client.session  # the tablet is not the secretary
    assert client.get(reverse("dashboard")).status_code == 302
    page = client.get(reverse("kiosk_home"))
    assert page.status_code == 200 and "幸福里" in page.content.decode()
    kiosk = Kiosk.objects.get(community=now_kiosk["community"])
    assert kiosk.name == "活动室" and kiosk.opened_by == now_kiosk["secretary"]


def test_a_member_checks_in_and_out_at_the_kiosk_page(client, now_kiosk):
    _open_kiosk(client, now_kiosk)
    names = client.post(reverse("kiosk_find"), {"digits": "0002"}).content.decode()
    assert "李秀英" in names and "13900000002" not in names
    page = client.post(reverse("kiosk_member"), {"digits": "0002", "member": now_kiosk["mate"].pk})
    body = page.content.decode()
    assert "早班巡逻" in body and 'value="in"' in body and page["Cache-Control"].startswith("max-age=0")
    done = client.post(reverse("kiosk_check"), {"digits": "0002", "member": now_kiosk["mate"].pk,
                                                "shift": now_kiosk["now_shift"].pk, "action": "in"})
    assert done.status_code == 200 and 'value="out"' in done.content.decode()
    record = Attendance.objects.get(member=now_kiosk["mate"], shift=now_kiosk["now_shift"])
    assert record.source == Attendance.Source.KIOSK
    again = client.post(reverse("kiosk_check"), {"digits": "0002", "member": now_kiosk["mate"].pk,
                                                 "shift": now_kiosk["now_shift"].pk, "action": "in"})
    assert "签到过了" in again.content.decode()  # "you already checked in at …", with check-out offered


def test_the_kiosk_pages_refuse_a_wrong_pair_and_lock(client, now_kiosk):
    _open_kiosk(client, now_kiosk)
    response = client.post(reverse("kiosk_find"), {"digits": "4444"})
    assert response.status_code == 400
    for _n in range(service.WRONG_PER_MINUTE - 1):
        response = client.post(reverse("kiosk_check"), {"digits": "0001", "member": now_kiosk["mate"].pk,
                                                        "shift": now_kiosk["now_shift"].pk, "action": "in"})
    assert response.status_code == 429
    assert client.get(reverse("kiosk_home")).status_code == 429
    assert not Attendance.objects.exists()


def test_a_closed_kiosk_is_no_longer_a_kiosk(client, now_kiosk):
    _open_kiosk(client, now_kiosk)
    kiosk = Kiosk.objects.get()
    staff = type(client)()
    staff.force_login(now_kiosk["secretary"])
    assert "活动室" in staff.get(reverse("kiosk_setup", args=[now_kiosk["community"].pk])).content.decode()
    staff.post(reverse("kiosk_close", args=[now_kiosk["community"].pk]), {"kiosk": kiosk.pk})
    assert client.get(reverse("kiosk_home")).status_code == 403
    outsider = f.secretary(f.community(name="别处"), username="other")
    staff.force_login(outsider)
    assert staff.get(reverse("kiosk_setup", args=[now_kiosk["community"].pk])).status_code == 404
    assert staff.post(reverse("kiosk_open", args=[now_kiosk["community"].pk])).status_code == 404


def test_i_cannot_come_tomorrow_asks_first(client, now_kiosk):
    _open_kiosk(client, now_kiosk)
    data = {"digits": "0002", "member": now_kiosk["mate"].pk}
    question = client.post(reverse("kiosk_away"), data)
    assert question.status_code == 200 and not Unavailability.objects.exists()
    client.post(reverse("kiosk_away"), {**data, "confirm": "1"})
    absence = Unavailability.objects.get(member=now_kiosk["mate"])
    assert timezone.localtime(absence.start).date() == timezone.localdate() + dt.timedelta(days=1)

"""Check-in and check-out by phone, poster and team leader; the secretary's back-fill; the 60% rule."""

import pytest
from django.core import signing
from django.core.exceptions import ValidationError

from shifts.delivered import attendance as service
from shifts.models import Attendance

from .conftest import WEEK, aware

pytestmark = pytest.mark.django_db


def test_check_in_and_out_by_app_records_times_and_served_minutes(team):
    shift, mate = team["shift"], team["mate"]
    service.attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 8, 55))
    record = service.attendance_check_out(member=mate, shift=shift, now=aware(WEEK, 11, 5))
    assert record.check_in == aware(WEEK, 8, 55) and record.check_out == aware(WEEK, 11, 5)
    assert record.source == Attendance.Source.APP
    # Presence is clipped to the shift: 120 minutes, not 130.
    assert (record.present_minutes, record.served, record.served_minutes) == (120, True, 120)


def test_checking_in_twice_keeps_the_first_time(team):
    shift, mate = team["shift"], team["mate"]
    service.attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 9, 0))
    record = service.attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 9, 30))
    assert record.check_in == aware(WEEK, 9, 0)


@pytest.mark.parametrize("out, served, minutes", [((10, 12), True, 72), ((10, 11), False, 0)])
def test_served_at_sixty_percent_of_the_shift(team, out, served, minutes):
    # 120-minute shift: 72 minutes is exactly 60%, 71 is below.
    shift, mate = team["shift"], team["mate"]
    service.attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 9))
    record = service.attendance_check_out(member=mate, shift=shift, now=aware(WEEK, *out))
    assert (record.served, record.served_minutes) == (served, minutes)


def test_the_share_is_a_setting(team, settings):
    settings.ATTENDANCE_SERVED_SHARE = 0.5
    shift, mate = team["shift"], team["mate"]
    service.attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 9))
    assert service.attendance_check_out(member=mate, shift=shift, now=aware(WEEK, 10)).served


def test_check_in_refused_for_someone_not_on_the_shift_and_outside_the_window(team):
    from tests import factories as f

    stranger = f.member(team["community"])
    with pytest.raises(ValidationError, match="not on this shift"):
        service.attendance_check_in(member=stranger, shift=team["shift"], now=aware(WEEK, 9))
    with pytest.raises(ValidationError, match="too early"):
        service.attendance_check_in(member=team["mate"], shift=team["shift"], now=aware(WEEK, 7, 30))
    with pytest.raises(ValidationError, match="over"):
        service.attendance_check_in(member=team["mate"], shift=team["shift"], now=aware(WEEK, 11, 30))
    with pytest.raises(ValidationError, match="Check in first"):
        service.attendance_check_out(member=team["mate"], shift=team["shift"], now=aware(WEEK, 10))
    assert not Attendance.objects.exists()


def test_poster_token_names_the_meeting_point_and_cannot_be_forged(team):
    token = service.poster_token(team["community"], "居委会门口")
    assert service.poster_place(token) == (team["community"], "居委会门口")
    with pytest.raises(ValidationError):
        service.poster_place(token[:-2] + "xx")
    forged = signing.Signer(salt="another.purpose").sign_object({"c": team["community"].pk, "l": "居委会门口"})
    with pytest.raises(ValidationError):
        service.poster_place(forged)
    found = service.poster_assignments(member=team["mate"], community=team["community"], location="居委会门口",
                                       now=aware(WEEK, 9, 10))
    assert [a.shift_id for a in found] == [team["shift"].pk]
    assert service.poster_assignments(member=team["mate"], community=team["community"], location="别处",
                                      now=aware(WEEK, 9, 10)) == []


def test_check_in_by_poster_is_recorded_as_such(team):
    record = service.attendance_check_in(member=team["mate"], shift=team["shift"],
                                         source=Attendance.Source.POSTER, now=aware(WEEK, 9))
    assert record.source == Attendance.Source.POSTER


def test_team_leader_checks_in_and_out_the_whole_team(team):
    shift = team["shift"]
    service.attendance_check_in(member=team["mate"], shift=shift, now=aware(WEEK, 8, 50))
    done = service.attendance_team_check_in(leader=team["leader"], shift=shift, now=aware(WEEK, 9, 2))
    assert {a.member_id for a in done} == {team["leader"].pk, team["third"].pk}  # the mate was already in
    assert Attendance.objects.get(member=team["mate"]).check_in == aware(WEEK, 8, 50)
    assert Attendance.objects.get(member=team["third"]).source == Attendance.Source.LEADER
    out = service.attendance_team_check_out(leader=team["leader"], shift=shift, now=aware(WEEK, 11))
    assert len(out) == 3 and all(a.served for a in Attendance.objects.all())


def test_only_the_lead_skill_holder_may_check_in_the_team(team):
    with pytest.raises(ValidationError, match="team leader"):
        service.attendance_team_check_in(leader=team["mate"], shift=team["shift"], now=aware(WEEK, 9))
    assert not Attendance.objects.exists()


def test_secretary_back_fills_and_clears_times(team):
    shift = team["shift"]
    record = service.attendance_set(shift=shift, member=team["third"], check_in=aware(WEEK, 9),
                                    check_out=aware(WEEK, 10, 30), by=team["secretary"])
    assert (record.source, record.served_minutes) == (Attendance.Source.BACKFILL, 90)
    assert service.attendance_set(shift=shift, member=team["third"], check_in=None, check_out=None) is None
    assert not Attendance.objects.exists()


def test_back_fill_refuses_a_member_of_another_community_and_a_check_out_before_the_check_in(team):
    from tests import factories as f

    outsider = f.member(f.community())
    with pytest.raises(ValidationError) as err:
        service.attendance_set(shift=team["shift"], member=outsider, check_in=aware(WEEK, 9), check_out=None)
    assert "member" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        service.attendance_set(shift=team["shift"], member=team["mate"], check_in=aware(WEEK, 10),
                               check_out=aware(WEEK, 9))
    assert "check_out" in err.value.message_dict


def test_a_stand_in_from_the_community_can_be_back_filled(team):
    from tests import factories as f

    stand_in = f.member(team["community"], name="赵桂英")
    record = service.attendance_set(shift=team["shift"], member=stand_in, check_in=aware(WEEK, 9),
                                    check_out=aware(WEEK, 11))
    assert record.served and record.served_minutes == 120


def test_no_location_is_stored():
    fields = {f.name for f in Attendance._meta.get_fields()}
    assert not fields & {"location", "latitude", "longitude", "lat", "lng", "ip", "address"}

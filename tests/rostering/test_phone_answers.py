"""By phone (issue #27): from the member page the secretary records what a member said on the telephone, one tap
each — confirmed, cannot come to a shift (with a reason), away from–to — through the member's own services, and
each is audited as taken by phone, in words on the audit page's labels."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from shifts.models import Assignment, Roster, WeekConfirmation
from shifts.rostering.confirmations import confirmations_request
from shifts.rostering.phone_answers import phone_away
from shifts.weeks import week_start_of
from tests import factories as f
from volunteers.models import AuditEntry, Unavailability
from volunteers.services.audit import action_label

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def phoned():
    """A member on two published shifts next week (asked to confirm) and one that is over."""
    community = f.community(name="幸福里")
    patrol = f.duty("patrol", name="巡逻")
    member = f.member(community, name="李秀英", phone="13900000002")
    next_monday = week_start_of(timezone.localdate()) + dt.timedelta(days=7)
    roster = Roster.objects.create(community=community, week_start=next_monday, status=Roster.Status.PUBLISHED,
                                   version=1)
    days = (next_monday - timezone.localdate()).days
    first = f.shift(community, patrol, _at(days, 9))
    second = f.shift(community, patrol, _at(days + 2, 14))
    mine = [Assignment.objects.create(roster=roster, shift=s, member=member) for s in (first, second)]
    past_monday = week_start_of(timezone.localdate()) - dt.timedelta(days=7)
    old_roster = Roster.objects.create(community=community, week_start=past_monday,
                                       status=Roster.Status.PUBLISHED, version=1)
    past = f.shift(community, patrol, timezone.make_aware(dt.datetime.combine(past_monday, dt.time(9))))
    old = Assignment.objects.create(roster=old_roster, shift=past, member=member)
    confirmations_request(roster=roster)
    return {"community": community, "member": member, "assignments": mine, "past": old,
            "secretary": f.secretary(community, username="sec"), "url": reverse("member_phone_answers",
                                                                               args=[member.pk])}


def _by_phone(action: str) -> AuditEntry:
    return AuditEntry.objects.get(action=f"shifts.phone_answer.{action}")


def test_the_member_page_leads_to_the_phone_answers_and_the_card(client, phoned):
    client.force_login(phoned["secretary"])
    page = client.get(reverse("member_edit", args=[phoned["member"].pk])).content.decode()
    assert phoned["url"] in page and f"/members/{phoned['member'].pk}/card/" in page
    page = client.get(phoned["url"]).content.decode()
    assert page.count('name="answer" value="cant_come"') == 2  # the week's two shifts, not the one that is over


def test_confirmed_by_phone_in_one_tap(client, phoned):
    confirmation = WeekConfirmation.objects.get(member=phoned["member"])
    client.force_login(phoned["secretary"])
    response = client.post(phoned["url"], {"answer": "confirmed", "confirmation": confirmation.pk})
    assert response.status_code == 302
    confirmation.refresh_from_db()
    assert confirmation.state == WeekConfirmation.State.CONFIRMED and confirmation.answered_by == phoned["secretary"]
    entry = _by_phone("confirmed")
    assert entry.actor == phoned["secretary"] and entry.data["via"] == "phone"
    assert entry.data["member"] == phoned["member"].pk
    assert AuditEntry.objects.filter(action="shifts.confirmation.confirmed").exists()


def test_cannot_come_by_phone_with_a_reason(client, phoned):
    assignment = phoned["assignments"][1]
    client.force_login(phoned["secretary"])
    response = client.post(phoned["url"], {"answer": "cant_come", "assignment": assignment.pk,
                                           f"a{assignment.pk}-reason": "hospital"})
    assert response.status_code == 302
    absence = Unavailability.objects.get(member=phoned["member"])
    assert (absence.start, absence.end, absence.reason) == (assignment.shift.start, assignment.shift.end,
                                                           "hospital")
    entry = _by_phone("cant_come")
    assert entry.data == {"member": phoned["member"].pk, "via": "phone", "shift": assignment.shift.pk,
                          "reason": "hospital"}
    assert AuditEntry.objects.filter(action="volunteers.absence.reported", actor=phoned["secretary"]).exists()


def test_away_from_to_by_phone(client, phoned):
    first = timezone.localdate() + dt.timedelta(days=8)
    client.force_login(phoned["secretary"])
    response = client.post(phoned["url"], {"answer": "away", "away-first_day": first.isoformat(),
                                           "away-last_day": (first + dt.timedelta(days=3)).isoformat(),
                                           "away-reason": "travel"})
    assert response.status_code == 302
    absence = Unavailability.objects.get(member=phoned["member"])
    assert timezone.localtime(absence.start).date() == first
    assert timezone.localtime(absence.end).date() == first + dt.timedelta(days=4)  # whole days, inclusive
    assert _by_phone("away").data["first_day"] == first.isoformat()


def test_bad_answers_are_refused_and_nothing_is_recorded(client, phoned):
    client.force_login(phoned["secretary"])
    url = phoned["url"]
    # a shift that is over
    past = phoned["past"]
    response = client.post(url, {"answer": "cant_come", "assignment": past.pk, f"a{past.pk}-reason": "illness"})
    assert response.status_code == 400 and "已经开始" in response.content.decode()
    # an end before the start
    first = timezone.localdate() + dt.timedelta(days=8)
    response = client.post(url, {"answer": "away", "away-first_day": first.isoformat(),
                                 "away-last_day": (first - dt.timedelta(days=2)).isoformat(),
                                 "away-reason": "travel"})
    assert response.status_code == 400
    assert response.context["away_form"].errors["last_day"]
    # an unknown answer, another member's week
    assert client.post(url, {"answer": "maybe"}).status_code == 400
    other = f.member(phoned["community"], name="张志强")
    theirs = WeekConfirmation.objects.create(member=other, community=phoned["community"],
                                             week_start=phoned["assignments"][0].roster.week_start,
                                             first_start=phoned["assignments"][0].shift.start)
    assert client.post(url, {"answer": "confirmed", "confirmation": theirs.pk}).status_code == 404
    assert not Unavailability.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="shifts.phone_answer.").exists()


def test_a_member_of_another_community_cannot_be_answered_for(client, phoned):
    elsewhere = f.secretary(f.community(name="和平里"), username="elsewhere")
    client.force_login(elsewhere)
    assignment = phoned["assignments"][0]
    assert client.get(phoned["url"]).status_code == 404
    response = client.post(phoned["url"], {"answer": "cant_come", "assignment": assignment.pk,
                                           f"a{assignment.pk}-reason": "illness"})
    assert response.status_code == 404 and not Unavailability.objects.exists()
    with pytest.raises(ValidationError) as err:
        phone_away(member=phoned["member"], first_day=timezone.localdate(), last_day=timezone.localdate(),
                   reason="travel", by=elsewhere)
    assert "member" in err.value.message_dict and not Unavailability.objects.exists()


def test_the_audit_labels_say_by_phone_in_words():
    with translation.override("zh-hans"):
        assert action_label("shifts.phone_answer.away").startswith("电话告知")
        assert action_label("shifts.phone_answer.confirmed").startswith("电话告知")
        assert action_label("shifts.phone_answer.cant_come").startswith("电话告知")

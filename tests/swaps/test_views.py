"""The swap pages: a member's whole flow through the forms, the secretary's inbox, CSRF, and tampered ids."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shifts.models import Roster, SwapRequest
from tests import factories

State = SwapRequest.State


def _client(**kwargs):
    return Client(headers={"accept-language": "en"}, **kwargs)


def _login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def member_client(world):
    return _login(_client(), factories.member_login(world.members["王秀英"]))


def test_member_offers_a_shift_and_a_colleague_takes_it(world, member_client):
    home = member_client.get(reverse("swap_home"))
    assert home.status_code == 200
    mine = world.holder("tue", "王秀英")
    url = reverse("swap_new", args=[mine.pk])
    assert url in home.content.decode()
    page = member_client.get(url, {"kind": "give_away"})
    assert page.status_code == 200 and "3" in page.content.decode()
    response = member_client.post(url, {"kind": "give_away", "expires": "120", "note": "家里有事"})
    assert response.status_code == 302
    swap = SwapRequest.objects.get()
    assert swap.kind == "give_away" and swap.note == "家里有事"
    assert swap.expires_at == world.shifts["tue"].start - dt.timedelta(hours=2)

    colleague = _login(_client(), factories.member_login(world.members["张桂兰"]))
    offers = colleague.get(reverse("swap_home")).content.decode()
    assert f'id="offer-{swap.pk}"' in offers
    colleague.post(reverse("swap_accept", args=[swap.pk]))
    swap.refresh_from_db()
    assert swap.state == State.ACCEPTED and swap.accepted_by == world.members["张桂兰"]

    secretary = _login(_client(), world.secretary)
    inbox = secretary.get(reverse("swap_inbox")).content.decode()
    assert f'id="swap-{swap.pk}"' in inbox
    secretary.post(reverse("swap_approve", args=[swap.pk]), {"note": "同意"})
    swap.refresh_from_db()
    assert swap.state == State.APPLIED
    assert world.on_shift("tue") == {"张桂兰"}


def test_cover_form_lists_only_fitting_colleagues_lightest_first(world, member_client):
    factories.caregiving(world.members["刘德明"], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    body = member_client.get(url, {"kind": "cover"}).content.decode()
    assert "刘德明" not in body
    assert body.index("张桂兰") < body.index("李建国")  # 李建国 already has a shift this week
    response = member_client.post(url, {"kind": "cover", "expires": "0",
                                        "invited": [world.members["刘德明"].pk]})
    assert response.status_code == 400
    assert "no longer on the list" in response.content.decode()
    assert not SwapRequest.objects.exists()


def test_form_says_why_nobody_fits(world, member_client):
    for name in ("李建国", "张桂兰", "刘德明"):
        factories.caregiving(world.members[name], weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    body = member_client.get(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                             {"kind": "give_away"}).content.decode()
    assert 'id="nobody"' in body
    assert "None of the 3 colleagues can take it: 3 are not available then." in body
    assert "Send the request" not in body


def test_direct_swap_through_the_form(world, member_client):
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    theirs = world.holder("thu", "李建国")
    assert "李建国" in member_client.get(url, {"kind": "direct"}).content.decode()
    member_client.post(url, {"kind": "direct", "expires": "0", "counterpart": theirs.pk})
    swap = SwapRequest.objects.get()
    assert swap.counterpart_assignment == theirs


def test_posts_without_csrf_token_are_rejected(world):
    login = factories.member_login(world.members["王秀英"])
    client = _client(enforce_csrf_checks=True)
    client.force_login(login)
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    assert client.post(url, {"kind": "give_away", "expires": "0"}).status_code == 403
    assert not SwapRequest.objects.exists()


def test_someone_elses_assignment_is_a_clear_404(world, member_client):
    response = member_client.get(reverse("swap_new", args=[world.holder("thu", "李建国").pk]), {"kind": "give_away"})
    assert response.status_code == 404
    assert "not one of yours" in response.content.decode()
    response = member_client.post(reverse("swap_new", args=[999999]), {"kind": "give_away", "expires": "0"})
    assert response.status_code == 404
    assert not SwapRequest.objects.exists()


def test_past_shift_and_closed_week_are_clear_errors(world, member_client):
    world.shifts["past"] = factories.shift(world.community, world.duty,
                                           timezone.now().replace(minute=0, second=0, microsecond=0)
                                           - dt.timedelta(hours=3), min_staff=1, max_staff=2)
    past = world.assign("past", "王秀英")
    response = member_client.post(reverse("swap_new", args=[past.pk]), {"kind": "give_away", "expires": "0"})
    assert response.status_code == 400 and "already started or is over" in response.content.decode()
    Roster.objects.filter(pk=world.roster.pk).update(status=Roster.Status.SUPERSEDED)
    response = member_client.post(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                                  {"kind": "give_away", "expires": "0"})
    assert response.status_code == 400 and "roster is closed" in response.content.decode()
    assert not SwapRequest.objects.exists()


def test_tampered_values_are_field_errors(world, member_client):
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    assert member_client.post(url, {"kind": "bogus", "expires": "0"}).status_code == 400
    response = member_client.post(url, {"kind": "give_away", "expires": "7"})
    assert response.status_code == 400
    response = member_client.post(url, {"kind": "direct", "expires": "0",
                                        "counterpart": world.holder("tue", "王秀英").pk})
    assert response.status_code == 400 and "no longer on the list" in response.content.decode()
    assert not SwapRequest.objects.exists()


def test_member_cannot_act_on_requests_not_meant_for_them(world, member_client):
    other = factories.community()
    stranger = factories.member(other, name="外人")
    stranger_client = _login(_client(), factories.member_login(stranger))
    member_client.post(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                       {"kind": "give_away", "expires": "0"})
    swap = SwapRequest.objects.get()
    assert stranger_client.post(reverse("swap_accept", args=[swap.pk])).status_code == 404
    assert stranger_client.post(reverse("swap_withdraw", args=[swap.pk])).status_code == 404
    colleague = _login(_client(), factories.member_login(world.members["张桂兰"]))
    response = colleague.post(reverse("swap_withdraw", args=[swap.pk]), follow=True)
    assert "Only the person who asked" in response.content.decode()
    swap.refresh_from_db()
    assert swap.state == State.OPEN


def test_inbox_is_for_staff_of_the_community_only(world, member_client):
    assert member_client.get(reverse("swap_inbox")).status_code == 404
    member_client.post(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                       {"kind": "give_away", "expires": "0"})
    swap = SwapRequest.objects.get()
    outsider = _login(_client(), factories.secretary(factories.community()))
    assert f"swap-{swap.pk}" not in outsider.get(reverse("swap_inbox")).content.decode()
    assert outsider.post(reverse("swap_approve", args=[swap.pk])).status_code == 404
    assert member_client.post(reverse("swap_approve", args=[swap.pk])).status_code == 404


def test_secretary_decline_and_history(world, member_client):
    member_client.post(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                       {"kind": "give_away", "expires": "0"})
    swap = SwapRequest.objects.get()
    _login(_client(), factories.member_login(world.members["张桂兰"])).post(reverse("swap_accept", args=[swap.pk]))
    secretary = _login(_client(), world.secretary)
    secretary.post(reverse("swap_reject", args=[swap.pk]), {"note": "请换别人"})
    swap.refresh_from_db()
    assert swap.state == State.DECLINED
    history = secretary.get(reverse("swap_inbox")).content.decode()
    assert f'id="history-{swap.pk}"' in history and "请换别人" in history
    assert world.on_shift("tue") == {"王秀英"}


def test_refusal_at_approval_is_shown_and_changes_nothing(world, member_client):
    member_client.post(reverse("swap_new", args=[world.holder("tue", "王秀英").pk]),
                       {"kind": "give_away", "expires": "0"})
    swap = SwapRequest.objects.get()
    taker = world.members["张桂兰"]
    _login(_client(), factories.member_login(taker)).post(reverse("swap_accept", args=[swap.pk]))
    factories.caregiving(taker, weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))
    response = _login(_client(), world.secretary).post(reverse("swap_approve", args=[swap.pk]), follow=True)
    assert "nothing changed" in response.content.decode()
    assert "张桂兰 is not available at that time" in response.content.decode()
    assert world.on_shift("tue") == {"王秀英"}


def test_absurd_ids_are_404_not_500(world, member_client):
    huge = 10**20
    assert member_client.get(reverse("swap_new", args=[huge]), {"kind": "give_away"}).status_code == 404
    assert member_client.post(reverse("swap_accept", args=[huge])).status_code == 404
    secretary = _login(_client(), world.secretary)
    assert secretary.post(reverse("swap_approve", args=[huge])).status_code == 404

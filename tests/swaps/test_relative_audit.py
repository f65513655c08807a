"""A relative acting for a member (亲属代办) is audited by the one guard, scheduler_site.access.member_required,
on the swap pages as on every other member page: every POST they make, whatever came of it, with its status.
The swap pages used to keep a copy of their own that wrote the entry before the view (so a refusal read as an
act), while the guard wrote it only for a status under 400 (so a refusal that redirects read as an act too, and
a view that failed after changing data left no entry)."""

import pytest
from django.test import Client
from django.urls import reverse

from shifts.models import SwapRequest
from volunteers.models import AuditEntry
from volunteers.services.logins import login_token_issue
from volunteers.services.proxies import proxy_add


@pytest.fixture
def relative(world):
    proxy = proxy_add(member=world.members["王秀英"], by=world.secretary, name="王小明", phone="13900000001",
                      relation="child", consent_note="电话中同意", forward_messages=False)
    _token, code = login_token_issue(member=world.members["王秀英"], by=world.secretary, proxy=proxy)
    client = Client(headers={"accept-language": "en"})
    assert client.post(reverse("member_code_login"), {"code": code}).status_code == 302
    proxy.refresh_from_db()
    return client, proxy


def _acted():
    return [(e.data["view"], e.data["status"], e.actor_id, e.object_id)
            for e in AuditEntry.objects.filter(action="volunteers.proxy.acted").order_by("pk")]


def test_every_post_of_a_relative_is_audited_with_what_came_of_it(world, relative):
    client, proxy = relative
    member = str(world.members["王秀英"].pk)
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    assert client.get(url, {"kind": "give_away"}).status_code == 200  # reading is not acting
    assert _acted() == []

    assert client.post(url, {"kind": "no_such_kind"}).status_code == 400  # refused: nothing changed
    assert client.post(url, {"kind": "give_away", "expires": "120", "note": ""}).status_code == 302
    swap = SwapRequest.objects.get()
    # withdrawing a swap that is not theirs to see: a 404, recorded as one
    assert client.post(reverse("swap_withdraw", args=[swap.pk + 1000])).status_code == 404
    assert client.post(reverse("swap_withdraw", args=[swap.pk])).status_code == 302
    swap.refresh_from_db()
    assert swap.state == SwapRequest.State.WITHDRAWN
    assert _acted() == [("swap_new", 400, proxy.user_id, member), ("swap_new", 302, proxy.user_id, member),
                        ("swap_withdraw", 404, proxy.user_id, member), ("swap_withdraw", 302, proxy.user_id, member)]


def test_the_member_themself_is_not_audited_as_a_relative(world):
    from tests import factories

    client = Client(headers={"accept-language": "en"})
    client.force_login(factories.member_login(world.members["王秀英"]))
    url = reverse("swap_new", args=[world.holder("tue", "王秀英").pk])
    assert client.post(url, {"kind": "give_away", "expires": "120", "note": ""}).status_code == 302
    assert _acted() == []

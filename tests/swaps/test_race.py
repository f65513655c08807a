"""Twenty colleagues press "I will take it" at the same moment: exactly one gets the shift.

Runs on PostgreSQL only (SQLite serialises every writer, so it cannot show the race): each thread has its own
database connection and its own transaction, and the SwapRequest row lock decides the winner."""

import os
import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from shifts.models import Assignment, SwapRequest
from shifts.swaps.requests import swap_request_accept, swap_request_create
from shifts.swaps.rules import SwapError
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
]

ACCEPTORS = 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("needs_approval", [False, True])
def test_twenty_parallel_acceptances_leave_one_winner(world, needs_approval):
    assert connection.vendor == "postgresql"
    world.community.swap_requires_approval = needs_approval
    world.community.save()
    shift = world.shifts["tue"]
    takers = [factories.member(world.community, name=f"队员{i:02d}") for i in range(ACCEPTORS)]
    swap = swap_request_create(requester=world.members["王秀英"], kind=SwapRequest.Kind.GIVE_AWAY,
                               assignment=world.holder("tue", "王秀英"))
    start = threading.Barrier(ACCEPTORS)
    won, lost, crashed = [], [], []

    def accept(member):
        try:
            start.wait(timeout=30)
            with translation.override("en"):  # the active language is per thread
                swap_request_accept(swap=SwapRequest(pk=swap.pk), member=member)
            won.append(member.pk)
        except SwapError as exc:
            lost.append(exc.message)
        except Exception as exc:  # anything else is a bug the test must show
            crashed.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(m,)) for m in takers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert crashed == []
    assert len(won) == 1, (won, lost)
    assert len(lost) == ACCEPTORS - 1
    assert all("already taken" in message for message in lost), lost
    swap.refresh_from_db()
    assert swap.accepted_by_id == won[0]
    staffed = Assignment.objects.filter(roster=world.roster, shift=shift)
    assert staffed.count() == 1  # never over-staffed: one slot changed hands, no slot added
    expected = {won[0]} if not needs_approval else {world.members["王秀英"].pk}
    assert set(staffed.values_list("member_id", flat=True)) == expected
    assert swap.state == (SwapRequest.State.ACCEPTED if needs_approval else SwapRequest.State.APPLIED)

"""Answers to one welfare ladder arriving together (a key press, the member checking in at the kiosk, the secretary's
button "ill", a relative's key press): exactly one outcome is recorded, at most one absence, one audit entry.

Runs on PostgreSQL only (SQLite serialises every writer, so it cannot show the race): each thread has its own
database connection and transaction."""

import os

import pytest

from shifts.delivered.attendance import attendance_check_in
from shifts.delivered.welfare_ladder import welfare_answer
from shifts.models import NoShowCheck, WelfareLadder
from tests.races import at_once
from volunteers.models import AuditEntry, Unavailability

from .conftest import WEEK, aware

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
                       reason="needs DATABASE_URL pointing at PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

ANSWERS = 12




def test_simultaneous_answers_record_one_outcome(team):
    mate, shift = team["mate"], team["shift"]
    check = NoShowCheck.objects.create(shift=shift, member=mate)
    ladder = WelfareLadder.objects.create(shift=shift, member=mate, trigger="no_show", no_show=check,
                                          due_at=aware(WEEK, 9, 20), next_at=aware(WEEK, 9, 35))
    outcomes = ["ill", "on_way", "safe_home"]
    calls = [lambda o=outcomes[i % 3]: welfare_answer(ladder=ladder, outcome=o, via="key")[1]
             for i in range(ANSWERS - 2)]
    calls += [lambda: attendance_check_in(member=mate, shift=shift, now=aware(WEEK, 9, 40)) and None] * 2
    results = at_once(calls)
    assert not [r for r in results if isinstance(r, Exception)], results
    ladder.refresh_from_db()
    recorded = [r for r in results[:ANSWERS - 2] if r]
    assert ladder.outcome in outcomes
    assert len(recorded) <= 1  # a check-in may be the one that won
    assert AuditEntry.objects.filter(action__startswith="shifts.welfare.").count() == 1
    assert Unavailability.objects.filter(member=mate).count() == (1 if ladder.outcome == "ill" else 0)
    assert NoShowCheck.objects.get().outcome == {"ill": "ill", "on_way": "reached", "safe_home": "safe_home"}[
        ladder.outcome]

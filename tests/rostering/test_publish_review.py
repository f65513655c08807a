"""Review (pin, remove, add with override) and publish (atomic, versioned, diffed, notified once)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import translation

from shifts import signals, tasks
from shifts.models import Assignment, Notification, Roster, Shift, SolveRun
from shifts.rostering.review import assignment_add, assignment_pin, assignment_remove
from shifts.rostering.rosters import roster_generate, roster_publish
from tests import factories as f
from volunteers.models import AuditEntry

pytestmark = pytest.mark.django_db

def roster_mail() -> list:
    """The messages a publish sends the members whose shifts changed, one each: the request to confirm the week
    saying what changed (or the change, for a member with nothing left to confirm). Teammates told that their
    partner changed are not counted here (partner_mail)."""
    return [m for m in mail.outbox if m not in partner_mail()]


def partner_mail() -> list:
    return [m for m in mail.outbox if "搭档" in m.subject or "partner" in m.subject]



@pytest.fixture
def draft(town, q_sync, run_on_commit):
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    return run.result


def _free_member_for(draft, shift, members):
    taken = set(draft.assignments.filter(shift=shift).values_list("member_id", flat=True))
    return next(m for m in members if m.pk not in taken)


def test_first_publish_versions_diffs_and_notifies_everyone_assigned(town, draft, run_on_commit):
    received = []
    signals.assignments_changed.connect(lambda **kw: received.append(kw), weak=False, dispatch_uid="t1")
    try:
        mail.outbox.clear()
        roster = run_on_commit(roster_publish, roster=draft, by=town["secretary"])
    finally:
        signals.assignments_changed.disconnect(dispatch_uid="t1")
    assert roster.status == Roster.Status.PUBLISHED and roster.version == 1
    assigned = set(draft.assignments.values_list("member_id", flat=True))
    assert {d["member"] for d in roster.diff["added"]} == assigned and roster.diff["removed"] == []
    assert received and received[0]["member_ids"] == assigned
    assert sorted(m.to[0] for m in roster_mail()) == sorted(f"m{i}@example.org" for i in range(8)
                                                          if town["members"][i].pk in assigned)
    assert Shift.objects.filter(sequence=1).count() == len({d["shift"] for d in roster.diff["added"]})
    assert AuditEntry.objects.filter(action="shifts.roster.published", object_id=str(roster.pk)).exists()


def test_republish_supersedes_and_records_only_the_changes(town, draft, q_sync, run_on_commit):
    first = run_on_commit(roster_publish, roster=draft, by=None)
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"],
                        kind=SolveRun.Kind.RESOLVE)
    run.refresh_from_db()
    second_draft = run.result
    moved = second_draft.assignments.select_related("shift", "member").first()
    newcomer = _free_member_for(second_draft, moved.shift, town["members"])
    assignment_remove(roster=second_draft, shift=moved.shift, member=moved.member, by=None)
    assignment_add(roster=second_draft, shift=moved.shift, member=newcomer, by=None, override_reason="test swap")
    sequence_before = Shift.objects.get(pk=moved.shift_id).sequence
    mail.outbox.clear()
    second = run_on_commit(roster_publish, roster=second_draft, by=None)
    first.refresh_from_db()
    assert first.status == Roster.Status.SUPERSEDED
    assert second.version == 2 and second.based_on_id == first.pk
    assert second.diff == {"added": [{"shift": moved.shift_id, "member": newcomer.pk}],
                           "removed": [{"shift": moved.shift_id, "member": moved.member_id}]}
    assert Shift.objects.get(pk=moved.shift_id).sequence == sequence_before + 1
    assert sorted(m.to[0] for m in roster_mail()) == sorted([moved.member.email, newcomer.email])
    # The notification task retried: nobody is mailed twice.
    tasks.notify_roster_published(second.pk)
    assert len(roster_mail()) == 2
    assert Notification.objects.filter(Q(dedupe_key__startswith=f"roster:{second.pk}:")
                                       | Q(dedupe_key__startswith="confirm:", dedupe_key__endswith=":v2"),
                                       status=Notification.Status.SENT).exclude(kind="partner_changed").count() == 2
    # Whoever stayed on the shift hears once that their partner changed.
    stayed = set(second.assignments.filter(shift=moved.shift).exclude(member=newcomer)
                 .values_list("member__email", flat=True))
    assert sorted(m.to[0] for m in partner_mail()) == sorted(stayed)


def test_published_roster_cannot_be_edited(town, draft, run_on_commit):
    roster = run_on_commit(roster_publish, roster=draft, by=None)
    a = roster.assignments.first()
    with pytest.raises(ValidationError) as err:
        assignment_remove(roster=roster, shift=a.shift, member=a.member, by=None)
    assert "roster" in err.value.message_dict


def test_adding_by_hand_against_a_rule_needs_an_override_which_is_recorded(town, draft):
    shift = draft.assignments.filter(shift__duty=town["mediation"]).first().shift
    plain = town["members"][7]  # no mediation skill
    with pytest.raises(ValidationError) as err, translation.override("en"):
        assignment_add(roster=draft, shift=shift, member=plain, by=town["secretary"])
    assert "override_reason" in err.value.message_dict
    message = str(err.value.message_dict["override_reason"][0])
    assert "lacks a required skill" in message and "H3" not in message  # plain words, never the rule's code
    added = assignment_add(roster=draft, shift=shift, member=plain, by=town["secretary"],
                           override_reason="trainee shadowing")
    assert added.override_reason == "trainee shadowing" and added.pinned and added.source == Assignment.Source.MANUAL
    entry = AuditEntry.objects.get(action="shifts.assignment.overridden")
    assert entry.reason == "trainee shadowing" and entry.data["violations"]


def test_adding_by_hand_within_the_rules_needs_no_override(town, week_start):
    community = town["community"]
    roster = Roster.objects.create(community=community, week_start=week_start)
    shift = f.shift(community, town["patrol"], dt.datetime.combine(week_start, dt.time(18, 0)), min_staff=1)
    member = town["members"][0]  # first-aider: leads the patrol
    added = assignment_add(roster=roster, shift=shift, member=member, by=None)
    assert added.override_reason == ""
    assert AuditEntry.objects.filter(action="shifts.assignment.added").exists()
    assignment_pin(roster=roster, shift=shift, member=member, by=None, pinned=False)
    assert not Assignment.objects.get(pk=added.pk).pinned
    with pytest.raises(ValidationError) as err:
        assignment_add(roster=roster, shift=shift, member=member, by=None)
    assert "member" in err.value.message_dict

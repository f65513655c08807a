"""Re-plan on events: an absence on a published week gives a minimal-change proposal or a direct publish."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from shifts.models import Roster, Shift, SolveRun
from shifts.rostering.absences import absence_report
from shifts.rostering.follow import plans_follow
from shifts.rostering.repair import proposal_apply, proposal_discard
from shifts.rostering.rosters import roster_generate, roster_publish
from volunteers.models import AuditEntry, Unavailability

from .conftest import aware

pytestmark = pytest.mark.django_db

def roster_mail() -> list:
    """The messages a publish sends the members whose shifts changed, one each (the request to confirm the week
    says what changed); not those telling teammates that their partner changed."""
    return [m for m in mail.outbox if "搭档" not in m.subject and "partner" not in m.subject]



@pytest.fixture
def published(town, q_sync, run_on_commit):
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    return run_on_commit(roster_publish, roster=run.result, by=None)


def _busiest(roster):
    counts = {}
    for member_id in roster.assignments.values_list("member_id", flat=True):
        counts[member_id] = counts.get(member_id, 0) + 1
    return max(counts, key=counts.get)


def _report_illness(town, member_id, run_on_commit):
    member = next(m for m in town["members"] if m.pk == member_id)
    week = town["week_start"]
    return member, run_on_commit(absence_report, member=member, start=aware(week, 0),
                                 end=aware(week + dt.timedelta(days=7), 0),
                                 reason=Unavailability.Reason.ILLNESS, by=None)


def test_illness_takes_the_member_off_at_once_and_proposes_cover_for_only_her_shifts(town, published,
                                                                                      run_on_commit):
    ill_id = _busiest(published)
    ill_shifts = set(published.assignments.filter(member_id=ill_id).values_list("shift_id", flat=True))
    sequences = dict(Shift.objects.filter(pk__in=ill_shifts).values_list("pk", "sequence"))
    untouched = set(published.assignments.exclude(member_id=ill_id).values_list("shift_id", "member_id"))
    mail.outbox.clear()
    member, _absence = _report_illness(town, ill_id, run_on_commit)
    # What she said binds at once: the published roster no longer books her, and calendars take the change.
    assert not published.assignments.filter(member_id=ill_id).exists()
    assert set(published.assignments.values_list("shift_id", "member_id")) == untouched
    assert all(s.sequence == sequences[s.pk] + 1 for s in Shift.objects.filter(pk__in=ill_shifts))
    assert AuditEntry.objects.filter(action="shifts.assignment.withdrawn", data__member=ill_id).exists()
    # The re-plan only looks for cover on her shifts, and never puts her back.
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL)
    assert proposal.based_on_id == published.pk
    assert proposal.diff["removed"] == []
    added = proposal.diff["added"]
    assert added and {d["shift"] for d in added} <= ill_shifts and ill_id not in {d["member"] for d in added}
    assert untouched <= set(proposal.assignments.values_list("shift_id", "member_id"))
    expected_urgent = Shift.objects.filter(pk__in={d["shift"] for d in added},
                                           start__lt=timezone.now() + dt.timedelta(hours=48)).exists()
    assert proposal.urgent == expected_urgent
    assert proposal.cause == {"kind": "availability", "member": ill_id, "name": member.name, "reason": "illness"}
    assert Roster.objects.get(pk=published.pk).status == Roster.Status.PUBLISHED
    assert sorted(m.to[0] for m in roster_mail()) == sorted([member.email, "sec@example.org"])
    run = SolveRun.objects.get(kind=SolveRun.Kind.REPAIR)
    assert run.status == SolveRun.Status.SUCCEEDED and run.time_limit == 2


def test_applying_the_proposal_publishes_it_and_notifies_the_changed_members(town, published, run_on_commit):
    ill_id = _busiest(published)
    _report_illness(town, ill_id, run_on_commit)
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL)
    mail.outbox.clear()
    applied = run_on_commit(proposal_apply, roster=proposal, by=town["secretary"])
    assert applied.status == Roster.Status.PUBLISHED and applied.version == 2
    changed = {d["member"] for key in ("added", "removed") for d in applied.diff[key]}
    emails = {m.email for m in town["members"] if m.pk in changed}
    assert {m.to[0] for m in roster_mail()} == emails and len(roster_mail()) == len(emails)
    assert AuditEntry.objects.filter(action="shifts.roster.proposal_applied").exists()
    with pytest.raises(ValidationError):
        proposal_apply(roster=applied, by=None)


def test_discarded_proposal_leaves_the_published_roster(town, published, run_on_commit):
    _report_illness(town, _busiest(published), run_on_commit)
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL)
    proposal_discard(roster=proposal, by=town["secretary"], reason="I will call someone")
    assert Roster.objects.get(pk=proposal.pk).status == Roster.Status.DISCARDED
    assert Roster.objects.get(pk=published.pk).status == Roster.Status.PUBLISHED


def test_auto_apply_publishes_the_repair_directly(town, published, run_on_commit):
    community = town["community"]
    community.auto_apply_repairs = True
    community.save()
    ill_id = _busiest(published)
    _report_illness(town, ill_id, run_on_commit)
    current = Roster.objects.get(community=community, status=Roster.Status.PUBLISHED)
    assert current.version == 2 and current.pk != published.pk
    assert not current.assignments.filter(member_id=ill_id).exists()
    assert Roster.objects.get(pk=published.pk).status == Roster.Status.SUPERSEDED


def test_no_repair_for_unpublished_weeks_or_members_without_shifts(town, q_sync, published, run_on_commit):
    assert plans_follow(community=town["community"], week_start=town["week_start"] + dt.timedelta(days=7),
                        cause="removed") == []
    idle = [m for m in town["members"] if not published.assignments.filter(member=m).exists()]
    if idle:
        assert plans_follow(member=idle[0], cause="inactive") == []


def test_a_member_the_secretary_deactivates_is_planned_out_of_the_published_week(town, published, run_on_commit):
    """The secretary's action (volunteers.services.retention.member_deactivate) announces the change through
    volunteers' availability service; shifts takes the member off at once and re-plans the week."""
    from volunteers.models import Member
    from volunteers.services.retention import member_deactivate

    leaving = _busiest(published)
    held = set(published.assignments.filter(member_id=leaving).values_list("shift_id", flat=True))
    run_on_commit(member_deactivate, member=Member.objects.get(pk=leaving), by=town["secretary"], reason="moved away")
    assert not published.assignments.filter(member_id=leaving).exists()  # off the published roster at once
    assert AuditEntry.objects.filter(action="shifts.assignment.withdrawn", data__member=leaving).exists()
    proposal = Roster.objects.get(status=Roster.Status.PROPOSAL)
    assert not proposal.assignments.filter(member_id=leaving).exists()
    assert proposal.cause["kind"] == "availability" and proposal.cause["member"] == leaving
    assert proposal.diff["added"] and leaving not in {d["member"] for d in proposal.diff["added"]}
    assert {d["shift"] for d in proposal.diff["added"]} <= held  # cover is found for the shifts they held


def test_an_absence_while_a_resolve_waits_is_repaired_after_it(town, published, run_on_commit,
                                                                django_capture_on_commit_callbacks):
    from shifts import tasks

    with django_capture_on_commit_callbacks(execute=False):
        resolve = roster_generate(community=town["community"], week_start=town["week_start"],
                                  kind=SolveRun.Kind.RESOLVE)
    _report_illness(town, _busiest(published), run_on_commit)
    assert not Roster.objects.filter(status=Roster.Status.PROPOSAL).exists()  # the waiting re-solve absorbed it
    run_on_commit(tasks.solve_run, resolve.pk)
    assert SolveRun.objects.get(kind=SolveRun.Kind.REPAIR).status == SolveRun.Status.SUCCEEDED
    assert Roster.objects.filter(status=Roster.Status.PROPOSAL).exists()


def test_a_publish_is_one_fact_and_the_feeds_take_it_once(town, q_sync, run_on_commit):
    """roster_publish sends assignments_changed once (nothing else), so each feed's generation rises by one."""
    from shifts import signals
    from shifts.feeds.services import community_scope
    from shifts.models import FeedCounter

    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    scope = community_scope(town["community"].pk)
    before = FeedCounter.objects.filter(scope=scope).values_list("value", flat=True).first() or 0
    sent = []
    signals.assignments_changed.connect(lambda **kw: sent.append(kw), weak=False, dispatch_uid="one-fact")
    try:
        roster = run_on_commit(roster_publish, roster=run.result, by=None)
    finally:
        signals.assignments_changed.disconnect(dispatch_uid="one-fact")
    assert len(sent) == 1
    assert sent[0]["shift_ids"] == set(roster.assignments.values_list("shift_id", flat=True))
    assert sent[0]["removed"] == []
    assert FeedCounter.objects.get(scope=scope).value == before + 1

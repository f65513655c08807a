"""The four ways Yure used to lose track of what people told it, each through the real services and pages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from shifts.models import Assignment, Roster, ShiftExclusion, SolveRun, SwapRequest
from shifts.rostering.absences import absence_report
from shifts.rostering.review import assignment_remove
from shifts.rostering.rosters import PublishConflicts, roster_generate, roster_publish
from shifts.swaps.requests import swap_request_accept, swap_request_approve, swap_request_create
from volunteers.models import AuditEntry

from .conftest import aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(town, q_sync, run_on_commit):
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    return run.result


def _first_patrol(roster, town):
    return (roster.assignments.filter(shift__duty=town["patrol"]).select_related("shift", "member")
            .order_by("shift__start", "member__name").first())


def _away(member, roster, town, run_on_commit, **capture):
    """The member reports the whole week away, as /me/away/ does."""
    week = town["week_start"]
    return run_on_commit(absence_report, member=member, start=aware(week, 0),
                         end=aware(week + dt.timedelta(days=7), 0), reason="travel", by=None)


def test_a_period_away_re_solves_the_open_draft_and_publishing_never_books_her(town, draft, run_on_commit):
    away = _first_patrol(draft, town).member
    _away(away, draft, town, run_on_commit)
    current = Roster.objects.get(community=town["community"], status=Roster.Status.DRAFT)
    assert current.pk != draft.pk  # solved again on the queue
    assert not current.assignments.filter(member=away).exists()
    assert SolveRun.objects.filter(kind=SolveRun.Kind.RESOLVE, status=SolveRun.Status.SUCCEEDED).exists()
    published = run_on_commit(roster_publish, roster=current, by=town["secretary"])
    assert not published.assignments.filter(member=away).exists()


def test_a_conflict_waiting_for_the_queue_is_marked_and_publish_refuses_it(town, draft, client,
                                                                           django_capture_on_commit_callbacks):
    away = _first_patrol(draft, town).member
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not picked up the re-solve yet
        absence_report(member=away, start=aware(town["week_start"], 0),
                       end=aware(town["week_start"] + dt.timedelta(days=7), 0), reason="travel")
    client.force_login(town["secretary"])
    week = town["week_start"].isoformat()
    with translation.override("zh-hans"):
        grid = client.get(reverse("roster_week", args=[town["community"].pk, week]),
                          HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'class="badge conflict"' in grid and away.name in grid
    with pytest.raises(PublishConflicts) as refused:
        roster_publish(roster=draft, by=town["secretary"])
    assert all(away.name in line for line in refused.value.lines)
    page = client.post(reverse("roster_publish", args=[town["community"].pk, week]), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 409
    body = page.content.decode()
    assert away.name in body and "Re-solve (keeps pinned)" in body and "Publish anyway" in body
    assert Roster.objects.get(pk=draft.pk).status == Roster.Status.DRAFT
    published = client.post(reverse("roster_publish", args=[town["community"].pk, week]),
                            {"override": "1", "override_reason": "她说周一上午可以来"})
    assert published.status_code == 302
    assert Roster.objects.get(pk=draft.pk).status == Roster.Status.PUBLISHED
    entry = AuditEntry.objects.get(action="shifts.roster.published_over_conflicts")
    assert entry.reason == "她说周一上午可以来" and {c["member"] for c in entry.data["conflicts"]} == {away.pk}


def test_a_replan_never_puts_back_the_member_who_gave_the_shift_away(town, draft, run_on_commit):
    published = run_on_commit(roster_publish, roster=draft, by=town["secretary"])
    full = next(a for a in published.assignments.select_related("shift", "member").order_by("shift__start")
                if a.shift.duty == town["patrol"])
    giver, shift = full.member, full.shift
    on_shift = set(published.assignments.filter(shift=shift).values_list("member_id", flat=True))
    taker = next(m for m in town["members"] if m.pk not in on_shift and m.pk != giver.pk
                 and not published.assignments.filter(member=m, shift__start__date=shift.start.date()).exists()
                 and published.assignments.filter(member=m).count() < 3)
    swap = run_on_commit(swap_request_create, requester=giver, kind=SwapRequest.Kind.COVER, assignment=full,
                         invited=[taker])
    run_on_commit(swap_request_accept, swap=swap, member=taker)
    run_on_commit(swap_request_approve, swap=swap, by=town["secretary"])
    assert ShiftExclusion.objects.filter(shift=shift, member=giver, cause="gave_away").exists()
    teammate = published.assignments.filter(shift=shift).exclude(member=taker).select_related("member").first()
    run_on_commit(absence_report, member=teammate.member, start=shift.start, end=shift.end, reason="illness")
    for roster in Roster.objects.filter(community=town["community"], status__in=["proposal", "published"]):
        staff = list(roster.assignments.filter(shift=shift).values_list("member_id", flat=True))
        assert giver.pk not in staff and len(staff) <= shift.max_staff, (roster, staff)


def test_the_secretary_removals_with_a_reason_hold_through_a_re_solve(town, draft, run_on_commit, client):
    rows = list(draft.assignments.select_related("shift", "member").order_by("shift__start", "member__name")[:3])
    for a in rows:
        run_on_commit(assignment_remove, roster=draft, shift=a.shift, member=a.member, by=town["secretary"],
                      reason="本人说这周不方便")
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"],
                        kind=SolveRun.Kind.RESOLVE)
    run.refresh_from_db()
    again = run.result
    assert again.pk != draft.pk
    for a in rows:
        assert not Assignment.objects.filter(roster=again, shift=a.shift, member=a.member).exists()
    client.force_login(town["secretary"])
    grid = client.get(reverse("roster_week", args=[town["community"].pk, town["week_start"].isoformat()]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{rows[0].member.name} 已移出：本人说这周不方便" in grid


def test_a_removal_without_a_reason_binds_the_next_re_solve_too(town, draft, run_on_commit, client):
    """重新计算 used to put back whoever the secretary took off without a reason; the reason is optional, the
    decision is not."""
    a = _first_patrol(draft, town)
    run_on_commit(assignment_remove, roster=draft, shift=a.shift, member=a.member, by=town["secretary"])
    exclusion = ShiftExclusion.objects.get()
    assert (exclusion.shift_id, exclusion.member_id, exclusion.cause) == (a.shift_id, a.member_id, "removed")
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"],
                        kind=SolveRun.Kind.RESOLVE)
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    assert not Assignment.objects.filter(roster=run.result, shift=a.shift, member=a.member).exists()
    client.force_login(town["secretary"])
    grid = client.get(reverse("roster_week", args=[town["community"].pk, town["week_start"].isoformat()]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"{a.member.name} 已移出：书记已移出" in grid
    assert "重新计算时不会再排上" in grid


def test_adding_back_by_hand_lifts_the_exclusion(town, draft, run_on_commit):
    from shifts.rostering.review import assignment_add

    a = _first_patrol(draft, town)
    run_on_commit(assignment_remove, roster=draft, shift=a.shift, member=a.member, by=None, reason="临时有事")
    assignment_add(roster=draft, shift=a.shift, member=a.member, by=town["secretary"], override_reason="又能来了")
    assert not ShiftExclusion.objects.exists()
    assert AuditEntry.objects.get(action__in=["shifts.assignment.added", "shifts.assignment.overridden"]).data[
        "exclusion_lifted"]


def test_a_replan_proposal_says_why_in_words_and_lists_its_changes(town, draft, run_on_commit, client):
    published = run_on_commit(roster_publish, roster=draft, by=town["secretary"])
    ill = _first_patrol(published, town)
    run_on_commit(absence_report, member=ill.member, start=ill.shift.start, end=ill.shift.end, reason="illness")
    proposal = Roster.objects.get(community=town["community"], status=Roster.Status.PROPOSAL)
    client.force_login(town["secretary"])
    url = reverse("roster_week", args=[town["community"].pk, town["week_start"].isoformat()]) + "?show=proposal"
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"因{ill.member.name}生病请假重新安排" in zh and "illness" not in zh
    added = proposal.diff["added"][0]
    newcomer = next(m for m in town["members"] if m.pk == added["member"])
    assert 'class="diff-added"' in zh and newcomer.name in zh
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Re-planned because {ill.member.name} is ill" in en

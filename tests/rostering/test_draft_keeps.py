"""Re-solving a draft after an absence keeps what it can: the draft counts as `previous`, so only the shifts the
absence touches change, and the secretary sees what changed on the week page."""

import datetime as dt

import pytest
from django.urls import reverse

from shifts.models import Roster, SolveRun
from shifts.rostering.absences import absence_report
from shifts.rostering.rosters import roster_generate

from .conftest import aware

pytestmark = pytest.mark.django_db


def _pairs(roster):
    return set(roster.assignments.values_list("shift_id", "member_id"))


def test_one_member_away_changes_only_that_members_shifts_of_the_draft(town, q_sync, run_on_commit, client):
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    draft = run.result
    before = _pairs(draft)
    away = (draft.assignments.filter(shift__duty=town["patrol"]).select_related("member")
            .order_by("shift__start", "member__name").first().member)
    theirs = {(s, m) for s, m in before if m == away.pk}
    assert theirs
    week = town["week_start"]
    run_on_commit(absence_report, member=away, start=aware(week, 0), end=aware(week + dt.timedelta(days=7), 0),
                  reason="travel", by=None)
    again = Roster.objects.get(community=town["community"], week_start=week, status=Roster.Status.DRAFT)
    assert again.pk != draft.pk
    assert SolveRun.objects.filter(kind=SolveRun.Kind.RESOLVE, status=SolveRun.Status.SUCCEEDED).exists()
    after = _pairs(again)
    removed, added = before - after, after - before
    assert removed == theirs  # nobody else lost a place
    assert len(added) == len(theirs)  # each of their places filled by one other member, nothing else moved
    assert {s for s, _m in added} == {s for s, _m in theirs}
    assert len(removed) + len(added) == 2 * len(theirs)

    client.force_login(town["secretary"])
    page = client.get(reverse("roster_week", args=[town["community"].pk, week.isoformat()]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="draft-changes"' in page and "草稿已重新计算" in page
    assert page.count('class="diff-removed"') == len(theirs)
    assert page.count('class="diff-added"') == len(theirs)


def test_a_re_solve_the_secretary_asks_for_starts_afresh_and_shows_no_draft_changes(town, q_sync, run_on_commit,
                                                                                     client):
    run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"],
                        kind=SolveRun.Kind.RESOLVE)
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED and "replaced_draft" not in run.result.cause
    client.force_login(town["secretary"])
    page = client.get(reverse("roster_week", args=[town["community"].pk, town["week_start"].isoformat()]),
                      HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'id="draft-changes"' not in page

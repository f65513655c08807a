"""A member who says they cannot come to one shift gets no other shift of that week from a re-plan.

Through the real path: absence_report -> plans_follow -> the re-plan on the queue (sync) -> the problem sent to
the optimizer -> the proposal. The weeks are built so the fewest-changes re-plan has every reason to give the
member another shift (the only one with the skill a short shift needs, and room under their weekly limit once
they withdrew): before the fix it did.
"""

import datetime as dt
import random

import pytest

from shifts.models import Roster, SolveRun
from shifts.rostering.absences import absence_report
from shifts.rostering.affected import proposal_affected
from shifts.rostering.repair import proposal_apply
from shifts.rostering.review import assignment_add
from shifts.rostering.rosters import roster_generate
from tests import factories as f
from volunteers.models import Unavailability

from .conftest import aware

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(week_start, q_sync):
    """Two patrols a day Monday to Thursday (one person each) and a Friday home visit only counsellors may make.

    老李 is the one counsellor; her limit is two shifts and she holds the Monday and Wednesday patrols, so the
    visit was published short. 老王, 老张 and 老陈 take the other patrols and may cover hers.
    """
    community = f.community(name="长乐里")
    patrol = f.duty("patrol")
    visiting = f.duty("visiting", required_skills=("counsel",))
    li = f.member(community, name="老李", skills=("counsel",), max_shifts_per_week=2)
    others = [f.member(community, name=name, max_shifts_per_week=3) for name in ("老王", "老张", "老陈")]
    patrols = [f.shift(community, patrol, aware(week_start + dt.timedelta(days=day), 9), min_staff=1, max_staff=1)
               for day in range(4)]
    visit = f.shift(community, visiting, aware(week_start + dt.timedelta(days=4), 14), min_staff=1, max_staff=1)
    secretary = f.secretary(community)
    f.published_roster(community, week_start, {patrols[0]: [li], patrols[1]: [others[0]], patrols[2]: [li],
                                               patrols[3]: [others[1]]},
                       by=secretary, override_reason="the visit waits for a counsellor")
    return {"community": community, "li": li, "others": others, "patrols": patrols, "visit": visit,
            "secretary": secretary, "week_start": week_start}


def _cannot_come(member, shift, run_on_commit, reason=Unavailability.Reason.ILLNESS):
    """What 我来不了 on one shift records (shifts.rostering.absences.absence_report, as /me/ does)."""
    return run_on_commit(absence_report, member=member, start=shift.start, end=shift.end, reason=reason, by=None)


def _proposal(week) -> Roster:
    return Roster.objects.get(community=week["community"], status=Roster.Status.PROPOSAL)


def _added(roster) -> set[tuple[int, int]]:
    return {(d["shift"], d["member"]) for d in roster.diff.get("added", [])}


def test_a_member_who_cannot_come_is_not_given_another_shift_of_the_week(week, run_on_commit):
    li, monday, wednesday, visit = week["li"], week["patrols"][0], week["patrols"][2], week["visit"]
    _cannot_come(li, monday, run_on_commit)
    proposal = _proposal(week)
    # Cover for her Monday, and nothing new for her: the visit only she could make stays short.
    assert {m for _s, m in _added(proposal)} and li.pk not in {m for _s, m in _added(proposal)}
    assert {s for s, _m in _added(proposal)} == {monday.pk}
    assert not proposal.assignments.filter(shift=visit).exists()
    # The shift she still holds is kept.
    assert proposal.assignments.filter(member=li, shift=wednesday).exists()
    assert proposal.diff["removed"] == []
    # The preview says what adopting it sends: nothing to her (she was taken off at once and told then).
    assert li.pk not in {a.member.pk for a in proposal_affected(proposal)}


def test_several_absences_in_one_week_none_of_them_is_given_a_new_shift(week, run_on_commit):
    li, wang = week["li"], week["others"][0]
    wang.skills.add(f.skill("counsel"))  # now two could make the visit; both say they cannot come to a patrol
    _cannot_come(li, week["patrols"][0], run_on_commit)
    _cannot_come(wang, week["patrols"][1], run_on_commit, reason=Unavailability.Reason.FAMILY)
    proposal = _proposal(week)
    assert not {li.pk, wang.pk} & {m for _s, m in _added(proposal)}
    assert proposal.assignments.filter(member=li, shift=week["patrols"][2]).exists()
    assert not proposal.assignments.filter(shift=week["visit"]).exists()


def test_the_secretary_may_still_give_her_another_shift_by_hand_and_later_re_plans_keep_it(week, run_on_commit):
    """She withdrew from Monday and then offered to make the Friday visit: the secretary adds her by hand to the
    re-plan proposal (no override needed) and adopts it; the next member's absence re-plans without moving her."""
    li, visit = week["li"], week["visit"]
    _cannot_come(li, week["patrols"][0], run_on_commit)
    proposal = _proposal(week)
    assignment_add(roster=proposal, shift=visit, member=li, by=week["secretary"])
    published = run_on_commit(proposal_apply, roster=proposal, by=week["secretary"])
    assert published.assignments.filter(member=li, shift=visit).exists()
    _cannot_come(week["others"][1], week["patrols"][3], run_on_commit)
    again = _proposal(week)
    assert {(visit.pk, li.pk), (week["patrols"][2].pk, li.pk)} <= set(
        again.assignments.values_list("shift_id", "member_id"))


def test_the_secretarys_own_re_plan_of_the_week_holds_it_too(week, run_on_commit):
    """重新计算 after the withdrawal (a draft from the published week) gives her nothing new either: what she said
    binds every plan of the week, and only a person adds her back."""
    li = week["li"]
    _cannot_come(li, week["patrols"][0], run_on_commit)
    run = run_on_commit(roster_generate, community=week["community"], week_start=week["week_start"],
                        kind=SolveRun.Kind.RESOLVE, by=week["secretary"])
    run.refresh_from_db()
    assert run.status == SolveRun.Status.SUCCEEDED, run.error
    assert set(run.result.assignments.filter(member=li).values_list("shift_id", flat=True)) == {
        week["patrols"][2].pk}


@pytest.mark.parametrize("seed", range(4))
def test_property_no_withdrawn_member_is_added_anywhere_in_the_week(town, seed, q_sync, run_on_commit):
    """On the town's generated and published week, members chosen at random each say they cannot come to one
    of their shifts: every re-plan proposal adds none of them anywhere, and keeps their other shifts."""
    from shifts.rostering.rosters import roster_publish

    run = run_on_commit(roster_generate, community=town["community"], week_start=town["week_start"])
    run.refresh_from_db()
    published = run_on_commit(roster_publish, roster=run.result, by=None)
    rng = random.Random(seed)
    held = {}
    for a in published.assignments.select_related("member", "shift"):
        held.setdefault(a.member, []).append(a.shift)
    withdrawn, kept = set(), set()
    for member in rng.sample(sorted(held, key=lambda m: m.pk), k=min(2, len(held))):
        shift = rng.choice(held[member])
        _cannot_come(member, shift, run_on_commit)
        withdrawn.add(member.pk)
        kept |= {(s.pk, member.pk) for s in held[member] if s != shift}
    proposal = Roster.objects.filter(community=town["community"], status=Roster.Status.PROPOSAL).first()
    if proposal is None:  # the re-plan found nobody: nothing was proposed, nobody was added
        return
    assert not withdrawn & {m for _s, m in _added(proposal)}
    assert kept <= set(proposal.assignments.values_list("shift_id", "member_id"))

"""Every hard rule a swap is checked against, one at a time: a colleague who keeps it may take the shift, one
who breaks it may not, and the form says why in plain language. The rules themselves are the optimizer's
(solver.member_violations / pair_exclusion); these tests pin down that the swap path really consults them."""

import datetime as dt

import pytest

from shifts.swaps.rules import Move, RuleChecker
from shifts.swaps.selectors import swap_candidates
from tests import factories
from volunteers.models import Unavailability as Absence


def _age(member, years):
    member.birth_date = member.birth_date.replace(year=member.birth_date.year - (years - 66))
    member.save()


def _setup_age(world, m):
    world.duty.max_age = 70
    world.duty.save()
    _age(m, 75)


def _setup_night_age(world, m):
    world.duty.night_max_age = 70
    world.duty.save()
    _age(m, 72)


def _setup_health(world, m):
    world.duty.min_health = "good"
    world.duty.save()
    m.health = "limited"
    m.save()


def _setup_skill(world, m):
    world.duty.required_skills.set([factories.skill("patrol_training", "巡逻培训")])
    for other in world.members.values():
        if other != m:
            other.skills.add(factories.skill("patrol_training"))


def _setup_caregiving(world, m):
    factories.caregiving(m, weekdays="tue", start=dt.time(18, 0), end=dt.time(20, 0))


def _setup_unavailable(world, m):
    Absence.objects.create(member=m, start=world.at(1, 0), end=world.at(2, 0), reason="hospital")


def _setup_overlap(world, m):
    world.add_shift("other", 1, 20, minutes=60)
    world.assign("other", m.name)


def _setup_rest(world, m):
    m.min_rest_minutes = 120
    m.save()
    world.add_shift("late", 1, 22, minutes=60)
    world.assign("late", m.name)


def _setup_limit(world, m):
    m.max_shifts_per_week = 1
    m.save()
    world.add_shift("sat", 5, 9)
    world.assign("sat", m.name)


def _setup_consecutive(world, m):
    m.max_consecutive_days = 1
    m.save()
    world.add_shift("wed", 2, 9)
    world.assign("wed", m.name)


def _setup_lead(world, m):
    world.duty.lead_skill = factories.skill("first_aid", "急救")
    world.duty.save()
    world.members["王秀英"].skills.add(factories.skill("first_aid"))


CASES = {
    "age": (_setup_age, "刘德明 is outside this duty's age or health limits"),
    "night_age": (_setup_night_age, "刘德明 is outside this duty's age limit for night shifts"),
    "health": (_setup_health, "刘德明 is outside this duty's age or health limits"),
    "skill": (_setup_skill, "刘德明 lacks a skill this duty requires"),
    "caregiving": (_setup_caregiving, "刘德明 is not available at that time"),
    "unavailable": (_setup_unavailable, "刘德明 is not available at that time"),
    "overlap": (_setup_overlap, "刘德明 already has another shift at that time"),
    "rest": (_setup_rest, "刘德明 would not get enough rest between shifts"),
    "limit": (_setup_limit, "刘德明 would go over their weekly limit"),
    "consecutive": (_setup_consecutive, "刘德明 would serve too many days in a row"),
    "lead": (_setup_lead, "would have nobody with 急救"),
}


def _breaks(world, member):
    return RuleChecker().breaks([Move(world.shifts["tue"], world.members["王秀英"], member)])


@pytest.mark.parametrize("code", list(CASES))
def test_each_rule_excludes_a_colleague_with_a_plain_reason(world, code):
    candidate = world.members["刘德明"]
    assert _breaks(world, candidate) == []  # keeps every rule before the change
    setup, text = CASES[code]
    setup(world, candidate)
    found = _breaks(world, candidate)
    assert [b.code for b in found] == [code]
    assert text in found[0].text
    report = swap_candidates(assignment=world.holder("tue", "王秀英"))
    assert "刘德明" not in [c.member.name for c in report.candidates]
    assert report.reasons[code] >= 1


def test_sensitive_reasons_are_not_spelt_out(world):
    _setup_caregiving(world, world.members["刘德明"])
    text = _breaks(world, world.members["刘德明"])[0].text
    assert "caregiving" not in text.lower() and "接送" not in text


def test_nobody_fits_says_the_first_aiders_are_on_other_shifts(world):
    """The issue's example: the shift needs a first-aider and every first-aider is busy that evening."""
    world.duty.lead_skill = factories.skill("first_aid", "急救")
    world.duty.save()
    giver = world.members["王秀英"]
    giver.skills.add(factories.skill("first_aid"))
    for i in range(4):
        aider = factories.member(world.community, name=f"急救员{i}", skills=("first_aid",))
        world.members[aider.name] = aider
        world.add_shift(f"evening{i}", 1, 18, minutes=180, duty=factories.duty("visiting"))
        world.assign(f"evening{i}", aider.name)
    report = swap_candidates(assignment=world.holder("tue", "王秀英"))
    assert report.candidates == []
    assert report.explanation == ("This shift needs someone with 急救, and the 4 others who have it all cannot "
                                  "take it: 4 are on other shifts at that time.")


def test_nobody_fits_counts_each_reason(world):
    _setup_caregiving(world, world.members["刘德明"])
    _setup_overlap(world, world.members["张桂兰"])
    _setup_limit(world, world.members["李建国"])
    report = swap_candidates(assignment=world.holder("tue", "王秀英"))
    assert report.candidates == []
    assert report.explanation == ("None of the 3 colleagues can take it: 1 is on another shift at that time; "
                                  "1 has reached their weekly limit; 1 is not available then.")


def test_a_rule_already_broken_before_the_swap_is_not_blamed_on_it(world):
    """An override the secretary made (two overlapping shifts for 李建国) does not block him taking a shift on
    another day; only rules the swap itself would break count."""
    world.add_shift("thu2", 3, 9, duty=factories.duty("visiting"))
    world.assign("thu2", "李建国")  # overlaps his Thursday patrol already
    assert _breaks(world, world.members["李建国"]) == []

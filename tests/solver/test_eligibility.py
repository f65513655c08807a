"""Pure eligibility facts and ``pair_exclusion`` in the spec's reason order."""

from datetime import date

from solver import pair_exclusion
from solver.eligibility import age_on
from tests.solver.factory import at, document, duty, member, problem, shift


def test_age_is_whole_years_on_the_start_date():
    assert age_on(date(1956, 11, 24), date(2026, 11, 23)) == 69
    assert age_on(date(1956, 11, 23), date(2026, 11, 23)) == 70
    assert age_on(date(1956, 2, 29), date(2026, 2, 28)) == 69


def test_age_exactly_at_the_limit_is_allowed():
    p = problem(duties=[duty(max_age=70)], members=[member("m1", birth="1956-11-23"),
                                                      member("m2", birth="1955-11-23")])
    assert pair_exclusion(p, "s1", "m1") is None
    assert pair_exclusion(p, "s1", "m2") == "age"


def test_night_age_applies_only_to_night_shifts():
    p = problem(duties=[duty(night_max_age=70)], members=[member("m1", birth="1950-01-01")],
                shifts=[shift("day", at(0, "09:00"), at(0, "11:00")),
                        shift("night", at(0, "19:00"), at(0, "21:00"))])
    assert pair_exclusion(p, "day", "m1") is None
    assert pair_exclusion(p, "night", "m1") == "night_age"


def test_shift_ending_exactly_when_the_school_run_starts_is_free():
    school = [{"days": ["mon"], "start": "16:00", "end": "17:30"}]
    p = problem(members=[member("m1", caregiving=school)],
                shifts=[shift("before", at(0, "14:00"), at(0, "16:00")),
                        shift("during", at(0, "15:00"), at(0, "16:15")),
                        shift("after", at(0, "17:30"), at(0, "19:00")),
                        shift("tuesday", at(1, "15:00"), at(1, "17:00"))])
    assert [pair_exclusion(p, s, "m1") for s in ("before", "during", "after", "tuesday")] == \
        [None, "caregiving", None, None]


def test_caregiving_applies_after_midnight_on_the_next_weekday():
    p = problem(members=[member("m1", caregiving=[{"days": ["tue"], "start": "00:00", "end": "01:00"}])],
                shifts=[shift("s1", at(0, "23:00"), at(1, "00:30"))])
    assert pair_exclusion(p, "s1", "m1") == "caregiving"


def test_reasons_follow_the_spec_order():
    p = problem(duties=[duty(max_age=60, min_health="good", required_skills=["first_aid"])],
                members=[member("other", communities=["c2"]), member("old", birth="1940-01-01", health="frail"),
                         member("frail", birth="1970-01-01", health="frail"),
                         member("unskilled", birth="1970-01-01"),
                         member("away", birth="1970-01-01", skills=["first_aid"],
                                unavailable=[{"start": at(0, "10:59"), "end": at(0, "12:00")}]),
                         member("ok", birth="1970-01-01", skills=["first_aid"]),
                         member("banned", birth="1940-01-01")],
                forbid=[{"shift": "s1", "member": "banned"}])
    got = {m.id: pair_exclusion(p, "s1", m.id) for m in p.members}
    assert got == {"other": "community", "old": "age", "frail": "health", "unskilled": "skill",
                   "away": "unavailable", "ok": None, "banned": "forbidden"}


def test_unavailable_period_ending_at_shift_start_does_not_block():
    p = problem(members=[member("m1", unavailable=[{"start": at(0, "07:00"), "end": at(0, "09:00")}])])
    assert pair_exclusion(p, "s1", "m1") is None
    assert document()["shifts"][0]["start"] == at(0, "09:00")

"""One rule family at a time: a satisfying case, a forced violation, the boundary case."""

from solver import check_solution, solve
from tests.solver.factory import at, duty, member, problem, shift


def solved(p, **kwargs):
    kwargs.setdefault("gap", 0)  # these tests compare exact optima
    solution = solve(p, time_limit=kwargs.pop("time_limit", 5.0), workers=2, seed=0, **kwargs)
    if solution.status != "INFEASIBLE":
        report = check_solution(p, solution)
        assert report.valid, report.violations
        assert report.objective == solution.objective
        assert report.breakdown == solution.breakdown
        assert [u.to_dict() for u in report.unfilled] == [u.to_dict() for u in solution.unfilled]
    return solution


def pinned_pairs(solution):
    return {(c["shift"], c["member"]) for conflict in solution.conflicts for c in conflict["pins"]}


# ----------------------------------------------------------------- H2 / coverage

def test_coverage_fills_min_staff_and_costs_exactly_when_short():
    p = problem(members=[member("m1"), member("m2")],
                shifts=[shift("s1", at(0, "09:00"), at(0, "11:00"), min_staff=3, max_staff=3)])
    solution = solved(p)
    assert solution.status == "OPTIMAL"
    assert len(solution.assignments) == 2
    assert solution.breakdown["unfilled"] == 1
    assert solution.unfilled[0].to_dict() == {"shift": "s1", "missing": 1, "eligible": 2, "excluded": {}}
    assert solution.objective == 10000 * 1 + 2 * 8 ** 2


def test_more_pins_than_max_staff_is_infeasible_and_names_them():
    p = problem(members=[member("m1"), member("m2")],
                pins=[{"shift": "s1", "member": "m1"}, {"shift": "s1", "member": "m2"}])
    solution = solved(p)
    assert solution.status == "INFEASIBLE" and solution.assignments == []
    assert pinned_pairs(solution) == {("s1", "m1"), ("s1", "m2")}


# ----------------------------------------------------------------- H3 eligibility

def test_ineligible_member_is_never_assigned_but_a_pin_overrides():
    p = problem(duties=[duty(max_age=70)], members=[member("old", birth="1940-01-01")])
    assert solved(p).assignments == []
    p = problem(duties=[duty(max_age=70)], members=[member("old", birth="1940-01-01")],
                pins=[{"shift": "s1", "member": "old"}])
    assert solved(p).assignments == [("s1", "old")]


def test_age_exactly_at_the_limit_is_assigned():
    p = problem(duties=[duty(max_age=70)], members=[member("m1", birth="1956-11-23")])
    assert solved(p).assignments == [("s1", "m1")]


# ----------------------------------------------------------------- H4 availability

def test_shift_ending_when_school_run_starts_is_assigned_overlap_is_not():
    school = [{"days": ["mon"], "start": "11:00", "end": "12:00"}]
    p = problem(members=[member("m1", caregiving=school)],
                shifts=[shift("fits", at(0, "09:00"), at(0, "11:00")),
                        shift("clashes", at(0, "10:00"), at(0, "11:15"))])
    solution = solved(p)
    assert solution.assignments == [("fits", "m1")]
    assert [u.to_dict() for u in solution.unfilled] == [
        {"shift": "clashes", "missing": 1, "eligible": 0, "excluded": {"caregiving": 1}}]


# ----------------------------------------------------------------- H5 rest

def test_rest_exactly_at_the_minimum_allows_both_shifts():
    p = problem(members=[member("m1", min_rest_minutes=60)],
                shifts=[shift("a", at(0, "09:00"), at(0, "11:00")), shift("b", at(0, "12:00"), at(0, "14:00"))])
    assert len(solved(p).assignments) == 2


def test_rest_fifteen_minutes_short_allows_one():
    p = problem(members=[member("m1", min_rest_minutes=75)],
                shifts=[shift("a", at(0, "09:00"), at(0, "11:00")), shift("b", at(0, "12:00"), at(0, "14:00"))])
    solution = solved(p)
    assert len(solution.assignments) == 1 and solution.breakdown["unfilled"] == 1


def test_overlapping_pins_are_infeasible_and_named():
    p = problem(members=[member("m1")],
                shifts=[shift("a", at(0, "09:00"), at(0, "11:00")), shift("b", at(0, "10:45"), at(0, "12:00"))],
                pins=[{"shift": "a", "member": "m1"}, {"shift": "b", "member": "m1"}])
    solution = solved(p)
    assert solution.status == "INFEASIBLE"
    assert solution.conflicts[0]["rule"] == "H5"
    assert pinned_pairs(solution) == {("a", "m1"), ("b", "m1")}


# ----------------------------------------------------------------- H6 load

def week_of_shifts(n, minutes=120):
    return [shift(f"s{d}", at(d, "09:00"), at(d, "11:00") if minutes == 120 else at(d, "10:00"))
            for d in range(n)]


def test_max_shifts_limits_assignments_and_pins_beyond_it_conflict():
    p = problem(members=[member("m1", max_shifts=2)], shifts=week_of_shifts(3))
    assert len(solved(p).assignments) == 2
    p = problem(members=[member("m1", max_shifts=2)], shifts=week_of_shifts(3),
                pins=[{"shift": f"s{d}", "member": "m1"} for d in range(3)])
    solution = solved(p)
    assert solution.status == "INFEASIBLE" and solution.conflicts[0]["rule"] == "H6"


def test_max_minutes_exactly_reached():
    p = problem(members=[member("m1", max_minutes=240)], shifts=week_of_shifts(3))
    assert len(solved(p).assignments) == 2


def test_max_per_member_per_duty():
    p = problem(duties=[duty(max_per_member=1)], members=[member("m1")], shifts=week_of_shifts(3))
    assert len(solved(p).assignments) == 1


# ----------------------------------------------------------------- H7 consecutive days

def test_consecutive_days_limit_and_boundary():
    p = problem(members=[member("m1", max_consecutive_days=2)], shifts=week_of_shifts(3))
    solution = solved(p)
    assert len(solution.assignments) == 2 and {s for s, _ in solution.assignments} != {"s0", "s1"} | {"s2"}
    p = problem(members=[member("m1", max_consecutive_days=3)], shifts=week_of_shifts(3))
    assert len(solved(p).assignments) == 3
    p = problem(members=[member("m1", max_consecutive_days=2)], shifts=week_of_shifts(3),
                pins=[{"shift": f"s{d}", "member": "m1"} for d in range(3)])
    assert solved(p).conflicts[0]["rule"] == "H7"


# ----------------------------------------------------------------- H8 lead skill

def test_lead_skill_holder_is_always_present():
    p = problem(duties=[duty(lead_skill="first_aid")],
                members=[member("m1"), member("m2"), member("aid", skills=["first_aid"], history_minutes=6000)],
                shifts=[shift("s1", at(0, "09:00"), at(0, "11:00"), min_staff=2, max_staff=2)])
    solution = solved(p)
    assert ("s1", "aid") in solution.assignments and len(solution.assignments) == 2


def test_pinned_non_holder_without_any_free_holder_is_infeasible_and_named():
    p = problem(duties=[duty(lead_skill="first_aid")],
                members=[member("m1"), member("aid", skills=["first_aid"], max_shifts=0)],
                pins=[{"shift": "s1", "member": "m1"}])
    solution = solved(p)
    assert solution.status == "INFEASIBLE"
    assert pinned_pairs(solution) == {("s1", "m1")}


def test_no_holder_means_the_shift_stays_empty():
    p = problem(duties=[duty(lead_skill="first_aid")], members=[member("m1")])
    solution = solved(p)
    assert solution.assignments == [] and solution.breakdown["unfilled"] == 1


# ----------------------------------------------------------------- H9 pins and forbid

def test_forbidden_pair_is_not_used_and_a_pinned_forbidden_pair_conflicts():
    p = problem(members=[member("m1"), member("m2", history_minutes=600)],
                forbid=[{"shift": "s1", "member": "m1"}])
    assert solved(p).assignments == [("s1", "m2")]
    p = problem(members=[member("m1")], forbid=[{"shift": "s1", "member": "m1"}],
                pins=[{"shift": "s1", "member": "m1"}])
    solution = solved(p)
    assert solution.status == "INFEASIBLE" and solution.conflicts[0]["rule"] == "H9"


# ----------------------------------------------------------------- soft terms, exact costs

def test_stability_costs_exactly_one_weight_per_missing_previous_pair():
    p = problem(members=[member("m1", unavailable=[{"start": at(0, "00:00"), "end": at(1, "00:00")}])],
                shifts=[shift("s1", at(0, "09:00"), at(0, "11:00"), min_staff=0, max_staff=1)],
                previous=[{"shift": "s1", "member": "m1"}, {"shift": "old", "member": "m1"}])
    solution = solved(p)
    assert solution.breakdown["stability"] == 1 and solution.objective == 500


def test_previous_roster_is_kept_when_it_costs_little():
    p = problem(members=[member("m1"), member("m2", history_minutes=150)],
                previous=[{"shift": "s1", "member": "m2"}])
    solution = solved(p)
    # Moving s1 to m1 would save (10+8)^2 - 10^2 - 8^2 = 160 fairness, less than stability 500.
    assert solution.assignments == [("s1", "m2")]


def test_continuity_prefers_a_known_visitor_and_costs_exactly_otherwise():
    shifts = [shift("v1", at(0, "09:00"), at(0, "10:00"), duty_id="visiting", visit_target="h1")]
    duties = [duty("visiting")]
    p = problem(duties=duties, members=[member("known", history_minutes=300), member("stranger")],
                shifts=shifts, visit_targets=[{"id": "h1", "preferred_visitors": ["known"]}])
    solution = solved(p)
    # known: (20+4)^2 - 20^2 = 176 < 200 continuity weight.
    assert solution.assignments == [("v1", "known")]
    p = problem(duties=duties, members=[member("known", unavailable=[{"start": at(0, "00:00"),
                                                                       "end": at(1, "00:00")}]),
                                        member("stranger")],
                shifts=shifts, visit_targets=[{"id": "h1", "preferred_visitors": ["known"]}])
    solution = solved(p)
    assert solution.breakdown["continuity"] == 1 and solution.objective == 200 + 16


def test_preference_and_fairness_costs_are_exact():
    p = problem(members=[member("m1", history_minutes=30,
                                preferences={"duties": {"patrol": -3}, "weekdays": {"mon": 5}})])
    solution = solved(p)
    assert solution.breakdown == {"unfilled": 0, "stability": 0, "continuity": 0,
                                  "preference": 2, "fairness": (2 + 8) ** 2}
    assert solution.objective == 20 * 2 + 100


def test_fairness_balances_load_between_members():
    p = problem(members=[member("m1"), member("m2")], shifts=week_of_shifts(4))
    solution = solved(p)
    loads = {m: sum(1 for _, who in solution.assignments if who == m) for m in ("m1", "m2")}
    assert loads == {"m1": 2, "m2": 2} and solution.breakdown["fairness"] == 2 * 16 ** 2


# ----------------------------------------------------------------- progress callback

def test_progress_callback_receives_improving_objectives():
    seen = []
    p = problem(members=[member(f"m{i}") for i in range(6)], shifts=week_of_shifts(5))
    solution = solved(p, on_progress=lambda objective, bound, elapsed: seen.append((objective, bound, elapsed)))
    assert seen and all(b <= o for o, b, _ in seen)
    assert min(o for o, _, _ in seen) >= solution.objective

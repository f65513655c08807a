"""The independent checker flags each rule and recomputes the objective."""

from solver import check_solution, member_violations
from tests.solver.factory import at, duty, member, problem, shift


def rules(report_or_list):
    items = report_or_list.violations if hasattr(report_or_list, "violations") else report_or_list
    return sorted({v.rule for v in items})


def test_checker_flags_each_hard_rule():
    p = problem(duties=[duty(max_age=70, lead_skill="first_aid", max_per_member=1)],
                members=[member("m1", max_shifts=1, min_rest_minutes=60, max_consecutive_days=1),
                         member("old", birth="1940-01-01"),
                         member("aid", skills=["first_aid"])],
                shifts=[shift("a", at(0, "09:00"), at(0, "11:00")), shift("b", at(0, "11:30"), at(0, "12:00")),
                        shift("c", at(1, "09:00"), at(1, "11:00"))],
                pins=[{"shift": "c", "member": "aid"}], forbid=[{"shift": "a", "member": "aid"}])
    assert rules(check_solution(p, [("zz", "m1")])) == ["H1", "H9"]
    assert rules(check_solution(p, [("a", "m1"), ("a", "m1"), ("c", "aid")])) == ["H1", "H8"]
    assert rules(check_solution(p, [("a", "m1"), ("a", "aid"), ("c", "aid")])) == ["H2", "H6", "H9"]
    assert rules(check_solution(p, [("c", "old"), ("c", "aid")])) == ["H2", "H3"]
    report = check_solution(p, [("a", "m1"), ("b", "m1"), ("c", "aid")])
    assert rules(report) == ["H5", "H6", "H8"]
    report = check_solution(p, [("a", "m1"), ("c", "m1"), ("c", "aid")])
    assert rules(report) == ["H2", "H6", "H7", "H8"]


def test_checker_recomputes_the_objective_of_the_empty_roster():
    p = problem(members=[member("m1", history_minutes=150)])
    report = check_solution(p, [])
    assert report.valid and report.objective == 10000 + 100
    assert report.unfilled[0].to_dict() == {"shift": "s1", "missing": 1, "eligible": 1, "excluded": {}}


def test_member_violations_look_only_at_one_member():
    p = problem(members=[member("m1"), member("m2", max_shifts=0)],
                shifts=[shift("a", at(0, "09:00"), at(0, "11:00"), max_staff=2),
                        shift("b", at(0, "10:00"), at(0, "12:00"))])
    roster = [("a", "m1"), ("b", "m1"), ("a", "m2")]
    assert rules(member_violations(p, roster, "m1")) == ["H5"]
    assert rules(member_violations(p, roster, "m2")) == ["H6"]

"""Reading problem documents: field-precise one-line errors and derived data."""

import json

import pytest

from solver import ProblemError, load_problem, load_problem_file
from tests.solver.factory import at, bent, document, duty, member, shift


def error_of(doc) -> str:
    with pytest.raises(ProblemError) as caught:
        load_problem(doc)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_minimal_document_loads_with_defaults():
    problem = load_problem(document())
    assert problem.weights.unfilled == 10000 and problem.rules.max_consecutive_days == 7
    assert problem.shifts[0].start == 9 * 60 and problem.shifts[0].minutes == 120
    assert problem.members[0].min_rest_minutes == 0


def test_shift_end_before_start_names_the_field():
    doc = document(shifts=[shift("s1", at(0, "09:00"), at(0, "11:00")),
                           shift("s2", at(0, "09:00"), at(0, "08:00"))])
    assert error_of(doc) == "shifts[1].end: must be after start"


def test_caregiving_off_grid_names_the_field():
    people = [member("m0")] * 0 + [member(f"m{i}") for i in range(7)]
    people.append(member("m7", caregiving=[{"days": ["mon"], "start": "07:10", "end": "08:30"}]))
    assert error_of(document(members=people)) == "members[7].caregiving[0].start: not on the 15-minute grid"


@pytest.mark.parametrize("path, value, expected", [
    ("colour", "red", "colour: unknown field"),
    ("members[0].colour", "red", "members[0].colour: unknown field"),
    ("rules", {"night": {"start": "20:00"}}, "rules.night.end: required field is missing"),
    ("timezone", "Mars/Olympus", "timezone: unknown IANA time zone 'Mars/Olympus'"),
    ("timezone", "../etc/passwd", "timezone: unknown IANA time zone '../etc/passwd'"),
    ("shifts[0].min_staff", True, "shifts[0].min_staff: must be an integer"),
    ("shifts[0].min_staff", 1.0, "shifts[0].min_staff: must be an integer"),
    ("shifts[0].min_staff", 10**30, "shifts[0].min_staff: must be at most 10000"),
    ("shifts[0].duty", "cooking", "shifts[0].duty: unknown duty 'cooking'"),
    ("shifts[0].start", "2026-11-23 09:00", "shifts[0].start: must be a local time YYYY-MM-DDTHH:MM"),
    ("shifts[0].start", "2026-02-30T09:00", "shifts[0].start: not a valid time '2026-02-30T09:00'"),
    ("shifts[0].start", at(0, "09:05"), "shifts[0].start: not on the 15-minute grid"),
    ("shifts[0].start", "2026-12-01T09:00", "shifts[0].end: must be after start"),
    ("shifts[0].visit_target", "h9", "shifts[0].visit_target: unknown visit target 'h9'"),
    ("members[0].health", "great", "members[0].health: must be one of good, limited, frail"),
    ("members[0].birth_date", "1956-13-01", "members[0].birth_date: not a valid date '1956-13-01'"),
    ("members[0].history_minutes", 20, "members[0].history_minutes: not on the 15-minute grid"),
    ("members[0].preferences", {"duties": {"patrol": 11}}, "members[0].preferences.duties.patrol: must be at most 10"),
    ("members[0].preferences", {"weekdays": {"someday": 1}}, "members[0].preferences.weekdays.someday: unknown field"),
    ("duties[0].min_health", "ok", "duties[0].min_health: must be one of good, limited, frail"),
    ("pins", [{"shift": "s1", "member": "m9"}], "pins[0].member: unknown member 'm9'"),
    ("forbid", [{"shift": "s9", "member": "m1"}], "forbid[0].shift: unknown shift 's9'"),
    ("pins", [{"shift": "s1", "member": "m1"}] * 2, "pins[1]: duplicate pair (s1, m1)"),
    ("format", "roster-problem/2", "format: must be 'roster-problem/1'"),
    ("horizon", {"start": "2026-11-23"}, "horizon.end: required field is missing"),
    ("members", {}, "members: must be a list"),
    ("weights", {"fairness": -1}, "weights.fairness: must be at least 0"),
])
def test_invalid_field_is_named(path, value, expected):
    assert error_of(bent(document(), path, value)) == expected


def test_shift_must_start_inside_the_horizon():
    doc = bent(document(), "shifts[0].start", "2026-11-22T23:00")
    assert error_of(doc) == "shifts[0].start: must lie inside the horizon"


def test_duplicate_ids_are_rejected():
    doc = document(members=[member("m1"), member("m1")])
    assert error_of(doc) == "members[1].id: duplicate id 'm1'"


def test_previous_may_name_a_shift_outside_the_problem():
    doc = document(previous=[{"shift": "gone", "member": "m1"}])
    assert load_problem(doc).previous[0].shift == "gone"


def test_preferred_visitor_must_exist():
    doc = document(visit_targets=[{"id": "h1", "preferred_visitors": ["m1", "zz"]}])
    assert error_of(doc) == "visit_targets[0].preferred_visitors[1]: unknown member 'zz'"


def test_night_flag_follows_the_window_boundaries():
    shifts = [shift("evening", at(0, "18:00"), at(0, "20:00")),      # ends as night starts
              shift("late", at(0, "19:45"), at(0, "20:15")),
              shift("dawn", at(1, "06:00"), at(1, "08:00")),         # starts as night ends
              shift("early", at(1, "05:45"), at(1, "06:00")),
              shift("overnight", at(2, "23:00"), at(3, "01:00"))]
    flags = {s.id: s.night for s in load_problem(document(shifts=shifts)).shifts}
    assert flags == {"evening": False, "late": True, "dawn": False, "early": True, "overnight": True}


def test_files_with_bad_bytes_or_json_get_a_fieldless_message(tmp_path):
    bad_utf8 = tmp_path / "a.json"
    bad_utf8.write_bytes(b'{"format": "\xff"}')
    with pytest.raises(ProblemError, match="not valid UTF-8"):
        load_problem_file(bad_utf8)
    bad_json = tmp_path / "b.json"
    bad_json.write_text('{"format": ')
    with pytest.raises(ProblemError, match="not valid JSON"):
        load_problem_file(bad_json)
    nan = tmp_path / "c.json"
    nan.write_text('{"format": NaN}')
    with pytest.raises(ProblemError, match="not valid JSON"):
        load_problem_file(nan)
    good = tmp_path / "d.json"
    good.write_text(json.dumps(document()))
    assert load_problem_file(good).shifts[0].id == "s1"


def test_duty_age_bounds_must_be_ordered():
    assert error_of(document(duties=[duty(min_age=70, max_age=60)])) == "duties[0].max_age: must not be below min_age"


def test_the_objective_weighs_each_term_and_the_constant_is_the_history_fairness():
    problem = load_problem(document(
        members=[member("m1", history_minutes=60), member("m2", history_minutes=150)],
        weights={"unfilled": 1, "stability": 2, "continuity": 3, "preference": 4, "fairness": 5}))
    terms = {"unfilled": 1, "stability": 10, "continuity": 100, "preference": 1000, "fairness": 10000}
    assert problem.weights.objective(terms) == 1 + 20 + 300 + 4000 + 50000
    assert problem.fairness_floor() == 4 ** 2 + 10 ** 2
    assert problem.fairness_constant() == 5 * (4 ** 2 + 10 ** 2)
    assert problem.fairness_constant([1]) == 5 * 10 ** 2 and problem.fairness_constant([]) == 0

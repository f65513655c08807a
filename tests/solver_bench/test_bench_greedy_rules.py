"""The greedy baseline's rules, one at a time, on hand-made problems."""

from solver import check_solution, load_problem
from solver.bench.greedy import greedy_roster


def _problem(members, shifts, **extra):
    document = {
        "format": "roster-problem/1", "timezone": "Asia/Shanghai",
        "horizon": {"start": "2026-11-23", "end": "2026-11-30"},
        "duties": [{"id": "patrol", "lead_skill": "first_aid"}, {"id": "visiting"}],
        "members": [{"id": m, "communities": ["c1"], "birth_date": "1956-05-01", "health": "good", **fields}
                    for m, fields in members.items()],
        "shifts": [{"id": s, "community": "c1", "start": start, "end": end, **fields}
                   for s, (start, end, fields) in shifts.items()],
        **extra,
    }
    load_problem(document)
    return document


def _pairs(assignments):
    return {(a["shift"], a["member"]) for a in assignments}


def test_least_loaded_member_gets_the_shift():
    document = _problem({"busy": {"history_minutes": 600}, "fresh": {"history_minutes": 60}},
                        {"v1": ("2026-11-23T10:00", "2026-11-23T11:00", {"duty": "visiting", "min_staff": 1})})
    assert _pairs(greedy_roster(document)) == {("v1", "fresh")}


def test_most_constrained_shift_is_filled_first():
    # "only" is the sole member who can take v2 (the other is away); filling v1 first would take her.
    document = _problem(
        {"only": {"max_shifts": 1}, "away": {"unavailable": [{"start": "2026-11-24T00:00",
                                                              "end": "2026-11-25T00:00"}],
                                             "history_minutes": 900}},
        {"v1": ("2026-11-23T10:00", "2026-11-23T11:00", {"duty": "visiting", "min_staff": 1}),
         "v2": ("2026-11-24T10:00", "2026-11-24T11:00", {"duty": "visiting", "min_staff": 1})})
    assert _pairs(greedy_roster(document)) == {("v1", "away"), ("v2", "only")}


def test_lead_skill_holder_is_placed_first_even_if_more_loaded():
    document = _problem({"medic": {"skills": ["first_aid"], "history_minutes": 900}, "a": {}, "b": {}},
                        {"p1": ("2026-11-23T09:00", "2026-11-23T11:00", {"duty": "patrol", "min_staff": 2})})
    pairs = _pairs(greedy_roster(document))
    assert ("p1", "medic") in pairs and len(pairs) == 2
    assert check_solution(load_problem(document), greedy_roster(document)).valid


def test_without_a_lead_skill_holder_the_shift_stays_empty():
    document = _problem({"a": {}, "b": {}},
                        {"p1": ("2026-11-23T09:00", "2026-11-23T11:00", {"duty": "patrol", "min_staff": 2})})
    assert greedy_roster(document) == []


def test_rest_and_consecutive_days_are_respected():
    shifts = {f"v{day}": (f"2026-11-{23 + day}T10:00", f"2026-11-{23 + day}T11:00",
                          {"duty": "visiting", "min_staff": 1}) for day in range(4)}
    shifts["late"] = ("2026-11-23T11:30", "2026-11-23T12:30", {"duty": "visiting", "min_staff": 1})
    document = _problem({"solo": {"max_consecutive_days": 2, "min_rest_minutes": 60}}, shifts)
    assignments = greedy_roster(document)
    taken = {shift for shift, _ in _pairs(assignments)}
    assert "late" not in taken or "v0" not in taken  # 30 minutes between them, 60 required
    assert len({s for s in taken if s.startswith("v")}) <= 3
    assert check_solution(load_problem(document), assignments).valid

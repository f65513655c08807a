"""Tiny hand-made roster-problem/1 documents for the solver tests.

The horizon is the week of Monday 2026-11-23.  Helpers return plain dicts so
each test can bend one field and see one rule react.
"""

from __future__ import annotations

import copy
import random

from solver import load_problem

MONDAY = "2026-11-23"


def duty(duty_id="patrol", **fields) -> dict:
    return {"id": duty_id, **fields}


def member(member_id, *, communities=("c1",), birth="1956-01-01", health="good", **fields) -> dict:
    return {"id": member_id, "communities": list(communities), "birth_date": birth,
            "health": health, **fields}


def shift(shift_id, start, end, *, duty_id="patrol", community="c1", min_staff=1, **fields) -> dict:
    return {"id": shift_id, "community": community, "duty": duty_id, "start": start, "end": end,
            "min_staff": min_staff, **fields}


def at(day: int, clock: str) -> str:
    """Local time on day ``day`` of the horizon (0 = Monday 23 Nov)."""
    return f"2026-11-{23 + day:02d}T{clock}"


def document(*, duties=None, members=None, shifts=None, **top) -> dict:
    doc = {
        "format": "roster-problem/1",
        "timezone": "Asia/Shanghai",
        "horizon": {"start": MONDAY, "end": "2026-11-30"},
        "duties": duties if duties is not None else [duty()],
        "members": members if members is not None else [member("m1")],
        "shifts": shifts if shifts is not None else [shift("s1", at(0, "09:00"), at(0, "11:00"))],
    }
    doc.update(top)
    return doc


def problem(**kwargs):
    return load_problem(document(**kwargs))


def bent(doc: dict, path: str, value) -> dict:
    """A deep copy of ``doc`` with the dotted/indexed ``path`` set to ``value`` (None deletes)."""
    doc = copy.deepcopy(doc)
    parts = path.replace("[", ".").replace("]", "").split(".")
    target = doc
    for part in parts[:-1]:
        target = target[int(part)] if part.isdigit() else target[part]
    last = parts[-1]
    key = int(last) if last.isdigit() else last
    if value is None:
        del target[key]
    else:
        target[key] = value
    return doc


def random_document(rng: random.Random, *, members: int, shifts: int, communities: int = 1) -> dict:
    """A small random but valid document that exercises every rule family."""
    duties = [
        duty("patrol", max_age=80, night_max_age=72, min_health="limited", lead_skill="first_aid"),
        duty("mediation", required_skills=["mediation"], max_per_member=rng.choice([1, 2, None])),
        duty("visiting"),
    ]
    community_ids = [f"c{i}" for i in range(communities)]
    people = []
    for i in range(members):
        fields = {"skills": rng.sample(["first_aid", "mediation"], rng.randint(0, 2)),
                  "history_minutes": 15 * rng.randint(0, 40)}
        if rng.random() < 0.4:
            fields["max_shifts"] = rng.randint(1, 3)
        if rng.random() < 0.3:
            fields["max_minutes"] = 60 * rng.randint(1, 6)
        if rng.random() < 0.3:
            fields["min_rest_minutes"] = rng.choice([0, 60, 120])
        if rng.random() < 0.3:
            fields["max_consecutive_days"] = rng.randint(1, 3)
        if rng.random() < 0.3:
            fields["caregiving"] = [{"days": rng.sample(["mon", "tue", "wed"], 2),
                                     "start": "07:00", "end": "08:30"}]
        if rng.random() < 0.2:
            day = rng.randint(0, 2)
            fields["unavailable"] = [{"start": at(day, "00:00"), "end": at(day + 1, "00:00")}]
        if rng.random() < 0.4:
            fields["preferences"] = {"duties": {"patrol": rng.randint(-5, 5)},
                                     "weekdays": {"tue": rng.randint(-5, 5)}}
        communities_of = rng.sample(community_ids, rng.randint(1, min(2, communities)))
        people.append(member(f"m{i}", communities=communities_of,
                             birth=f"{rng.randint(1940, 1968)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                             health=rng.choice(["good", "good", "limited", "frail"]), **fields))
    slots = [("07:00", "09:00"), ("08:00", "10:00"), ("09:00", "11:00"), ("14:00", "16:00"),
             ("19:00", "21:00"), ("20:00", "22:00")]
    jobs = []
    for i in range(shifts):
        start, end = rng.choice(slots)
        day = rng.randint(0, 3)
        extra = {}
        duty_id = rng.choice(["patrol", "mediation", "visiting"])
        if duty_id == "visiting" and rng.random() < 0.7:
            extra["visit_target"] = "h1"
        low = rng.randint(0, 2)
        jobs.append(shift(f"s{i}", at(day, start), at(day, end), duty_id=duty_id,
                          community=rng.choice(community_ids), min_staff=low,
                          max_staff=low + rng.randint(0, 1), **extra))
    doc = document(duties=duties, members=people, shifts=jobs,
                   visit_targets=[{"id": "h1", "preferred_visitors": [p["id"] for p in people[:2]]}],
                   rules={"night": {"start": "20:00", "end": "06:00"}, "min_rest_minutes": 0,
                          "max_consecutive_days": 3})
    if rng.random() < 0.5 and jobs:
        doc["previous"] = [{"shift": jobs[0]["id"], "member": people[0]["id"]}]
    return doc


def perhaps_pinned(rng: random.Random, document: dict, chance: float = 0.3):
    """(problem, candidate handles) of ``document``, with one random candidate pair pinned ``chance`` of the time."""
    from solver.model import candidate_handles

    problem = load_problem(document)
    handles = candidate_handles(problem)
    if handles.x and rng.random() < chance:
        s, m = rng.choice(sorted(handles.x))
        document["pins"] = [{"shift": problem.shifts[s].id, "member": problem.members[m].id}]
        problem = load_problem(document)
        handles = candidate_handles(problem)
    return problem, handles

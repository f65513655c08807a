"""Roster lifecycle services: one module per topic.

    weeks     week_start_of, parse_week, week_bounds
    problem   problem_for_week, problem_for_communities (database -> roster-problem/1)
    rosters   shifts_make_for_week, roster_generate, roster_publish, assignment_pin/remove/add
    solving   the queue task body that runs the optimizer and writes drafts and proposals
    repair    repair_request, proposal_apply, proposal_discard
    rules     can member M take shift S: WeekRules, roster_conflicts and the reason -> words table
    labels    shift_label, how a shift is named to people
    absences  absence_report, member_availability_changed
    notify    notify_member, notify_staff, senders
    schedule  the periodic jobs (weekly draft, reminders, unfilled alert, study session)
    attendance         check-in/out (phone, poster, team leader), the secretary's back-fill, the 60% rule
    attendance_import  back-fill from a CSV or Excel sheet, all rows or none
    hours              the served-hours ledger, fairness history, national-record export, star levels
    no_show            the welfare check on members who did not come, and its outcomes
    certificates       志愿服务记录证明: numbering, content, public verification
    patrol             the patrol log, hand-over to the grid worker, export

Names are re-exported lazily so `from shifts.services import roster_publish` works without import cycles.
"""

import importlib

_EXPORTS = {
    "week_start_of": "weeks", "parse_week": "weeks", "week_bounds": "weeks",
    "problem_for_week": "problem", "problem_for_communities": "problem",
    "shifts_make_for_week": "rosters", "roster_generate": "rosters", "roster_publish": "rosters",
    "assignment_pin": "rosters", "assignment_remove": "rosters", "assignment_add": "rosters",
    "district_generate": "rosters",
    "repair_request": "repair", "proposal_apply": "repair", "proposal_discard": "repair",
    "absence_report": "absences", "member_availability_changed": "absences",
    "notify_member": "notify", "notify_staff": "notify",
}


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f"{__name__}.{_EXPORTS[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

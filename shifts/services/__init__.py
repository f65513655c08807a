"""Roster lifecycle services: one module per topic.

    weeks     week_start_of, parse_week, week_bounds
    problem   problem_for_week, problem_for_communities (database -> roster-problem/1), problem_slice (the part
              of a week that a single move's rules read)
    week_making  shifts_make_for_week, study_session_make (the week's shifts from templates, visits, study day)
    rosters   roster_generate, roster_publish
    review    assignment_pin/remove/add (the secretary's edits to a draft or proposal)
    district  district_generate (fan-out by connected_groups) and the per-community improvement
    solving   the queue task body that runs the optimizer and writes drafts and proposals
    repair    repair_request, proposal_apply, proposal_discard
    rules     can member M take shift S: WeekRules (a slice of the week for single moves, the whole week before
              publishing), roster_conflicts and the reason -> words table
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
    member_data        what rosters hold about a member, for volunteers' retention (through volunteers.signals)

The names views call through `from shifts import services` are imported here plainly; everything else is
imported from its module.
"""

from .absences import absence_report, member_availability_changed
from .repair import proposal_apply, proposal_discard, repair_request
from .review import assignment_add, assignment_pin, assignment_remove
from .rosters import roster_generate, roster_publish

__all__ = ["absence_report", "member_availability_changed", "proposal_apply", "proposal_discard", "repair_request",
           "assignment_add", "assignment_pin", "assignment_remove", "roster_generate", "roster_publish"]

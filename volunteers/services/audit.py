"""The audit trail: who changed or read what, when and why, under a dotted action code.

ACTION_LABELS is the one table of readable, translated text for every action code either app records; the
admin's audit list shows it (volunteers.admin). A code missing from it is shown as the code itself, and
tests/foundation/test_audit_labels.py fails when code records an action this table does not name.
"""

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from volunteers.models import AuditEntry, Community

ACTION_LABELS: dict[str, Promise] = {
    # volunteers: members and their data
    "volunteers.member.profile_changed": _("Member details changed"),
    "volunteers.member.self_updated": _("Member corrected their own details"),
    "volunteers.member.deactivated": _("Member made inactive"),
    "volunteers.member.deleted": _("Member deleted"),
    "volunteers.member.anonymised": _("Member's personal data removed"),
    "volunteers.member.imported": _("Members imported from a list"),
    "volunteers.member.exported": _("Member list exported"),
    "volunteers.member.sensitive_exported": _("Member list exported with health and caregiving"),
    "volunteers.member.sensitive_viewed": _("Health and caregiving looked at"),
    "volunteers.member.login_link_issued": _("One-time login made"),
    "volunteers.member.logged_in_with_link": _("Member logged in with a one-time login"),
    "volunteers.caregiving.added": _("Caregiving time added"),
    "volunteers.caregiving.removed": _("Caregiving time removed"),
    "volunteers.absence.reported": _("Absence recorded"),
    "volunteers.absence.withdrawn": _("Absence withdrawn"),
    "volunteers.proxy.added": _("Relative added"),
    "volunteers.proxy.revoked": _("Relative's access ended"),
    "volunteers.proxy.acted": _("Relative acted for the member"),
    # volunteers: calendars
    "volunteers.calendar.year_loaded": _("Holidays of a year loaded"),
    "volunteers.calendar.year_marked": _("Calendar year marked as checked"),
    "volunteers.calendar.day_changed": _("Calendar day set"),
    "volunteers.calendar.day_removed": _("Calendar day removed"),
    "volunteers.school_term.saved": _("School term saved"),
    "volunteers.school_term.removed": _("School term removed"),
    # shifts: rosters
    "shifts.roster.generate_requested": _("Roster requested"),
    "shifts.roster.resolve_requested": _("Roster solved again"),
    "shifts.roster.repair_requested": _("Re-plan requested"),
    "shifts.roster.drafted": _("Draft roster made"),
    "shifts.roster.proposed": _("Re-plan proposed"),
    "shifts.roster.replan_unchanged": _("Re-plan found nothing to change"),
    "shifts.roster.solve_failed": _("Roster could not be made"),
    "shifts.roster.published": _("Roster published"),
    "shifts.roster.published_over_conflicts": _("Roster published despite conflicts"),
    "shifts.roster.proposal_applied": _("Re-plan applied"),
    "shifts.roster.proposal_discarded": _("Re-plan discarded"),
    "shifts.district.generate_requested": _("District rosters requested"),
    "shifts.district.generate_finished": _("District rosters made"),
    "shifts.district.improved": _("District roster improved"),
    "shifts.district.improve_stale": _("District improvement skipped: the roster changed"),
    # shifts: assignments and swaps
    "shifts.assignment.pinned": _("Assignment pinned"),
    "shifts.assignment.removed": _("Member taken off a shift"),
    "shifts.assignment.overridden": _("Member added despite a rule"),
    "shifts.assignment.withdrawn": _("Absent member taken off the published roster"),
    "shifts.assignment.swapped": _("Shift swapped"),
    "shifts.swap.requested": _("Swap requested"),
    "shifts.swap.accepted": _("Swap accepted"),
    "shifts.swap.declined": _("Swap declined"),
    "shifts.swap.withdrawn": _("Swap withdrawn"),
    "shifts.swap.expired": _("Swap expired"),
    "shifts.swap.refused": _("Swap refused by the rules"),
    "shifts.confirmation.confirmed": _("Member confirmed their week"),
    "shifts.confirmation.declined": _("Member said they cannot come"),
    "shifts.voice.call_reported": _("Voice call reported (answered, key pressed, busy or no answer)"),
    "shifts.voice.callback_refused": _("Voice call report refused (unsigned, stale or replayed)"),
    "shifts.phone_answer.confirmed": _("By phone: the secretary noted the member will come this week"),
    "shifts.phone_answer.cant_come": _("By phone: the secretary noted the member cannot come to a shift"),
    "shifts.phone_answer.away": _("By phone: the secretary noted the member is away"),
    "shifts.card.printed_with_login": _("Schedule cards printed with login QR codes"),
    "shifts.confirmation.decline_undone": _("Member can come after all (their week restored)"),
    # shifts: calendars
    "shifts.feed.link_reset": _("Personal calendar link renewed"),
    "shifts.feed.community_link_reset": _("Community calendar link renewed"),
    # shifts: service delivered
    "shifts.attendance.team_in": _("Team checked in by the team leader"),
    "shifts.attendance.team_out": _("Team checked out by the team leader"),
    "shifts.attendance.backfilled": _("Attendance noted from the book"),
    "shifts.attendance.imported": _("Attendance imported from a sheet"),
    "shifts.attendance.relative_check_in": _("Checked in by a relative, for the member"),
    "shifts.attendance.presence_confirmed": _("Presence confirmed by a team-mate"),
    "shifts.kiosk.opened": _("Kiosk opened on a tablet"),
    "shifts.kiosk.closed": _("Kiosk closed"),
    "shifts.kiosk.locked": _("Kiosk locked after wrong digits"),
    "shifts.kiosk.check_in": _("Checked in at the kiosk"),
    "shifts.kiosk.check_out": _("Checked out at the kiosk"),
    "shifts.kiosk.absence_reported": _("Said at the kiosk: cannot come tomorrow"),
    "shifts.hours.exported": _("Service hours exported"),
    "shifts.certificate.issued": _("Service certificate issued"),
    "shifts.no_show.reached": _("Missing member reached, all well"),
    "shifts.no_show.forgot": _("Missing member had forgotten"),
    "shifts.no_show.ill": _("Missing member is ill"),
    "shifts.no_show.no_answer": _("Missing member did not answer"),
    "shifts.welfare.on_way": _("Welfare call: on the way, all well"),
    "shifts.welfare.ill": _("Welfare call: ill"),
    "shifts.welfare.safe_home": _("Welfare call: safe at home"),
    "shifts.welfare.unreachable": _("Welfare call: nobody answered"),
    "shifts.welfare.hurried": _("Welfare call: no answer, next call now"),
    "shifts.patrol_log.written": _("Patrol note written"),
    "shifts.patrol_log.handed_over": _("Patrol note handed to the grid worker"),
    "shifts.patrol_log.exported": _("Patrol log exported"),
    "shifts.setup.duty_created": _("Duty added"),
    "shifts.setup.duty_changed": _("Duty changed"),
    "shifts.setup.duty_deleted": _("Duty deleted"),
    "shifts.setup.template_created": _("Weekly shift added"),
    "shifts.setup.template_changed": _("Weekly shift changed"),
    "shifts.setup.template_deleted": _("Weekly shift deleted"),
    "shifts.setup.shifts_removed": _("Unpublished shifts removed after a weekly shift changed"),
    "shifts.setup.shift_changed": _("One published shift changed"),
    "shifts.setup.household_created": _("Visit household added"),
    "shifts.setup.household_changed": _("Visit household changed"),
    "shifts.setup.household_deleted": _("Visit household deleted"),
    "shifts.setup.member_added": _("Member added"),
    # The cover call-down (shifts.rostering.cover)
    "shifts.cover.started": _("Call-down for cover started"),
    "shifts.cover.asked": _("Call-down: members asked to take the shift"),
    "shifts.cover.declined": _("Call-down: a member said no"),
    "shifts.cover.taken": _("Call-down: a member took the shift"),
    "shifts.cover.stopped": _("Call-down stopped by the secretary"),
    "shifts.cover.exhausted": _("Call-down: nobody left to ask"),
    "shifts.cover.reasked": _("Call-down: asking again, someone new can take the shift"),
    "shifts.cover.soon": _("Call-down: the shift starts soon and is still short"),
    "shifts.cover.filled": _("Call-down ended: the shift is no longer short"),
    "shifts.cover.lapsed": _("Call-down ended: the shift began short"),
}


def action_label(action: str) -> str:
    """The readable text for an action code, in the active language; the code itself when it has none."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def audit_log(*, action: str, actor=None, community: Community | None = None, obj: models.Model | None = None,
              data: dict | None = None, reason: str = "") -> AuditEntry:
    """Record one entry. `action` is dotted, e.g. shifts.roster.published or volunteers.member.health_viewed."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    entry = AuditEntry(
        action=action, actor=actor, community=community,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        data=data or {}, reason=reason[:300],
    )
    entry.full_clean()
    entry.save()
    return entry

"""The secretary's review of a draft or re-plan proposal: keep (pin), take off and add members by hand.

A removal always sticks (a ShiftExclusion; the reason is optional), and the week's other open versions follow it
(shifts.rostering.follow.plans_follow, run once the removal commits)."""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shifts.models import Assignment, Roster, Shift, ShiftExclusion
from shifts.rostering.follow import plans_follow
from shifts.rostering.reasons import ReasonWords
from shifts.rostering.rosters import exclusion_record, roster_check_editable
from shifts.rostering.rules import WeekRules
from shifts.weeks import week_bounds
from volunteers.models import Member
from volunteers.services.audit import audit_log


def _check_shift(roster: Roster, shift: Shift) -> None:
    start, end = week_bounds(roster.week_start)
    if shift.community_id != roster.community_id or not start <= shift.start < end:
        raise ValidationError({"shift": _("This shift is not in the roster's community and week.")})


def assignment_pin(*, roster: Roster, shift: Shift, member: Member, by, pinned: bool = True) -> Assignment:
    """Keep (or stop keeping) an assignment as is when the roster is solved again."""
    roster_check_editable(roster)
    try:
        assignment = roster.assignments.get(shift=shift, member=member)
    except Assignment.DoesNotExist:
        raise ValidationError({"member": _("%(member)s is not assigned to this shift.") % {"member": member}})
    if assignment.pinned != pinned:
        assignment.pinned = pinned
        assignment.save(update_fields=["pinned"])
        audit_log(action="shifts.assignment.pinned" if pinned else "shifts.assignment.unpinned", actor=by,
                  community=roster.community, obj=assignment,
                  data={"roster": roster.pk, "shift": shift.pk, "member": member.pk})
    return assignment


def assignment_remove(*, roster: Roster, shift: Shift, member: Member, by, reason: str = "") -> None:
    """Take a member off a shift of a draft or proposal. The decision sticks, with or without a reason: every later
    solve and re-plan of the week leaves the member off this shift (a ShiftExclusion), until they are added back by
    hand. (A removal without a reason used to be undone by the next 重新计算, which nothing on the page said.)"""
    roster_check_editable(roster)
    reason = (reason or "").strip()
    deleted, _detail = roster.assignments.filter(shift=shift, member=member).delete()
    if not deleted:
        raise ValidationError({"member": _("%(member)s is not assigned to this shift.") % {"member": member}})
    exclusion_record(shift=shift, member=member, cause=ShiftExclusion.Cause.REMOVED, reason=reason, by=by)
    # the week's other open version (a re-plan proposal) must follow the decision too
    transaction.on_commit(partial(plans_follow, community=roster.community, week_start=roster.week_start,
                                  cause="removed"))
    audit_log(action="shifts.assignment.removed", actor=by, community=roster.community, obj=roster,
              data={"shift": shift.pk, "member": member.pk, "sticks": True}, reason=reason)


def assignment_rule_violations(*, roster: Roster, shift: Shift, member: Member, reader=None) -> list[str]:
    """Every rule that adding the member to the shift would break, in words (shifts.rostering.rules), as `reader`
    may read them (ReasonWords; None is the system itself)."""
    rules = WeekRules.around_roster(roster, member_ids={member.pk}, shift_ids={shift.pk}, extra_member_ids={member.pk})
    if not rules.knows(shift_id=shift.pk):
        return []  # a gathering such as the study session: open to everyone, no rostering rules
    words = ReasonWords(reader, [member.pk])
    return list(dict.fromkeys(words.detail(r.code, member.pk) for r in rules.can_take(shift.pk, member.pk)))


def assignment_add(*, roster: Roster, shift: Shift, member: Member, by, override_reason: str = "",
                   pinned: bool = True) -> Assignment:
    """Assign by hand. If a rule breaks, an override reason is required and recorded. Adding a member back to a
    shift they were taken off (or gave away) is the secretary's newer decision: the exclusion is lifted."""
    roster_check_editable(roster)
    _check_shift(roster, shift)
    if not member.active:
        raise ValidationError({"member": _("%(member)s is not active.") % {"member": member}})
    if roster.assignments.filter(shift=shift, member=member).exists():
        raise ValidationError({"member": _("%(member)s is already on this shift.") % {"member": member}})
    violations = assignment_rule_violations(roster=roster, shift=shift, member=member,
                                            reader=by if getattr(by, "is_authenticated", False) else None)
    override_reason = (override_reason or "").strip()
    if violations and not override_reason:
        raise ValidationError({"override_reason": _("This assignment breaks a rule (%(rules)s). Give a reason "
                                                    "to override it.") % {"rules": _("; ").join(violations)}})
    assignment = Assignment(roster=roster, shift=shift, member=member, pinned=pinned,
                            source=Assignment.Source.MANUAL, override_reason=override_reason if violations else "",
                            created_by=by if getattr(by, "is_authenticated", False) else None)
    assignment.full_clean()
    assignment.save()
    lifted, _detail = ShiftExclusion.objects.filter(shift=shift, member=member).delete()
    audit_log(action="shifts.assignment.overridden" if violations else "shifts.assignment.added", actor=by,
              community=roster.community, obj=assignment,
              data={"roster": roster.pk, "shift": shift.pk, "member": member.pk, "violations": violations,
                    "exclusion_lifted": bool(lifted)},
              reason=override_reason)
    return assignment

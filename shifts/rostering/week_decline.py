""""I can't come" for a whole week, and its undo (我又能来了).

Declining a week (shifts.rostering.confirmations) reports each of its shifts not yet begun as an absence: the member
is taken off the published roster at once (a ShiftExclusion "absent" per shift, shifts.rostering.follow) and a
re-plan looks for cover (a proposal; a publish when the community applies re-plans directly).

The undo works until a replacement is published: while the week's published roster is still the one the member
declined (published before the answer), the absences the decline recorded are withdrawn, the member is put back on
those shifts of the published roster, the re-plan proposals made since the answer are discarded, and the one
plans_follow makes the plans follow again (a proposal is made again if something else still needs cover). Once a
replacement is published the places belong to others: the member is told to call the secretary instead.
"""

import datetime as dt
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import signals
from shifts.models import Assignment, Roster, Shift, ShiftExclusion, WeekConfirmation
from shifts.rostering.follow import plans_follow
from shifts.rostering.selectors import roster_for_week
from shifts.weeks import week_bounds
from volunteers.models import Member, Unavailability
from volunteers.services.audit import audit_log
from volunteers.services.members import unavailability_remove


def week_shifts_to_cancel(confirmation: WeekConfirmation) -> list[Assignment]:
    """The member's published shifts of the week not yet begun: what "I can't come" would cancel."""
    return list(Assignment.objects.filter(
        member_id=confirmation.member_id, roster__community_id=confirmation.community_id,
        roster__week_start=confirmation.week_start, roster__status=Roster.Status.PUBLISHED,
        shift__start__gt=timezone.now()).select_related("shift__duty", "shift__community").order_by("shift__start"))


def _given_up(confirmation: WeekConfirmation) -> list[ShiftExclusion]:
    """The shifts the decline took the member off that have not begun."""
    start, end = week_bounds(confirmation.week_start)
    if confirmation.answered_at is None:
        return []
    return list(ShiftExclusion.objects.filter(
        member_id=confirmation.member_id, cause=ShiftExclusion.Cause.ABSENT,
        shift__community_id=confirmation.community_id, shift__start__gte=start, shift__start__lt=end,
        shift__start__gt=timezone.now(), created_at__gte=confirmation.answered_at)
        .select_related("shift__duty").order_by("shift__start"))


def week_undo_state(confirmation: WeekConfirmation) -> str:
    """"possible": 我又能来了 can be offered; "replaced": a replacement is published (say so in words); "" when
    there is nothing to undo (not declined, or nothing left of the week)."""
    if confirmation.state != WeekConfirmation.State.DECLINED or confirmation.answered_at is None:
        return ""
    if not _given_up(confirmation):
        return ""
    published = roster_for_week(confirmation.community, confirmation.week_start, Roster.Status.PUBLISHED)
    if published is None or (published.published_at and published.published_at > confirmation.answered_at):
        return "replaced"
    return "possible"


def declined_weeks(member: Member) -> list[WeekConfirmation]:
    """The member's declined weeks still to come, each with `undo` set (week_undo_state), for My shifts."""
    rows = list(WeekConfirmation.objects.filter(member=member, state=WeekConfirmation.State.DECLINED,
                                                week_start__gte=timezone.localdate() - dt.timedelta(days=6))
                .select_related("community").order_by("week_start"))
    for row in rows:
        row.undo = week_undo_state(row)
    return [row for row in rows if row.undo]


def week_decline_undo(*, confirmation: WeekConfirmation, by=None, via: str, proxy=None) -> list[Shift]:
    """我又能来了: put the member back on the week's shifts the decline took them off, while no replacement is
    published. Returns the shifts restored; a ValidationError in words when it is too late."""
    with transaction.atomic():
        confirmation = (WeekConfirmation.objects.select_for_update(of=("self",)).select_related("member", "community")
                        .get(pk=confirmation.pk))
        state = week_undo_state(confirmation)
        if state != "possible":
            raise ValidationError({"confirmation": _(
                "Someone has already been given your shifts of this week, so this cannot be undone here. "
                "Please call your secretary.") if state == "replaced" else _("There is nothing to undo.")})
        member = confirmation.member
        Member.objects.select_for_update().filter(pk=member.pk).first()
        published = (Roster.objects.select_for_update()
                     .get(community=confirmation.community, week_start=confirmation.week_start,
                          status=Roster.Status.PUBLISHED))
        restored = _restore(confirmation, published, member, by)
        answered_at = confirmation.answered_at
        confirmation.state = WeekConfirmation.State.CONFIRMED
        confirmation.answered_at = timezone.now()
        confirmation.answered_by = by if getattr(by, "is_authenticated", False) else None
        confirmation.via = WeekConfirmation.Via.PROXY if proxy is not None else via
        confirmation.save(update_fields=["state", "answered_at", "answered_by", "via"])
        discarded = list(Roster.objects.filter(community=confirmation.community, week_start=confirmation.week_start,
                                               status=Roster.Status.PROPOSAL, created_at__gte=answered_at)
                         .values_list("pk", flat=True))
        Roster.objects.filter(pk__in=discarded).update(status=Roster.Status.DISCARDED)
        # A re-plan already running read the absence: this makes its follow-up plan again (follow._after_run).
        Member.objects.filter(pk=member.pk).update(updated_at=timezone.now())
        audit_log(action="shifts.confirmation.decline_undone", actor=by, community=confirmation.community,
                  obj=confirmation, data={"member": member.pk, "week": confirmation.week_start.isoformat(),
                                          "via": via, "shifts": [s.pk for s in restored],
                                          "proposals_discarded": discarded,
                                          **({"proxy": proxy.pk, "proxy_name": proxy.name} if proxy else {})})
        start, end = week_bounds(confirmation.week_start)
        transaction.on_commit(partial(plans_follow, member=member, start=start, end=end, cause="back", by=by))
    return restored


def _restore(confirmation: WeekConfirmation, published: Roster, member: Member, by) -> list[Shift]:
    """Withdraw the absences the decline recorded and put the member back on each shift they still fit."""
    restored = []
    for exclusion in _given_up(confirmation):
        shift = exclusion.shift
        for absence in Unavailability.objects.filter(member=member, start=shift.start, end=shift.end,
                                                     created_at__gte=confirmation.answered_at):
            unavailability_remove(absence=absence, by=by)  # audited as withdrawn
        still_away = Unavailability.objects.filter(member=member, start__lt=shift.end, end__gt=shift.start).exists()
        staffed = published.assignments.filter(shift=shift).count()
        if still_away or staffed >= shift.max_staff or published.assignments.filter(shift=shift,
                                                                                    member=member).exists():
            continue
        exclusion.delete()
        Assignment.objects.create(roster=published, shift=shift, member=member, source=Assignment.Source.MANUAL,
                                  created_by=by if getattr(by, "is_authenticated", False) else None)
        restored.append(shift)
    if restored:
        shift_ids = {s.pk for s in restored}
        Shift.objects.filter(pk__in=shift_ids).update(sequence=F("sequence") + 1, updated_at=timezone.now())
        teammates = set(published.assignments.filter(shift_id__in=shift_ids).values_list("member_id", flat=True))
        transaction.on_commit(partial(signals.assignments_changed.send, sender=Assignment,
                                      member_ids=teammates | {member.pk}, shift_ids=shift_ids,
                                      community_ids={published.community_id}))
    return restored

"""What a secretary sets up from the web: duties, weekly templates, visit households, one new member, and one
shift of a published week.

Every write calls full_clean (so the pages enforce what the models say), is audited under shifts.setup.* and,
for a template or a household, makes the weeks not yet published follow it. Their shifts are changed in place
(the same rows), so the draft places, pins and decisions that members and secretaries gave stay attached; only a
run that no longer exists is removed, and the report names the draft places that went with it and the places kept
that now break a rule. The open drafts are then solved again on the queue, keeping pins. A published week is never
changed behind the members' backs; one of its shifts is changed through shift_edit, which raises the shift's
SEQUENCE and tells the feeds.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts import signals
from shifts.messaging.labels import shift_label
from shifts.models import Assignment, Duty, Roster, Shift, ShiftTemplate, SolveRun
from shifts.rostering.rosters import conflict_lines, roster_generate
from shifts.rostering.rules import roster_conflicts, roster_rule_breaks
from shifts.rostering.selectors import solve_run_active
from shifts.rostering.week_making import study_duty
from shifts.weeks import local_zone, week_bounds, week_start_of
from volunteers.calendars import calendar_days
from volunteers.models import Community, Member, VisitTarget
from volunteers.selectors import can_see_sensitive_in
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)

TEMPLATE_FIELDS = ("duty_id", "weekday", "start", "end", "location", "min_staff", "max_staff", "visit_target_id",
                   "name", "active", "on_holiday", "holiday_min_staff", "holiday_max_staff")
SHIFT_FIELDS = ("start", "end", "location", "min_staff", "max_staff")


def _changed(before: dict, obj, fields) -> dict:
    """{field: [old, new]} as text, for the audit trail."""
    return {name: [str(before.get(name)), str(getattr(obj, name))] for name in fields
            if before.get(name) != getattr(obj, name)}


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields} if obj.pk else {}


# ------------------------------------------------------------------ duties

def duty_editable_by(*, duty: Duty, communities) -> bool:
    """Duties are shared by every community: a secretary may change one only while no other community uses it."""
    ids = {c.pk for c in communities}
    used = set(duty.templates.values_list("community_id", flat=True)) | set(
        duty.shifts.values_list("community_id", flat=True).distinct())
    return used <= ids


def duty_save(*, duty: Duty, by, required_skills=None, community: Community | None = None) -> Duty:
    """Create or change a duty; raises ValidationError naming the field."""
    created = duty.pk is None
    with transaction.atomic():
        duty.full_clean()
        duty.save()
        if required_skills is not None:
            duty.required_skills.set(required_skills)
        audit_log(action="shifts.setup.duty_created" if created else "shifts.setup.duty_changed", actor=by,
                  community=community, obj=duty, data={"code": duty.code, "name": duty.name})
    return duty


def duty_delete(*, duty: Duty, by, community: Community | None = None) -> None:
    """Delete a duty no template or shift uses; raises ValidationError when one does."""
    with transaction.atomic():
        audit_log(action="shifts.setup.duty_deleted", actor=by, community=community, obj=duty,
                  data={"code": duty.code, "name": duty.name})
        try:
            duty.delete()
        except ProtectedError:
            raise ValidationError(_("This duty is still used by weekly shifts or past shifts; it cannot be "
                                    "deleted. Stop its weekly shifts instead.")) from None


# ------------------------------------------------------------------ weekly templates

@dataclass
class FollowReport:
    """What a set-up change did to the weeks not yet published, for the page after saving.

    `dropped` and `conflicts` are sentences naming people and shifts: draft places that went with a shift that no
    longer runs, and places kept on a changed shift that now break a rule (the week's grid marks these too and
    publishing asks about them). `runs` are the re-solves queued so unpinned places follow the new times; `held`
    are the weeks whose draft is not solved again because a pinned place now breaks a rule (the solve could only
    fail on it): the secretary settles those places first.
    """

    weeks: list[dt.date] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    made: list[int] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    runs: list[SolveRun] = field(default_factory=list)
    held: list[dt.date] = field(default_factory=list)

    def merge(self, other: "FollowReport") -> "FollowReport":
        for name in ("weeks", "changed", "made", "dropped", "conflicts", "runs", "held"):
            mine = getattr(self, name)
            mine.extend(item for item in getattr(other, name) if item not in mine)
        return self


def template_save(*, template: ShiftTemplate, by) -> FollowReport:
    """Create or change a weekly template, then make the weeks not yet published follow it."""
    created = template.pk is None
    stored = None if created else ShiftTemplate.objects.get(pk=template.pk)
    before = {} if created else _snapshot(stored, TEMPLATE_FIELDS)
    report = FollowReport()
    with transaction.atomic():
        template.full_clean()
        template.save()
        changes = _changed(before, template, TEMPLATE_FIELDS)
        audit_log(action="shifts.setup.template_created" if created else "shifts.setup.template_changed",
                  actor=by, community=template.community, obj=template, data={"changes": changes})
        if changes:
            report = template_shifts_follow(template=template, by=by)
            # A household's own weekly visit gives way to its template, and comes back when the template stops.
            for target_id in {template.visit_target_id, stored.visit_target_id if stored else None} - {None}:
                report.merge(_visits_follow(VisitTarget.objects.get(pk=target_id), by=by))
    return report


def template_delete(*, template: ShiftTemplate, by) -> FollowReport:
    """Delete a weekly template. Its shifts in weeks not yet published go (the report names the draft places
    that went with them); published shifts stay as they are."""
    with transaction.atomic():
        audit_log(action="shifts.setup.template_deleted", actor=by, community=template.community, obj=template,
                  data={"template": str(template)})
        template.active = False
        template.save(update_fields=["active"])
        report = template_shifts_follow(template=template, by=by)
        template.delete()
    return report


def _published_weeks(community: Community, weeks) -> set[dt.date]:
    return set(Roster.objects.filter(community=community, week_start__in=list(weeks),
                                     status=Roster.Status.PUBLISHED).values_list("week_start", flat=True))


def _open_weeks(community: Community) -> list[dt.date]:
    """The weeks already prepared for the community (they have shifts still to come) that are not published.

    A running solve writes places on the week's shifts: they cannot change under it. The whole change rolls back
    (callers hold a transaction), and the secretary saves again when the draft is done.
    """
    weeks = {week_start_of(start) for start in Shift.objects.filter(
        community=community, start__gt=timezone.now()).values_list("start", flat=True)}
    open_weeks = sorted(weeks - _published_weeks(community, weeks))
    for week in open_weeks:
        if solve_run_active(community, week) is not None:
            raise ValidationError(_("The week of %(week)s is being planned right now. Save again in a minute, "
                                    "when it is done.") % {"week": week.isoformat()})
    return open_weeks


def _week_shifts(queryset, week: dt.date):
    low, high = week_bounds(week)
    return list(queryset.filter(start__gte=low, start__lt=high, start__gt=timezone.now()).order_by("start", "pk"))


def _study_sessions(community: Community, week: dt.date) -> list[Shift]:
    low, high = week_bounds(week)
    return list(Shift.objects.filter(community=community, duty=study_duty(), start__gte=low, start__lt=high))


def _template_wanted(template: ShiftTemplate, week: dt.date) -> list[dict]:
    """The template's runs in the week as Shift fields, as shifts_make_for_week would make them."""
    if not template.active:
        return []
    zone, now = local_zone(), timezone.now()
    study = _study_sessions(template.community, week)
    low, high = week_bounds(week)
    # A day whose run has begun keeps it: a new time later that day would make a second run.
    begun = {timezone.localtime(start, zone).date() for start in Shift.objects.filter(
        template=template, start__gte=low, start__lt=high, start__lte=now).values_list("start", flat=True)}
    wanted = []
    for day, info in sorted(calendar_days(week, week + dt.timedelta(days=7)).items()):
        staff = template.staff_on(holiday=info.is_holiday) if info.timetable_weekday == template.weekday else None
        if staff is None or day in begun:
            continue
        start, end = template.occurrence_on(day, zone)
        if start <= now or any(s.start < end and start < s.end for s in study):
            continue
        wanted.append({"start": start, "end": end, "min_staff": staff[0], "max_staff": staff[1],
                       "location": template.location, "name": template.name, "duty_id": template.duty_id,
                       "visit_target_id": template.visit_target_id})
    return wanted


def template_shifts_follow(*, template: ShiftTemplate, by=None) -> FollowReport:
    """Make the template's shifts in every week not yet published follow it, in place.

    The same Shift rows take the new weekday, time, staff count and meeting point, so the draft places, pins and
    decisions on them stay; a run the template no longer has is removed with its draft places (named in the
    report); a new run is made. Shifts of other templates are not touched.
    """
    community = template.community
    # The cause goes into the re-solve's reason, which staff of other communities may read: no household name.
    cause = str(_("Home visit")) if template.visit_target_id else str(template)
    return _follow(community, by=by, cause=cause, weeks={
        week: (_week_shifts(Shift.objects.filter(template=template), week), _template_wanted(template, week),
               {"template": template}) for week in _open_weeks(community)})


def _visits_follow(target: VisitTarget, *, by=None) -> FollowReport:
    """The household's weekly visit (made when it has no active template of its own) follows its day, time and
    length in the weeks not yet published, in place."""
    community = target.community
    duty = Duty.objects.filter(code=getattr(settings, "VISIT_DUTY_CODE", "visiting")).first()
    visited = target.pk and target.active and duty is not None and not target.templates.filter(active=True).exists()
    zone, now = local_zone(), timezone.now()
    weeks = {}
    for week in _open_weeks(community):
        wanted = []
        if visited:
            start = dt.datetime.combine(week + dt.timedelta(days=target.visit_weekday), target.visit_start,
                                        tzinfo=zone)
            end = start + dt.timedelta(minutes=target.visit_minutes)
            study = _study_sessions(community, week)
            if start > now and not any(s.start < end and start < s.end for s in study):
                wanted.append({"start": start, "end": end})
        existing = _week_shifts(Shift.objects.filter(visit_target=target, template__isnull=True), week)
        weeks[week] = (existing, wanted, {"duty": duty, "visit_target": target, "min_staff": 1, "max_staff": 2,
                                          "name": _("Home visit")})
    return _follow(community, by=by, cause=str(_("Home visit")), weeks=weeks)


def _follow(community: Community, *, by, cause: str, weeks: dict) -> FollowReport:
    """For each week: {week: (existing shifts, wanted field dicts, fields of a new shift)}. Existing shifts take
    the wanted fields in order; the rest are removed (their draft places named) or made."""
    report = FollowReport()
    private = _sensitive(by, community)
    for week, (existing, wanted, new_fields) in sorted(weeks.items()):
        touched = len(report.changed) + len(report.made)
        for shift, fields in zip(existing, wanted, strict=False):
            if any(getattr(shift, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(shift, name, value)
                shift.full_clean(validate_constraints=False)
                shift.save()
                report.changed.append(shift.pk)
        gone = existing[len(wanted):]
        if gone:
            places = _draft_places(gone, private=private)
            report.dropped.extend(places)
            # Kept as pairs of ids (no household name): who lost which draft place, and why.
            audit_log(action="shifts.setup.shifts_removed", actor=by, community=community,
                      data={"cause": cause, "week_start": week.isoformat(), "shifts": [s.pk for s in gone],
                            "places": list(Assignment.objects.filter(shift__in=gone, roster__status__in=Roster.EDITABLE)
                                           .values_list("shift_id", "member_id"))})
            Shift.objects.filter(pk__in=[s.pk for s in gone]).delete()
        for fields in wanted[len(existing):]:
            shift = Shift(community=community, **{**new_fields, **fields})
            shift.full_clean(validate_constraints=False)
            shift.save()
            report.made.append(shift.pk)
        if gone or len(report.changed) + len(report.made) > touched:
            report.weeks.append(week)
    if report.weeks:
        report.conflicts, held = _kept_conflicts(community, report.weeks, set(report.changed), by=by,
                                                     private=private)
        report.held = sorted(held)
        report.runs = _resolve_drafts(community, [w for w in report.weeks if w not in held], by=by, cause=cause)
        logger.info("%s: weeks %s follow %s (%d changed, %d made, %d places dropped)", community,
                    ", ".join(map(str, report.weeks)), cause, len(report.changed), len(report.made),
                    len(report.dropped))
    return report


def _sensitive(by, community: Community) -> bool:
    """Whether the person told may read why a named member cannot serve (family care, health, absence) and a
    visit's household: the community's own staff; nobody reads the report of a change made without a login."""
    return by is None or can_see_sensitive_in(by, community)


def _draft_places(shifts: list[Shift], *, private: bool) -> list[str]:
    """'王一 · 巡逻 12月7日 周一 09:00–11:00' for each draft or proposal place on these shifts."""
    rows = (Assignment.objects.filter(shift__in=shifts, roster__status__in=Roster.EDITABLE)
            .select_related("shift__duty", "shift__visit_target", "member").order_by("shift__start", "member__name"))
    return list(dict.fromkeys(f"{a.member.name} · {shift_label(a.shift, private=private)}" for a in rows))


def _kept_conflicts(community: Community, weeks, changed_ids: set[int], *, by,
                    private: bool) -> tuple[list[str], set[dt.date]]:
    """The places kept on changed shifts that now go against what people told Yure or another hard rule, as the
    grid and publishing see them (roster_conflicts, roster_rule_breaks), one line per person and shift; and the
    weeks of drafts where such a place is pinned (a shift with more pinned people than it now takes, or a pinned
    person who now breaks a rule), which a solve keeping pins cannot plan."""
    lines, held = [], set()
    for roster in Roster.objects.filter(community=community, week_start__in=weeks, status__in=Roster.EDITABLE):
        on_changed = set(roster.assignments.filter(shift_id__in=changed_ids).values_list("member_id", flat=True))
        if not on_changed:
            continue
        pairs = {key: code for key, code in roster_conflicts(roster).items() if key[0] in changed_ids}
        rest, over = [], set()
        for b in roster_rule_breaks(roster):
            if b.member_id and b.shift_id and (b.shift_id in changed_ids or b.member_id in on_changed):
                pairs.setdefault((b.shift_id, b.member_id), b.code)
            elif b.code == "full" and b.shift_id in changed_ids:
                over.add(b.shift_id)
            elif b.shift_id in changed_ids:
                rest.append(b)
        found = conflict_lines(roster, pairs, rest, reader=by)  # reasons as `by` may read them
        for shift in Shift.objects.filter(pk__in=over).select_related("duty").order_by("start"):
            found.append(_("%(shift)s has %(count)d people but now takes at most %(most)d") % {
                "shift": shift_label(shift, private=private), "most": shift.max_staff,
                "count": roster.assignments.filter(shift=shift).count()})
        lines.extend(line for line in found if line not in lines)
        pinned = set(roster.assignments.filter(pinned=True).values_list("shift_id", "member_id"))
        if pinned & set(pairs) or any(sum(1 for s, _m in pinned if s == shift.pk) > shift.max_staff
                                      for shift in Shift.objects.filter(pk__in=over)):
            held.add(roster.week_start)
    return lines, held


def _resolve_drafts(community: Community, weeks, *, by, cause: str) -> list[SolveRun]:
    """Solve the open drafts of these weeks again on the queue, keeping pins, as an availability change does."""
    runs = []
    for week in Roster.objects.filter(community=community, week_start__in=weeks,
                                      status=Roster.Status.DRAFT).values_list("week_start", flat=True).distinct():
        runs.append(roster_generate(community=community, week_start=week, by=by, kind=SolveRun.Kind.RESOLVE,
                                    cause={"kind": "setup", "name": cause},
                                    reason=_("Weekly shift changed: %(name)s") % {"name": cause}))
    return runs


def template_draft_places(template: ShiftTemplate, *, by=None) -> list[str]:
    """The draft places on the template's coming shifts in weeks not yet published: what deleting it would take
    away, named before the secretary confirms."""
    return _unpublished_places(template.community, Shift.objects.filter(template=template), by=by)


def household_draft_places(target: VisitTarget, *, by=None) -> list[str]:
    """The draft places on the household's coming visits in weeks not yet published (see template_draft_places)."""
    return _unpublished_places(target.community, Shift.objects.filter(visit_target=target), by=by)


def _unpublished_places(community: Community, shifts, *, by) -> list[str]:
    upcoming = list(shifts.filter(start__gt=timezone.now()))
    published = _published_weeks(community, {week_start_of(s.start) for s in upcoming})
    return _draft_places([s for s in upcoming if week_start_of(s.start) not in published],
                         private=_sensitive(by, community))


def template_published_shifts(template: ShiftTemplate) -> list[Shift]:
    """The template's shifts still to come in published weeks: these keep their details unless changed one by
    one (shift_edit)."""
    upcoming = list(Shift.objects.filter(template=template, start__gt=timezone.now()).order_by("start"))
    published = _published_weeks(template.community, {week_start_of(s.start) for s in upcoming})
    return [shift for shift in upcoming if week_start_of(shift.start) in published]


# ------------------------------------------------------------------ one shift of a published week

def shift_edit(*, shift: Shift, by, start: dt.datetime, end: dt.datetime, location: str, min_staff: int,
               max_staff: int) -> Shift:
    """Change one shift's time, place or staff count; members' calendars take it because SEQUENCE rises.

    Raises ValidationError naming the field. Sends shifts.signals.shift_changed after commit.
    """
    stored = Shift.objects.get(pk=shift.pk)  # a ModelForm may already have changed `shift` in memory
    if stored.start <= timezone.now():
        raise ValidationError({"start": _("This shift has already begun; it can no longer be changed.")})
    with transaction.atomic():
        before = _snapshot(stored, SHIFT_FIELDS)
        shift.start, shift.end, shift.location = start, end, location.strip()
        shift.min_staff, shift.max_staff = min_staff, max_staff
        if shift.start <= timezone.now():
            raise ValidationError({"start": _("Choose a time that is still to come.")})
        if week_start_of(shift.start) != week_start_of(before["start"]):
            raise ValidationError({"start": _("Keep the shift in its own week; make a new week's shift from its "
                                              "weekly template instead.")})
        shift.full_clean(validate_constraints=False)
        changes = _changed(before, shift, SHIFT_FIELDS)
        if not changes:
            return shift
        shift.sequence += 1
        shift.save()
        audit_log(action="shifts.setup.shift_changed", actor=by, community=shift.community, obj=shift,
                  data={"changes": changes, "sequence": shift.sequence})
        transaction.on_commit(partial(signals.shift_changed.send, sender=Shift, shift_id=shift.pk,
                                      community_id=shift.community_id))
    return shift


# ------------------------------------------------------------------ visit households

def visit_target_save(*, target: VisitTarget, by, preferred_visitors=None) -> FollowReport:
    """Create or change a visit household (its address and needs are sensitive: the audit keeps no copy)."""
    created = target.pk is None
    with transaction.atomic():
        target.full_clean()
        target.save()
        if preferred_visitors is not None:
            target.preferred_visitors.set(preferred_visitors)
        audit_log(action="shifts.setup.household_created" if created else "shifts.setup.household_changed",
                  actor=by, community=target.community, obj=target, data={"active": target.active})
        # Its weekly visit (made when it has no template of its own) follows a new day, time or length.
        return _visits_follow(target, by=by)


def visit_target_delete(*, target: VisitTarget, by) -> FollowReport:
    """Delete a household; past visit shifts stay, without the household."""
    report = FollowReport()
    with transaction.atomic():
        audit_log(action="shifts.setup.household_deleted", actor=by, community=target.community, obj=target)
        for template in list(target.templates.all()):
            report.merge(template_delete(template=template, by=by))
        target.active = False
        target.save(update_fields=["active"])
        report.merge(_visits_follow(target, by=by))
        target.delete()
    return report


# ------------------------------------------------------------------ one new member

def member_add(*, member: Member, by, skills=()) -> Member:
    """Add one member by hand (no spreadsheet needed); raises ValidationError naming the field."""
    with transaction.atomic():
        member.full_clean(exclude=["user"])
        member.save()
        member.skills.set(skills)
        audit_log(action="shifts.setup.member_added", actor=by, community=member.community, obj=member,
                  data={"name": member.name})
    return member

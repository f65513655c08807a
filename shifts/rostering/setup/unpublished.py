"""The weeks not yet published follow a set-up change: a weekly template's runs, or a household's own weekly
visit, change in place on the same Shift rows (so draft places, pins and decisions stay), a run that no longer
exists goes (the report names the draft places that went with it) and a new one is made; the places kept that now
break a rule are named, and the open drafts are solved again on the queue, keeping pins.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.messaging.labels import shift_label
from shifts.models import Assignment, Duty, Roster, Shift, ShiftTemplate, SolveRun
from shifts.rostering.rosters import conflict_lines, roster_generate
from shifts.rostering.rules import roster_conflicts, roster_rule_breaks
from shifts.rostering.selectors import solve_run_active
from shifts.rostering.week_making import study_duty
from shifts.weeks import local_zone, week_bounds, week_start_of
from volunteers.calendars import calendar_days
from volunteers.models import Community, VisitTarget
from volunteers.selectors import can_see_sensitive_in
from volunteers.services.audit import audit_log

logger = logging.getLogger(__name__)


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


def published_weeks(community: Community, weeks) -> set[dt.date]:
    return set(Roster.objects.filter(community=community, week_start__in=list(weeks),
                                     status=Roster.Status.PUBLISHED).values_list("week_start", flat=True))


def _open_weeks(community: Community) -> list[dt.date]:
    """The weeks already prepared for the community (they have shifts still to come) that are not published.

    A running solve writes places on the week's shifts: they cannot change under it. The whole change rolls back
    (callers hold a transaction), and the secretary saves again when the draft is done.
    """
    weeks = {week_start_of(start) for start in Shift.objects.filter(
        community=community, start__gt=timezone.now()).values_list("start", flat=True)}
    open_weeks = sorted(weeks - published_weeks(community, weeks))
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


def visits_follow(target: VisitTarget, *, by=None) -> FollowReport:
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


def unpublished_places(community: Community, shifts, *, by) -> list[str]:
    """The draft places on these shifts still to come in weeks not yet published, as `by` may read them."""
    upcoming = list(shifts.filter(start__gt=timezone.now()))
    published = published_weeks(community, {week_start_of(s.start) for s in upcoming})
    return _draft_places([s for s in upcoming if week_start_of(s.start) not in published],
                         private=_sensitive(by, community))

"""Read-side assembly of one community-week for the week grid, the printout and the exports.

Everything is fetched in a fixed number of queries (shifts, assignments, rosters, runs), whatever the size of the
community, and arranged in Python into rows of duties by columns of days.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shifts.models import Assignment, Roster, Shift, ShiftExclusion, SolveRun
from shifts.rostering.readmodels.fill import fill_rate
from shifts.rostering.rosters import roster_diff, roster_pairs
from shifts.rostering.rules import roster_conflicts
from shifts.rostering.selectors import shifts_for_week
from volunteers.models import Member

SHOWN_STATUSES = (Roster.Status.DRAFT, Roster.Status.PROPOSAL, Roster.Status.PUBLISHED)


@dataclass
class ShiftCell:
    shift: Shift
    assignments: list = field(default_factory=list)
    exclusions: list = field(default_factory=list)  # ShiftExclusion: people not to be put back on this shift

    @property
    def staffed(self) -> int:
        return len(self.assignments)

    @property
    def missing(self) -> int:
        return max(0, self.shift.min_staff - self.staffed)

    @property
    def is_short(self) -> bool:
        return self.missing > 0

    @property
    def is_gathering(self) -> bool:
        """The study session and other gatherings (settings.UNROSTERED_DUTIES): everyone comes, nobody is
        rostered; the grid shows them as such, with attendance, never as a shift to fill."""
        return self.shift.duty.code in settings.UNROSTERED_DUTIES

    @property
    def has_room(self) -> bool:
        return self.staffed < self.shift.max_staff and not self.is_gathering


@dataclass
class DutyRow:
    duty: object
    days: list  # seven lists of ShiftCell, Monday first


@dataclass
class WeekView:
    community: object
    week_start: dt.date
    rosters: dict  # status -> Roster
    roster: Roster | None
    shifts: list
    cells: list  # ShiftCell, by start
    rows: list  # DutyRow
    days: list  # seven dates
    active_run: SolveRun | None
    last_run: SolveRun | None
    minutes_by_member: dict = field(default_factory=dict)
    conflicts: dict = field(default_factory=dict)  # (shift pk, member pk) -> reason code

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=7)

    @property
    def fill_rate(self) -> float | None:
        return fill_rate((c.shift.min_staff, c.staffed) for c in self.cells)

    @property
    def conflict_count(self) -> int:
        return len(self.conflicts)

    @property
    def short_cells(self) -> list:
        return [c for c in self.cells if c.is_short]

    @property
    def unfilled_reasons(self) -> list:
        """(shift, plain-language reason) for each short shift, in the page's language."""
        by_pk = {cell.shift.pk: cell.shift for cell in self.cells}
        return unfilled_reasons(self.roster, by_pk)

    @property
    def short_reasons(self) -> list:
        """(cell, the solver's explanation or "") for each short shift, by time."""
        texts = {}
        for shift, text in self.unfilled_reasons:
            if shift is not None:
                texts.setdefault(shift.pk, text)
        return [(c, texts.get(c.shift.pk, "")) for c in sorted(self.short_cells, key=lambda c: c.shift.start)]

    @property
    def general_reasons(self) -> list:
        """Explanations that name no shift of this week."""
        return [text for shift, text in self.unfilled_reasons if shift is None]

    @property
    def version_label(self) -> str:
        return version_label(self.roster)

    @property
    def editable(self) -> bool:
        return self.roster is not None and self.roster.status in Roster.EDITABLE


@dataclass
class StaffingProblem:
    shift: Shift
    staffed: int

    @property
    def short(self) -> bool:
        return self.staffed < self.shift.min_staff


def staffing_problems(cells) -> list[StaffingProblem]:
    """Shifts of the shown version below their minimum or above their maximum, by time."""
    return [StaffingProblem(c.shift, c.staffed) for c in sorted(cells, key=lambda c: c.shift.start)
            if c.staffed < c.shift.min_staff or c.staffed > c.shift.max_staff]


def roster_changes(roster: Roster, against: Roster | None) -> dict:
    """What making `roster` the published version changes against `against`, with names, by time: the same
    diff the publish service records."""
    diff = roster_diff(against, roster_pairs(roster))
    items = diff["added"] + diff["removed"]
    shifts = Shift.objects.filter(pk__in={i["shift"] for i in items}).select_related("duty").in_bulk()
    members = Member.objects.filter(pk__in={i["member"] for i in items}).only("name").in_bulk()

    def rows(pairs):
        return sorted(({"shift": shifts[i["shift"]], "member": members[i["member"]]} for i in pairs),
                      key=lambda r: (r["shift"].start, r["member"].name))

    return {"added": rows(diff["added"]), "removed": rows(diff["removed"])}


def rosters_for_week(community, week_start) -> dict:
    rosters = Roster.objects.filter(community=community, week_start=week_start, status__in=SHOWN_STATUSES)
    by_status = {}
    for roster in rosters.order_by("created_at"):
        by_status[roster.status] = roster  # the newest proposal wins
    return by_status


def choose_roster(rosters: dict, wanted: str | None) -> Roster | None:
    """The version asked for, else the one a secretary works on: the draft, then a proposal, then published."""
    if wanted in rosters:
        return rosters[wanted]
    for status in (Roster.Status.DRAFT, Roster.Status.PROPOSAL, Roster.Status.PUBLISHED):
        if status in rosters:
            return rosters[status]
    return None


def choose_printed(rosters: dict, wanted: str | None) -> Roster | None:
    """The version a printout or an export is of: the published roster, unless the secretary explicitly picks the
    proposal or the draft; the draft or proposal only when nothing is published yet."""
    if wanted in (Roster.Status.PROPOSAL, Roster.Status.DRAFT) and wanted in rosters:
        return rosters[wanted]
    for status in (Roster.Status.PUBLISHED, Roster.Status.DRAFT, Roster.Status.PROPOSAL):
        if status in rosters:
            return rosters[status]
    return None


def version_label(roster: Roster | None) -> str:
    """What a printout or file is of, with its time: 已发布 第3版 · 2026-12-07 09:30, 调整建议（未采用） · …,
    草稿（未发布） · …"""
    if roster is None:
        return ""
    if roster.status in (Roster.Status.PUBLISHED, Roster.Status.SUPERSEDED):
        when = roster.published_at or roster.created_at
        text = _("Published, version %(version)s") % {"version": roster.version}
    elif roster.status == Roster.Status.PROPOSAL:
        when, text = roster.created_at, _("Re-plan proposal (not adopted)")
    else:
        when, text = roster.created_at, _("Draft (not published)")
    return f"{text} · {timezone.localtime(when):%Y-%m-%d %H:%M}" if when else text


def week_shifts(community, week_start) -> list:
    return list(shifts_for_week(community, week_start))


def build_week(community, week_start: dt.date, wanted_status: str | None = None, *, printed: bool = False
               ) -> WeekView:
    """printed: for a printout or an export (choose_printed), else for the secretary's grid (choose_roster)."""
    rosters = rosters_for_week(community, week_start)
    roster = (choose_printed if printed else choose_roster)(rosters, wanted_status)
    shifts = week_shifts(community, week_start)
    cells = {s.pk: ShiftCell(s) for s in shifts}
    minutes = defaultdict(int)
    conflicts = roster_conflicts(roster) if roster is not None else {}
    for exclusion in ShiftExclusion.objects.filter(shift__in=shifts).select_related("member").order_by("created_at"):
        cells[exclusion.shift_id].exclusions.append(exclusion)
    if roster is not None:
        assignments = (Assignment.objects.filter(roster=roster).select_related("member")
                       .order_by("member__name", "pk"))
        for assignment in assignments:
            cell = cells.get(assignment.shift_id)
            if cell is None:
                continue
            assignment.shift = cell.shift  # reuse the fetched shift: no query per assignment
            # In words only for the reader (shifts.rostering.views.common.redact_week): the code tells of an absence.
            assignment.conflict = ""
            cell.assignments.append(assignment)
            minutes[assignment.member_id] += cell.shift.minutes
    days = [week_start + dt.timedelta(days=i) for i in range(7)]
    rows = _rows(cells.values(), week_start)
    runs = list(SolveRun.objects.filter(community=community, week_start=week_start).order_by("-requested_at")[:5])
    active = next((r for r in runs if r.status in (SolveRun.Status.QUEUED, SolveRun.Status.RUNNING)), None)
    return WeekView(community=community, week_start=week_start, rosters=rosters, roster=roster, shifts=shifts,
                    cells=list(cells.values()), rows=rows, days=days, active_run=active,
                    last_run=runs[0] if runs else None, minutes_by_member=dict(minutes), conflicts=conflicts)


def _rows(cells, week_start) -> list:
    by_duty = {}
    for cell in cells:
        duty = cell.shift.duty
        row = by_duty.setdefault(duty.pk, DutyRow(duty=duty, days=[[] for _ in range(7)]))
        day = (timezone.localtime(cell.shift.start).date() - week_start).days
        row.days[min(max(day, 0), 6)].append(cell)
    return sorted(by_duty.values(), key=lambda r: r.duty.code)


def unfilled_reasons(roster, shifts_by_pk: dict) -> list:
    """The solver's explanations stored on the roster ({"explanation": {"zh-hans": …, "en": …}, "shift_id": …})."""
    if roster is None:
        return []
    language = "en" if (translation.get_language() or "").startswith("en") else "zh-hans"
    out = []
    for item in roster.unfilled or []:
        if not isinstance(item, dict):
            continue
        explanation = item.get("explanation") or {}
        text = explanation.get(language) or explanation.get("zh-hans") or explanation.get("en")
        if text:
            out.append((shifts_by_pk.get(item.get("shift_id")), text))
    return out

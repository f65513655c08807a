"""The report as pages, the PDF and the CSV read it: sections of figures in words, charts with their data tables,
and for a district the communities side by side. Built from shifts.reports.figures; decides what a reader may
see (idle members by name only for a community's own staff), never reads anything sensitive."""

import math
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shifts.models import NoShowCheck
from shifts.models.patrol import PatrolTag
from shifts.reports.charts import Chart, bar_chart, column_chart
from shifts.reports.figures import IDLE_MONTHS, CommunityFigures, MonthFigures, month_figures
from shifts.reports.periods import Month
from volunteers.models import Community, VisitTarget

HOUR_BANDS = ((0, 2), (2, 4), (4, 8), (8, 16), (16, None))


@dataclass
class Stat:
    label: str
    value: str


@dataclass
class Section:
    key: str
    heading: str
    stats: list
    charts: list = field(default_factory=list)
    names: list | None = None  # idle members, only for the community's own staff
    names_heading: str = ""


@dataclass
class Report:
    title: str
    scope: str  # the community's or the district's name
    month: Month
    period: str
    excludes: list
    sections: list
    figures: MonthFigures
    district: bool = False
    table_headers: tuple = ()
    table_rows: list = field(default_factory=list)


def hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def percent(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def community_report(*, community: Community, month: Month, names: bool) -> Report:
    """A community's month; `names`: the reader is its own staff, who may see who has not taken part."""
    figures = month_figures(communities=[community], month=month)
    return _report(figures, scope=community.name, names=names, district=False)


def district_report(*, district: str, month: Month) -> Report:
    """The district's month: counts only, and every community side by side."""
    communities = list(Community.objects.filter(district=district).order_by("name"))
    figures = month_figures(communities=communities, month=month)
    report = _report(figures, scope=district, names=False, district=True)
    report.table_headers, report.table_rows = _community_table(figures.communities)
    report.sections.append(_side_by_side(figures.communities))
    return report


def _report(figures: MonthFigures, *, scope: str, names: bool, district: bool) -> Report:
    month = figures.month
    title = _("%(scope)s: monthly report for %(month)s") % {"scope": scope, "month": _month_name(month)}
    period = _("Period: %(first)s to %(last)s, from the attendance records of those days.") % {
        "first": date_format(month.first_day, "DATE_FORMAT"), "last": date_format(month.last_day, "DATE_FORMAT")}
    sections = [_taking_part(figures, names), _service(figures), _care(figures), _patrols(figures),
                _fairness(figures)]
    return Report(title=title, scope=scope, month=month, period=period, excludes=_excludes(), sections=sections,
                  figures=figures, district=district)


def _month_name(month: Month) -> str:
    return date_format(month.first_day, "YEAR_MONTH_FORMAT")


def _excludes() -> list[str]:
    out = [_("Shifts only planned count as served only where attendance was recorded: a roster alone is not "
             "service."),
           _("No health, caregiving, address or household name appears in this report; households are counted "
             "by kind."),
           _("The study session's attendance is counted as organisational life, out of the members active today.")]
    if not settings.GATHERINGS_COUNT_AS_SERVICE:
        out.append(_("Study sessions are not counted in volunteer service hours."))
    return out


def _trend_label(month: Month) -> tuple[str, str]:
    """A column's label: the month's short name, and under it the year where the year begins."""
    return date_format(month.first_day, "M"), str(month.year) if month.month == 1 else ""


def _trend(trend: list, value, text) -> list:
    """Column chart data for a trend: the first column always shows its year."""
    columns = [(_trend_label(point.month), value(point), text(point)) for point in trend]
    if columns:
        (name, _year), first_value, first_text = columns[0]
        columns[0] = ((name, str(trend[0].month.year)), first_value, first_text)
    return columns


# --------------------------------------------------------------------------- sections

def _taking_part(figures: MonthFigures, names: bool) -> Section:
    total = figures.total
    served_share = total.served_members / total.active if total.active else None
    stats = [Stat(_("Members active"), str(total.active)),
             Stat(_("Members who served at least once"), f"{total.served_members} ({percent(served_share)})"),
             Stat(_("Members who have not taken part for %(n)d months") % {"n": IDLE_MONTHS}, str(len(total.idle))),
             Stat(_("Study sessions held"), str(total.study_sessions)),
             Stat(_("Study-day attendance rate"),
                  f"{percent(total.study_rate)} ({total.study_present}/{total.study_expected})")]
    trend = figures.trend
    charts = [
        column_chart(key="trend-members", title=_("Members who served, month by month"),
                     desc=_("Members who served at least once in each of the last %(n)d months; this month is "
                            "the last column.") % {"n": len(trend)},
                     columns=_trend(trend, lambda p: p.members, lambda p: str(p.members)),
                     headers=(_("Month"), _("Members"))),
        column_chart(key="trend-study", title=_("Study-day attendance rate, month by month"),
                     desc=_("Share of active members present at the study session in each month."),
                     columns=_trend(trend, lambda p: p.study_rate or 0, lambda p: percent(p.study_rate)),
                     headers=(_("Month"), _("Attendance rate"))),
    ]
    section = Section("taking-part", _("Taking part"), stats, charts)
    if names:
        section.names = [name for _pk, name in total.idle]
        section.names_heading = _("Not taken part for %(n)d months: call them") % {"n": IDLE_MONTHS}
    return section


def _outcome_label(outcome: str) -> str:
    return str(NoShowCheck.Outcome(outcome).label) if outcome else _("Not yet reached")


def _service(figures: MonthFigures) -> Section:
    total = figures.total
    no_shows = sum(total.no_shows.values())
    stats = [Stat(_("Hours served"), hours(total.service_minutes)),
             Stat(_("Shifts planned"), str(total.shifts_planned)),
             Stat(_("Places planned"), str(total.places_planned)),
             Stat(_("Places served"), str(total.places_served)),
             Stat(_("Fill rate (people who served)"), percent(total.fill_rate)),
             Stat(_("No-shows"), str(no_shows))]
    outcomes = sorted(total.no_shows.items(), key=lambda item: (-item[1], item[0]))
    charts = [
        bar_chart(key="hours-duty", title=_("Hours by duty"),
                  desc=_("Hours served this month on each duty, most first."),
                  bars=[(name, minutes, hours(minutes)) for name, minutes, _n in figures.hours_by_duty],
                  headers=(_("Duty"), _("Hours"))),
        bar_chart(key="no-shows", title=_("No-shows and how they ended"),
                  desc=_("Members who neither came nor said so, by what the call found; %(n)d in all.")
                  % {"n": no_shows},
                  bars=[(_outcome_label(o), n, str(n)) for o, n in outcomes], headers=(_("Outcome"), _("No-shows"))),
        column_chart(key="trend-hours", title=_("Hours served, month by month"),
                     desc=_("Volunteer service hours in each of the last %(n)d months.") % {"n": len(figures.trend)},
                     columns=_trend(figures.trend, lambda p: p.minutes / 60, lambda p: hours(p.minutes)),
                     headers=(_("Month"), _("Hours"))),
    ]
    return Section("service", _("Service"), stats, charts)


def _care(figures: MonthFigures) -> Section:
    total = figures.total
    kinds = VisitTarget.Circumstance
    stats = [Stat(_("Households visited: %(kind)s") % {"kind": kind.label}, str(total.visited[kind.value]))
             for kind in kinds]
    stats += [Stat(_("Visits by a familiar visitor"), f"{percent(total.familiar_share)} "
                   f"({total.visits_familiar}/{total.visits_served})"),
              Stat(_("Households not visited this month"), str(sum(total.not_visited.values())))]
    charts = [
        bar_chart(key="visited-kind", title=_("Households visited by kind"),
                  desc=_("Households with at least one visit this month, by their circumstances; "
                         "%(n)d were not visited.") % {"n": sum(total.not_visited.values())},
                  bars=[(str(kind.label), total.visited[kind.value], str(total.visited[kind.value]))
                        for kind in kinds], headers=(_("Household"), _("Households visited"))),
        column_chart(key="trend-visits", title=_("Households visited, month by month"),
                     desc=_("Households visited at least once in each month."),
                     columns=_trend(figures.trend, lambda p: p.households_visited,
                                    lambda p: str(p.households_visited)), headers=(_("Month"), _("Households"))),
    ]
    return Section("care", _("Care for the elderly"), stats, charts)


def _patrols(figures: MonthFigures) -> Section:
    total = figures.total
    stats = [Stat(_("Patrol rounds walked"), str(total.rounds_walked)),
             Stat(_("Notes in the patrol log"), str(total.notes)),
             Stat(_("Notes handed to the grid worker"), str(total.notes_handed))]
    charts = [
        bar_chart(key="notes-tag", title=_("Notes handed to the grid worker, by tag"),
                  desc=_("Patrol log notes passed on this month, by what they were about; a note may have "
                         "several tags."),
                  bars=[(str(tag.label), total.handed_by_tag[tag.value], str(total.handed_by_tag[tag.value]))
                        for tag in PatrolTag], headers=(_("Tag"), _("Notes"))),
        column_chart(key="trend-rounds", title=_("Patrol rounds, month by month"),
                     desc=_("Patrol rounds with at least one member present, in each month."),
                     columns=_trend(figures.trend, lambda p: p.rounds_walked, lambda p: str(p.rounds_walked)),
                     headers=(_("Month"), _("Rounds"))),
    ]
    return Section("patrols", _("Patrols"), stats, charts)


def carrying(minutes: list[int], share: float) -> int:
    """How many members (the busiest first) gave `share` of the hours; 0 when nobody served."""
    total, running = sum(minutes), 0
    for count, value in enumerate(sorted(minutes, reverse=True), start=1):
        running += value
        if running >= total * share:
            return count
    return 0


def _fairness(figures: MonthFigures) -> Section:
    minutes = figures.member_minutes
    total = sum(minutes)
    top = math.ceil(len(minutes) / 5)
    top_share = sum(minutes[:top]) / total if total else None
    stats = [Stat(_("Members who served"), str(len(minutes))),
             Stat(_("Members who gave half of the hours"), str(carrying(minutes, 0.5))),
             Stat(_("Members who gave four fifths of the hours"), str(carrying(minutes, 0.8))),
             Stat(_("Share of the hours given by the busiest fifth"), percent(top_share))]
    bands = []
    for low, high in HOUR_BANDS:
        count = sum(1 for m in minutes if m >= low * 60 and (high is None or m < high * 60))
        label = (_("%(low)d–%(high)d hours") % {"low": low, "high": high} if high is not None
                 else _("%(low)d hours or more") % {"low": low})
        bands.append((label, count, str(count)))
    charts = [bar_chart(key="fairness", title=_("How the hours are spread"),
                        desc=_("Members by the hours they served this month; a fair month has few members in the "
                               "top band."), bars=bands, headers=(_("Hours this month"), _("Members")))]
    return Section("fairness", _("Fairness"), stats, charts)


# --------------------------------------------------------------------------- the district

def _community_table(rows: list[CommunityFigures]) -> tuple[tuple, list]:
    headers = (_("Community"), _("Members active"), _("Served at least once"), _("Hours served"), _("Fill rate"),
               _("Study-day attendance rate"), _("Households visited"), _("Households not visited"),
               _("Patrol rounds"), _("No-shows"))
    table = [(row.community.name, row.active, row.served_members, hours(row.service_minutes), percent(row.fill_rate),
              percent(row.study_rate), sum(row.visited.values()), sum(row.not_visited.values()), row.rounds_walked,
              sum(row.no_shows.values())) for row in rows]
    return headers, table


def _side_by_side(rows: list[CommunityFigures]) -> Section:
    charts: list[Chart] = [
        bar_chart(key="community-hours", title=_("Hours served by community"),
                  desc=_("Volunteer service hours of each community this month."),
                  bars=[(r.community.name, r.service_minutes, hours(r.service_minutes)) for r in rows],
                  headers=(_("Community"), _("Hours"))),
        bar_chart(key="community-study", title=_("Study-day attendance rate by community"),
                  desc=_("Share of each community's active members present at its study session."),
                  bars=[(r.community.name, r.study_rate or 0, percent(r.study_rate)) for r in rows],
                  headers=(_("Community"), _("Attendance rate")), most=1.0),
    ]
    return Section("communities", _("Communities side by side"), [], charts)

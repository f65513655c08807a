"""The service-hours ledger: served minutes per member by duty, month and year; the fairness history; the
national-record export (全国志愿服务信息系统 fields); and the district's star levels.

Served minutes come from attendance (shifts.delivered.attendance). Where a shift has no attendance at all
yet, the fairness history falls back to the planned minutes of the published roster.
"""

import csv
import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import CharField, Count, Sum
from django.db.models.functions import Cast, ExtractMonth, ExtractYear, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.models import Attendance, StarLevels
from shifts.models.duties import MEDIATION_CODES
from shifts.models.hours import parse_thresholds
from volunteers.models import Community, Member
from volunteers.services.audit import audit_log

# The national record is kept in Chinese whatever the exporter's language.
VISIT_CONTENT = "入户探访"
EXPORT_HEADERS = ("姓名", "志愿者编号", "服务日期", "开始时间", "结束时间", "服务时长（小时）", "服务内容", "组织名称")


def local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in local time: `end` is inclusive."""
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def organisation_name(community: Community) -> str:
    return community.organisation_name or community.name


# --------------------------------------------------------------------------- the ledger

@dataclass
class MemberHours:
    total_minutes: int
    year_minutes: int
    by_month: list  # (month number, minutes) of the year, months with service only
    by_duty: list  # (duty name, minutes, shifts) of the year
    stars: int
    next_star_hours: int | None

    @property
    def total_hours(self) -> float:
        return round(self.total_minutes / 60, 1)

    @property
    def year_hours(self) -> float:
        return round(self.year_minutes / 60, 1)

    @property
    def stars_text(self) -> str:
        return "★" * self.stars

    @property
    def by_duty_hours(self) -> list:
        return [(name, round(minutes / 60, 1), count) for name, minutes, count in self.by_duty]


def served(member_ids=None, communities=None):
    """Served attendance that counts as volunteer service: gatherings such as the study session
    (settings.UNROSTERED_DUTIES) are organisational life, counted here only when the district says so."""
    queryset = Attendance.objects.filter(served=True)
    if not settings.GATHERINGS_COUNT_AS_SERVICE:
        queryset = queryset.exclude(shift__duty__code__in=settings.UNROSTERED_DUTIES)
    if member_ids is not None:
        queryset = queryset.filter(member_id__in=member_ids)
    if communities is not None:
        queryset = queryset.filter(shift__community__in=communities)
    return queryset


def member_hours(member: Member, year: int | None = None) -> MemberHours:
    year = year or timezone.localdate().year
    start, end = local_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    mine = served([member.pk])
    total = mine.aggregate(m=Sum("served_minutes"))["m"] or 0
    in_year = mine.filter(shift__start__gte=start, shift__start__lt=end)
    by_month = sorted((row["month"], row["m"]) for row in in_year.annotate(month=ExtractMonth("shift__start"))
                      .values("month").annotate(m=Sum("served_minutes")))
    by_duty = [(row["shift__duty__name"], row["m"], row["n"]) for row in
               in_year.values("shift__duty__name").annotate(m=Sum("served_minutes"), n=Count("pk"))
               .order_by("-m")]
    stars, next_hours = star_level(member.community.district, total)
    return MemberHours(total, sum(m for _month, m in by_month), by_month, by_duty, stars, next_hours)


def community_ledger(community: Community, year: int) -> list[dict]:
    """One row per member who served the community this year: name, minutes by month (1–12), year and all-time
    totals, stars. Sorted by most hours."""
    start, end = local_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    rows = (served(communities=[community]).filter(shift__start__gte=start, shift__start__lt=end)
            .annotate(month=ExtractMonth("shift__start")).values("member_id", "month")
            .annotate(m=Sum("served_minutes")))
    months: dict[int, list[int]] = defaultdict(lambda: [0] * 12)
    for row in rows:
        months[row["member_id"]][row["month"] - 1] += row["m"]
    totals = dict(served(member_ids=list(months)).values_list("member_id").annotate(m=Sum("served_minutes")))
    members = Member.objects.filter(pk__in=months).select_related("community")
    out = []
    for member in members:
        stars, _next = star_level(member.community.district, totals.get(member.pk, 0))
        out.append({"member": member, "months": [round(m / 60, 1) for m in months[member.pk]],
                    "year_hours": round(sum(months[member.pk]) / 60, 1),
                    "total_hours": round(totals.get(member.pk, 0) / 60, 1), "stars": stars, "stars_text": "★" * stars})
    return sorted(out, key=lambda r: (-r["year_hours"], r["member"].name))


def ledger_by_duty(community: Community, year: int) -> list[tuple[str, float, int]]:
    start, end = local_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    rows = (served(communities=[community]).filter(shift__start__gte=start, shift__start__lt=end)
            .values("shift__duty__name").annotate(m=Sum("served_minutes"), n=Count("pk")).order_by("-m"))
    return [(r["shift__duty__name"], round(r["m"] / 60, 1), r["n"]) for r in rows]


def ledger_years(community: Community) -> list[int]:
    years = (served(communities=[community]).annotate(y=ExtractYear("shift__start")).values_list("y", flat=True)
             .distinct())
    return sorted(set(years) | {timezone.localdate().year}, reverse=True)


# --------------------------------------------------------------------------- the national-record export

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """CSV cells people typed (names, duty names) never start a spreadsheet formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


class _LocalClock:
    """UTC moments from raw rows to local (date, "HH:MM") text. Converting each distinct minute once (shift
    times sit on the 15-minute grid, so a year has few) instead of going through the ORM's converters keeps a
    district's year (≈400,000 rows) within seconds."""

    def __init__(self, tz):
        self.tz = tz
        self.seen: dict = {}

    def __call__(self, value) -> tuple[str, str]:
        # Text from either database is "YYYY-MM-DD HH:MM:SS…" in UTC (PostgreSQL adds "+00", the session zone).
        key = value[:16] if isinstance(value, str) else value
        found = self.seen.get(key)
        if found is None:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
            local = moment.astimezone(self.tz)
            found = self.seen[key] = (local.date().isoformat(), f"{local.hour:02d}:{local.minute:02d}")
        return found


def service_content(*, duty: str, shift_name: str, duty_code: str, household: bool) -> str:
    """The record's 服务内容: the duty, and the shift's own name where it cannot name anyone. The file leaves the
    community (the national platform, the district, a printout), so a home visit is "入户探访" whoever exports it:
    its name says whose home ("探访谢家（和平街1号）"); a mediation's name may name the parties."""
    if household or duty_code == settings.VISIT_DUTY_CODE:
        return VISIT_CONTENT
    if duty_code in MEDIATION_CODES or not shift_name or shift_name == duty:
        return duty
    return f"{duty}（{shift_name}）"


def hours_export_rows(communities, start: dt.date, end: dt.date):
    """Yield one row per served shift of the communities in [start, end] with the national record fields:
    name, volunteer number, date, start, end, hours (a number), content, organisation (text). Times are the member's
    presence clipped to the shift. One query per community walks its (community, start) index in order."""
    begin, finish = local_bounds(start, end)
    clock = _LocalClock(timezone.get_current_timezone())
    contents: dict[tuple[str, str], str] = {}
    hours: dict[int, str] = {}
    for community in sorted(communities, key=lambda c: (c.name, c.pk)):
        organisation = organisation_name(community)
        queryset = (served(communities=[community]).filter(shift__start__gte=begin, shift__start__lt=finish)
                    # As text: PostgreSQL's datetime loader is Python code, and most rows share a few minutes.
                    .annotate(began=Cast(Greatest("check_in", "shift__start"), CharField()),
                              ended=Cast(Least("check_out", "shift__end"), CharField()))
                    .order_by("shift__start", "member__name", "pk")
                    .values_list("member__name", "member__volunteer_number", "began", "ended", "served_minutes",
                                 "shift__duty__name", "shift__name", "shift__duty__code",
                                 "shift__visit_target_id"))
        sql, params = queryset.query.sql_with_params()
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(5000):
                for name, number, began, ended, minutes, duty, shift_name, code, target in batch:
                    day, start_time = clock(began)
                    _day, end_time = clock(ended)
                    key = (duty, shift_name, code, target is not None)
                    content = contents.get(key)
                    if content is None:
                        content = contents[key] = service_content(duty=duty, shift_name=shift_name, duty_code=code,
                                                                  household=target is not None)
                    length = hours.get(minutes)
                    if length is None:
                        length = hours[minutes] = round(minutes / 60, 2)
                    yield [name, number, day, start_time, end_time, length, content, organisation]


def _hours_csv(rows) -> bytes:

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    writer.writerows([_safe(name), _safe(number), day, began, ended, f"{hours:.2f}", _safe(content),
                      _safe(organisation)]
                     for name, number, day, began, ended, hours, content, organisation in rows)
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _hours_xlsx(rows) -> bytes:
    """Plain values appended to a write-only sheet (twice as fast as a cell object per value); the few texts
    that would start a formula become explicit string cells."""

    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("志愿服务记录")
    sheet.append(EXPORT_HEADERS)

    def text_cell(value):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell

    for row in rows:
        if any(isinstance(value, str) and value.startswith(_FORMULA_START) for value in row):
            row = [text_cell(value) if isinstance(value, str) and value.startswith(_FORMULA_START) else value
                   for value in row]
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def hours_export(*, communities, start: dt.date, end: dt.date, fmt: str = "csv", by=None
                 ) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the served hours in [start, end] of one or more communities (a
    district's export is its communities one after another)."""
    communities = list(communities)
    if fmt not in ("csv", "xlsx"):
        raise ValidationError({"format": _("Export as xlsx or csv.")})
    if end < start:
        raise ValidationError({"end": _("The end of the period is before its start.")})
    if not communities:
        raise ValidationError({"community": _("Choose a community.")})
    rows = hours_export_rows(communities, start, end)
    for community in communities:
        audit_log(action="shifts.hours.exported", actor=by, community=community,
                  data={"from": start.isoformat(), "to": end.isoformat(), "format": fmt})
    scope = communities[0].pk if len(communities) == 1 else "district"
    filename = f"service-hours-{scope}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    if fmt == "csv":
        return _hours_csv(rows), "text/csv; charset=utf-8", filename
    return _hours_xlsx(rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename


# --------------------------------------------------------------------------- star levels

def thresholds_for(district: str) -> list[int]:
    row = StarLevels.objects.filter(district=district).first()
    return parse_thresholds(row.thresholds if row else settings.STAR_THRESHOLDS_HOURS)


def star_level(district: str, minutes: int, thresholds: list[int] | None = None) -> tuple[int, int | None]:
    """(stars reached, hours needed for the next star or None at the top) for a total of served minutes."""
    thresholds = thresholds if thresholds is not None else thresholds_for(district)
    hours = minutes / 60
    stars = sum(1 for h in thresholds if hours >= h)
    return stars, (thresholds[stars] if stars < len(thresholds) else None)

"""The large-print personal schedule card for a month (issue #27, paper): a member's published shifts and the
community's gatherings (the study day), each in one sentence, and whom to call.

A card goes home in a pocket and may be lost: it names the member, the community and shifts in words, never
health, caregiving or an address. A home visit is called 入户探访 with no place (its name and location would say
whose home it is)."""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from shifts.models import Roster, Shift
from shifts.models.duties import is_visit
from shifts.rostering.readmodels.member_shifts import shift_in_words
from shifts.rostering.selectors import published_assignments
from shifts.weeks import week_start_of
from volunteers.models import Member
from volunteers.selectors import community_secretary_phone

# No "today"/"tomorrow" on paper: a card is read all month long, so every day is named by its date.
_NO_RELATIVE_DAY = dt.date.min


@dataclass
class CardLine:
    start: dt.datetime
    words: str
    away: bool = False  # the member said they cannot come (still listed, marked, so the card is not wrong)
    gathering: bool = False


@dataclass
class MonthCard:
    member: Member
    month: dt.date  # the first of the month
    lines: list[CardLine] = field(default_factory=list)
    secretary_phone: str = ""
    unpublished_after: dt.date | None = None  # weeks from here on were not published when the card was printed


def month_from_url(raw: str) -> dt.date:
    """'2026-12' → 2026-12-01; anything else → 404."""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise Http404


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    last = calendar.monthrange(month.year, month.month)[1]
    start = dt.datetime.combine(month, dt.time(), tzinfo=tz)
    return start, dt.datetime.combine(month.replace(day=last), dt.time(), tzinfo=tz) + dt.timedelta(days=1)


def card_words(shift: Shift, today: dt.date = _NO_RELATIVE_DAY) -> str:
    """shift_in_words, with a home visit called 入户探访 and no place (safe on paper and on any staff page)."""
    if is_visit(shift):  # never the household's name or address
        shift = SimpleNamespace(start=shift.start, end=shift.end, name=_("Home visit"), location="",
                                duty=shift.duty)
    return shift_in_words(shift, today=today)


def month_cards(members, month: dt.date) -> list[MonthCard]:
    """One card per member, in the order given."""
    start, end = month_bounds(month)
    gatherings: dict[int, list[Shift]] = {}
    phones: dict[int, str] = {}
    cards = []
    for member in members:
        community = member.community
        if community.pk not in gatherings:
            gatherings[community.pk] = list(
                Shift.objects.filter(community=community, duty__code__in=settings.UNROSTERED_DUTIES,
                                     start__gte=start, start__lt=end).select_related("duty").order_by("start"))
            phone = community_secretary_phone(community)
            phones[community.pk] = phone[0] if phone else ""
        away = list(member.unavailability.filter(end__gt=start, start__lt=end))
        lines = []
        for assignment in published_assignments(member, start, end):
            shift = assignment.shift
            lines.append(CardLine(shift.start, card_words(shift),
                                  away=any(a.start < shift.end and shift.start < a.end for a in away)))
        lines += [CardLine(shift.start, card_words(shift), gathering=True) for shift in gatherings[community.pk]]
        lines.sort(key=lambda line: line.start)
        cards.append(MonthCard(member=member, month=month, lines=lines, secretary_phone=phones[community.pk],
                               unpublished_after=_unpublished_after(member, month)))
    return cards


def _unpublished_after(member: Member, month: dt.date) -> dt.date | None:
    """The day from which the month's rosters are not published yet: the Monday after the last published week
    (the first of the month when none is); None when the month's last week is published."""
    start, end = month_bounds(month)
    first_week = week_start_of(start.date())
    last_week = week_start_of((end - dt.timedelta(days=1)).date())
    last_published = (Roster.objects.filter(community=member.community, status=Roster.Status.PUBLISHED,
                                            week_start__gte=first_week, week_start__lte=last_week)
                      .order_by("-week_start").values_list("week_start", flat=True).first())
    if last_published == last_week:
        return None
    if last_published is None:
        return month
    return last_published + dt.timedelta(days=7)

"""The district administrator's page for public holidays, make-up workdays (调休) and school terms.

The State Council publishes each year's dates in November: the administrator loads the year, corrects the days
and marks it official. Secretaries read the same page without its forms (their rosters follow these dates);
everyone else gets a 404 (no hint the page exists).
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from scheduler_site.access import district_admin_required
from scheduler_site.forms import errors_to_form

from ..calendars import package_year
from ..forms import CalendarDayForm, SchoolTermForm
from ..models import WEEKDAY_NAMES, CalendarDay, CalendarYear, Community, SchoolTerm
from ..selectors import is_district_admin, is_staff_member
from ..services.calendars import (
    calendar_day_remove,
    calendar_day_save,
    calendar_year_seed,
    calendar_year_set_source,
    school_term_remove,
    school_term_save,
)

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _year(raw) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise Http404
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404
    return year


def _districts() -> list[str]:
    names = set(Community.objects.exclude(district="").values_list("district", flat=True))
    names |= set(SchoolTerm.objects.values_list("district", flat=True))
    return sorted(names)


def _terms_by_district() -> list[dict]:
    """Each district's terms, with the school holidays between two terms."""
    out = []
    for district in _districts():
        terms = list(SchoolTerm.objects.filter(district=district).order_by("start"))
        rows = []
        for index, term in enumerate(terms):
            rows.append({"term": term})
            following = terms[index + 1] if index + 1 < len(terms) else None
            if following is not None and (following.start - term.end).days > 1:
                rows.append({"break_start": term.end + dt.timedelta(days=1),
                             "break_end": following.start - dt.timedelta(days=1)})
        out.append({"district": district, "rows": rows})
    return out


def _context(year: int, **forms_) -> dict:
    stored = CalendarYear.objects.filter(year=year).first()
    if stored is not None:
        days = list(CalendarDay.objects.filter(date__year=year).order_by("date"))
        official = stored.source == CalendarYear.Source.OFFICIAL
    else:
        days, official = package_year(year)
    kinds, weekdays = dict(CalendarDay.Kind.choices), dict(WEEKDAY_NAMES)
    days = [{"pk": getattr(day, "pk", None), "date": day.date, "weekday": weekdays[day.date.weekday()],
             "kind": day.kind, "kind_label": kinds[day.kind], "name": day.name,
             "timetable": weekdays.get(day.replaces_weekday, "")} for day in days]
    context = {
        "year": year, "previous_year": year - 1 if year > FIRST_YEAR else None,
        "next_year": year + 1 if year < LAST_YEAR else None,
        "stored": stored, "official": official, "days": days,
        "day_form": CalendarDayForm(initial={"date": dt.date(year, 1, 1)}),
        "term_form": SchoolTermForm(districts=_districts()), "districts": _terms_by_district(),
        "can_edit": True,
    }
    context.update(forms_)
    return context


@login_required
def calendar_page(request):
    """Secretaries read it (their rosters follow these dates), the district administrator edits it. Another year
    is `?year=2027`: the dates are the whole country's and the district's, not any community's."""
    can_edit = is_district_admin(request.user)
    if not can_edit and not is_staff_member(request.user):
        raise Http404
    year = _year(request.GET.get("year") or timezone.localdate().year)
    return render(request, "volunteers/calendar.html", {**_context(year), "can_edit": can_edit})


@district_admin_required
def calendar_year_page(request, year):
    """The administrator's address for one year (where the forms come back to)."""
    return render(request, "volunteers/calendar.html", _context(_year(year)))




@district_admin_required
@require_POST
def calendar_year_load(request, year):
    year = _year(year)
    calendar_year_seed(year=year, by=request.user, replace=request.POST.get("replace") == "1")
    messages.success(request, _("The holidays of %(year)s are loaded; correct any day below.") % {"year": year})
    return redirect("calendar_year", year)


@district_admin_required
@require_POST
def calendar_year_mark(request, year):
    year = _year(year)
    source = request.POST.get("source", "")
    try:
        calendar_year_set_source(year=year, source=source, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("calendar_year", year)


@district_admin_required
@require_POST
def calendar_day_add(request, year):
    year = _year(year)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            day = calendar_day_save(date=data["date"], kind=data["kind"], name=data["name"],
                                    replaces_weekday=data["replaces_weekday"], by=request.user)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("Saved %(date)s.") % {"date": day.date.isoformat()})
            return redirect("calendar_year", day.date.year)
    return render(request, "volunteers/calendar.html", _context(year, day_form=form), status=400)


@district_admin_required
@require_POST
def calendar_day_delete(request, day_id):
    day = get_object_or_404(CalendarDay, pk=day_id)
    year = day.date.year
    calendar_day_remove(day=day, by=request.user)
    messages.success(request, _("The day is an ordinary day again."))
    return redirect("calendar_year", year)


@district_admin_required
@require_POST
def school_term_add(request, year):
    year = _year(year)
    form = SchoolTermForm(request.POST, districts=_districts())
    if form.is_valid():
        try:
            school_term_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            errors_to_form(form, exc)
        else:
            messages.success(request, _("School term saved."))
            return redirect("calendar_year", year)
    return render(request, "volunteers/calendar.html", _context(year, term_form=form), status=400)


@district_admin_required
@require_POST
def school_term_delete(request, term_id):
    term = get_object_or_404(SchoolTerm, pk=term_id)
    year = term.start.year
    school_term_remove(term=term, by=request.user)
    messages.success(request, _("School term removed."))
    return redirect("calendar_year", year)

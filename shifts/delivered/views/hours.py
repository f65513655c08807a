"""The secretary's service-hours ledger: hours per member by month and duty, star levels, and the export."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler_site.access import staff_required
from scheduler_site.forms import day_in_range
from shifts.delivered import hours as service
from volunteers.selectors import community_for


def _year(raw: str | None) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


@staff_required
def hours_ledger(request, community_id):
    community = community_for(request.user, community_id)
    year = _year(request.GET.get("year"))
    return render(request, "shifts/hours/ledger.html", {
        "community": community, "year": year, "years": service.ledger_years(community),
        "rows": service.community_ledger(community, year), "by_duty": service.ledger_by_duty(community, year),
        "months": range(1, 13), "thresholds": service.thresholds_for(community.district),
        "start": dt.date(year, 1, 1), "end": min(dt.date(year, 12, 31), timezone.localdate()),
        "errors": {},
    })


def _export_period(request) -> tuple[dt.date | None, dt.date | None, dict[str, str]]:
    """The export's first and last day from the query, and what is wrong with them by field."""
    days, errors = {}, {}
    wrong = {"from": _("Give a first day on or before the last day."), "to": _("Give the last day, e.g. 2026-12-31.")}
    for field in ("from", "to"):
        try:
            days[field] = day_in_range(dt.date.fromisoformat(request.GET.get(field, "")), field=field)
        except ValueError:
            errors[field] = wrong[field]
        except ValidationError as exc:
            errors[field] = " ".join(exc.message_dict[field])
    return days.get("from"), days.get("to"), errors


@staff_required
def hours_export_view(request, community_id):
    """The national-record export from the web: the same file as `manage.py hours export`."""
    community = community_for(request.user, community_id)
    start, end, errors = _export_period(request)
    if not errors:
        try:
            content, content_type, filename = service.hours_export(
                communities=[community], start=start, end=end, fmt=request.GET.get("format", "csv"), by=request.user)
        except ValidationError as exc:
            errors = {key: " ".join(messages) for key, messages in exc.message_dict.items()}
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
    year = _year(request.GET.get("year"))
    return render(request, "shifts/hours/ledger.html", {
        "community": community, "year": year, "years": service.ledger_years(community),
        "rows": service.community_ledger(community, year), "by_duty": service.ledger_by_duty(community, year),
        "months": range(1, 13), "thresholds": service.thresholds_for(community.district),
        "start": request.GET.get("from", ""), "end": request.GET.get("to", ""), "errors": errors,
    }, status=400)

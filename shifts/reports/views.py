"""Report pages: a community's month for its staff (and the district administrator), the district's month for
the district administrator; each as a page that prints on A4, a PDF and a CSV."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from scheduler_site.access import staff_required
from shifts.reports.periods import Month
from shifts.reports.selectors import community_report, district_report
from shifts.reports.services import report_csv, report_pdf
from volunteers.models import Community
from volunteers.selectors import communities_for, community_for, is_district_admin, sensitive_community_ids


def _month(raw: str) -> Month:
    try:
        return Month.parse(raw)
    except ValidationError:
        raise Http404


def _districts(user) -> list[str]:
    if not is_district_admin(user):
        return []
    return sorted(set(Community.objects.exclude(district="").values_list("district", flat=True)))


@staff_required
def report_home(request):
    """The menu's 月报: the last complete month of the reader's district, or of their first community. A month
    picked in the form (?month=2026-11) goes to that month."""
    raw = request.GET.get("month", "")
    try:
        month = Month.parse(raw) if raw else Month.last_complete()
    except ValidationError as exc:
        return render(request, "shifts/reports/home.html", {"error": " ".join(exc.messages), "value": raw},
                      status=400)
    wanted = request.GET.get("community", "")
    if wanted.isdigit():  # the month picker on a community's report
        return redirect("reports:community", community_for(request.user, int(wanted)).pk, str(month))
    districts = _districts(request.user)
    district = request.GET.get("district") or (districts[0] if districts else "")
    if district in districts:
        return redirect("reports:district", district, str(month))
    community = communities_for(request.user).order_by("name").first()
    if community is None:
        raise Http404
    return redirect("reports:community", community.pk, str(month))


def _respond(request, report, fmt: str, context: dict):
    if fmt == "html":
        return render(request, "shifts/reports/report.html", {"report": report, **context})
    name = f"report-{report.month}"
    if fmt == "csv":
        response = HttpResponse(report_csv(report=report), content_type="text/csv; charset=utf-8")
    elif fmt == "pdf":
        response = HttpResponse(report_pdf(report=report), content_type="application/pdf")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@staff_required
def community_view(request, community_id, month, fmt="html"):
    community = community_for(request.user, community_id)
    month = _month(month)
    names = community.pk in sensitive_community_ids(request.user) and fmt == "html"
    report = community_report(community=community, month=month, names=names)
    return _respond(request, report, fmt, {
        "community": community, "previous": str(month.previous()), "next": str(month.next()),
    })


@staff_required
def district_view(request, district, month, fmt="html"):
    if district not in _districts(request.user):
        raise Http404
    month = _month(month)
    report = district_report(district=district, month=month)
    return _respond(request, report, fmt, {
        "district": district, "previous": str(month.previous()), "next": str(month.next())})

"""The report written out: CSV (figures, then every chart's data table, then the communities side by side) and an
A4 PDF drawn by WeasyPrint from the same HTML the print page shows, with the Noto CJK fonts the system has."""

import csv
import io
import logging

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from shifts.reports.selectors import Report

logger = logging.getLogger(__name__)

PDF_STYLES = ("shifts/report.css",)


def report_csv(*, report: Report) -> str:
    """One row per figure: section, figure, value; then each chart's table; then the communities side by side.
    UTF-8 with a byte-order mark, so Excel opens the Chinese text as it is."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([report.title])
    writer.writerow([report.period])
    for line in report.excludes:
        writer.writerow([line])
    writer.writerow([_("Section"), _("Figure"), _("Value")])
    for section in report.sections:
        for stat in section.stats:
            writer.writerow([section.heading, stat.label, stat.value])
    for section in report.sections:
        for chart in section.charts:
            writer.writerow([])
            writer.writerow([chart.title])
            writer.writerow(chart.headers)
            writer.writerows(chart.rows)
    if report.table_rows:
        writer.writerow([])
        writer.writerow(report.table_headers)
        writer.writerows(report.table_rows)
    return out.getvalue()


def report_pdf(*, report: Report) -> bytes:
    """The report on A4 pages, as the print page lays it out."""
    from weasyprint import CSS, HTML  # imported here: it loads Pango, which only the PDF needs

    html = render_to_string("shifts/reports/pdf.html", {"report": report})
    styles = [CSS(filename=finders.find(name)) for name in PDF_STYLES]
    pdf = HTML(string=html).write_pdf(stylesheets=styles)
    logger.info("report %s %s: %d bytes of PDF", report.scope, report.month, len(pdf))
    return pdf

"""python manage.py report --district NAME --month 2026-11 --format pdf|csv [--community NAME] [--output FILE]

Writes the monthly report, as the web page shows it, so a district can mail it every month from cron. Counts
only: the district's report never names members. --community NAME writes one community's report instead
(counts only as well: the names are for its staff on the web page).
"""

import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from shifts.reports.periods import Month
from shifts.reports.selectors import community_report, district_report
from shifts.reports.services import report_csv, report_pdf
from volunteers.models import Community


class Command(BaseCommand):
    help = "Write a district's (or one community's) monthly report as PDF or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--district", required=True, help="the district's name, as the communities have it")
        parser.add_argument("--month", default="", help="e.g. 2026-11 (default: last month)")
        parser.add_argument("--format", dest="fmt", default="pdf", choices=["pdf", "csv"])
        parser.add_argument("--community", default="", help="one community of the district, by name")
        parser.add_argument("--output", default="", help="file to write (default: standard output for CSV; "
                                                         "report-DISTRICT-MONTH.pdf for PDF)")
        parser.add_argument("--language", default="zh-hans", help="zh-hans (default) or en")

    def handle(self, *args, **options):
        try:
            month = Month.parse(options["month"]) if options["month"] else Month.last_complete()
        except ValidationError as exc:
            raise CommandError(f"--month: {' '.join(exc.messages)}")
        district = options["district"].strip()
        if not Community.objects.filter(district=district).exists():
            raise CommandError(f"--district: no community belongs to a district named “{district}”.")
        with translation.override(options["language"]):
            report = self._report(district, options["community"].strip(), month)
            content = (report_pdf(report=report) if options["fmt"] == "pdf"
                       else report_csv(report=report).encode("utf-8"))
        output = options["output"] or ("-" if options["fmt"] == "csv" else f"report-{district}-{month}.pdf")
        if output == "-":
            sys.stdout.buffer.write(content)
            return
        Path(output).write_bytes(content)
        self.stderr.write(f"wrote {output} ({len(content)} bytes)")

    def _report(self, district: str, community_name: str, month: Month):
        if not community_name:
            return district_report(district=district, month=month)
        community = Community.objects.filter(district=district, name=community_name).first()
        if community is None:
            raise CommandError(f"--community: no community “{community_name}” in {district}.")
        return community_report(community=community, month=month, names=False)

"""python manage.py attendance import FILE [--community NAME]: back-fill attendance from a CSV or Excel sheet.

All or nothing: when any row is wrong, every error is listed (row, column, what is wrong) and nothing is written.
"""

import pathlib

from django.core.management.base import BaseCommand, CommandError

from shifts.delivered.attendance_import import AttendanceImportRejected, attendance_import
from volunteers.models import Community


class Command(BaseCommand):
    help = "Import attendance (签到/签退 or 出勤 marks) from a CSV or .xlsx sheet; all rows or none."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="import a sheet")
        imp.add_argument("file")
        imp.add_argument("--community", default="", help="community name or id, when the sheet has no 社区 column")

    def handle(self, *args, **options):
        path = pathlib.Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"FILE: cannot read {path}: {exc.strerror}")
        community = _community(options["community"])
        try:
            result = attendance_import(data=data, filename=path.name, communities=Community.objects.all(),
                                       community=community)
        except AttendanceImportRejected as exc:
            for error in exc.result.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            raise CommandError(str(exc))
        self.stdout.write(f"Imported {len(result.rows)} attendance rows from {path.name}.")


def _community(raw: str) -> Community | None:
    if not raw:
        return None
    found = Community.objects.filter(pk=int(raw)) if raw.isdigit() else Community.objects.filter(name=raw)
    community = found.first()
    if community is None:
        raise CommandError(f"--community: no community {raw!r}")
    return community

"""python manage.py hours export --community NAME --from DATE --to DATE [--format csv|xlsx] [--output FILE]

Writes the served hours in the national record's fields (姓名, 志愿者编号, 服务日期, 开始时间, 结束时间,
服务时长, 服务内容, 组织名称). --district NAME exports every community of a district into one file.
"""

import datetime as dt
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from shifts.delivered.hours import hours_export
from volunteers.models import Community


class Command(BaseCommand):
    help = "Export served volunteer hours (national record fields) as CSV or Excel."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="export served hours")
        export.add_argument("--community", action="append", default=[], help="name or id; may be repeated")
        export.add_argument("--district", default="", help="every community of this district")
        export.add_argument("--from", dest="start", required=True, help="first day, e.g. 2026-01-01")
        export.add_argument("--to", dest="end", required=True, help="last day, e.g. 2026-12-31")
        export.add_argument("--format", dest="fmt", default="csv", choices=["csv", "xlsx"])
        export.add_argument("--output", default="-", help="file to write (default: standard output, CSV only)")

    def handle(self, *args, **options):
        start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
        communities = _communities(options["community"], options["district"])
        if options["fmt"] == "xlsx" and options["output"] == "-":
            raise CommandError("--output: give a file name for xlsx")
        try:
            content, _type, _name = hours_export(communities=communities, start=start, end=end, fmt=options["fmt"])
        except ValidationError as exc:
            raise CommandError("; ".join(f"--{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        if options["output"] == "-":
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
        else:
            with open(options["output"], "wb") as out:
                out.write(content)
            self.stderr.write(f"Wrote {options['output']}.")


def _day(raw: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise CommandError(f"{option}: {raw!r} is not a date like 2026-01-31")


def _communities(names: list[str], district: str) -> list[Community]:
    if not names and not district:
        raise CommandError("--community or --district: say which communities to export")
    found = []
    for raw in names:
        match = (Community.objects.filter(pk=int(raw)) if raw.isdigit() else Community.objects.filter(name=raw)).first()
        if match is None:
            raise CommandError(f"--community: no community {raw!r}")
        found.append(match)
    if district:
        in_district = list(Community.objects.filter(district=district).order_by("name"))
        if not in_district:
            raise CommandError(f"--district: no community in {district!r}")
        found += [c for c in in_district if c not in found]
    return found

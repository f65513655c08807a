"""Anonymise members inactive for longer than ANONYMISE_AFTER_DAYS: `manage.py anonymise_members [--dry-run]`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from volunteers.services.retention import members_due_for_anonymisation, retention_run


class Command(BaseCommand):
    help = "Anonymise inactive members after the retention period; roster history is kept."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only list who would be anonymised")
        parser.add_argument("--after-days", type=int, default=None,
                            help=f"days of inactivity (default ANONYMISE_AFTER_DAYS={settings.ANONYMISE_AFTER_DAYS})")

    def handle(self, *args, dry_run, after_days, **options):
        if after_days is not None and after_days < 1:
            raise CommandError("--after-days: must be at least 1")
        if dry_run:
            due = members_due_for_anonymisation(after_days=after_days)
            for member in due:
                self.stdout.write(f"would anonymise #{member.pk} (community {member.community_id})")
            self.stdout.write(f"{len(due)} member(s) due")
            return
        count = retention_run(after_days=after_days)
        self.stdout.write(f"anonymised {count} member(s)")

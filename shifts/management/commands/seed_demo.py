"""python manage.py seed_demo: load the demo district (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shifts.demo import DemoSize, seed_demo


class Command(BaseCommand):
    help = "Create the demo district: communities, members, duties, weekly templates, households and logins."

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=6, help="number of communities (default 6)")
        parser.add_argument("--members-min", type=int, default=60)
        parser.add_argument("--members-max", type=int, default=120)
        parser.add_argument("--households", type=int, default=12, help="visit households per community")
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, **options):
        size = DemoSize(communities=options["communities"], members_min=options["members_min"],
                        members_max=options["members_max"], households=options["households"])
        if size.communities < 1:
            raise CommandError("--communities: must be at least 1")
        if not 1 <= size.members_min <= size.members_max:
            raise CommandError("--members-min/--members-max: need 1 <= min <= max")
        if size.households < 0:
            raise CommandError("--households: must not be negative")
        summary = seed_demo(size=size, seed=options["seed"], today=timezone.localdate())
        self.stdout.write(f"Demo district: {summary.communities} communities, {summary.members} members "
                          f"({summary.created_members} new).")
        for username, password, role in summary.logins:
            self.stdout.write(f"  login {username} / {password}  ({role})")

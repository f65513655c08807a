"""Print a member's calendar feed link, e.g. to hand it out on paper; --reset issues a new one."""

from django.core.management.base import BaseCommand, CommandError

from shifts.feeds.services import feed_link_reset_member
from shifts.feeds.tokens import feed_url, member_token, webcal_url
from volunteers.models import Member


class Command(BaseCommand):
    help = "Print a member's calendar link. --reset makes a new link and the old one stops working at once."

    def add_arguments(self, parser):
        parser.add_argument("--member", required=True, help="The member's id (number).")
        parser.add_argument("--reset", action="store_true", help="Revoke the current link and print a new one.")

    def handle(self, *args, member, reset, **options):
        try:
            member_id = int(member)
        except ValueError:
            raise CommandError(f"--member: expected a member id (a whole number), got {member!r}")
        found = Member.objects.filter(pk=member_id, anonymised_at__isnull=True).select_related("community").first()
        if found is None:
            raise CommandError(f"--member: no member with id {member_id}")
        token = feed_link_reset_member(member=found) if reset else member_token(found)
        if reset:
            self.stderr.write(f"The previous link of {found.name} no longer works.")
        # The link itself goes to stdout alone, so it can be piped into a printout.
        self.stdout.write(feed_url(token))
        self.stderr.write(f"{found.name} ({found.community}); phones can also open {webcal_url(token)}")

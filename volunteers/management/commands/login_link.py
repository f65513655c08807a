"""Print a one-time login link and code for a member: `manage.py login_link --member 12`."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from volunteers.models import Member
from volunteers.services.logins import login_token_issue


class Command(BaseCommand):
    help = "Issue a one-time login link and 8-digit code for a member (older unused links stop working)."

    def add_arguments(self, parser):
        parser.add_argument("--member", required=True, type=int, help="the member's id")
        parser.add_argument("--hours", type=int, default=None, help="how long the link works (default from settings)")

    def handle(self, *args, member, hours, **options):
        try:
            target = Member.objects.get(pk=member)
        except Member.DoesNotExist:
            raise CommandError(f"--member: no member with id {member}")
        if hours is not None and not 1 <= hours <= 24 * 30:
            raise CommandError("--hours: must be from 1 to 720")
        try:
            token, code = login_token_issue(member=target, lifetime=dt.timedelta(hours=hours) if hours else None)
        except ValidationError as exc:
            raise CommandError(f"--member: {' '.join(exc.messages)}")
        link = settings.SITE_URL + reverse("member_link_login", args=[token])
        self.stdout.write(f"{target.name} (#{target.pk})\n{link}\ncode: {code[:4]} {code[4:]}\n")

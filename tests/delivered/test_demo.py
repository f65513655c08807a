"""The demo shows service delivered: past attendance (some not counted), patrol notes and a certificate."""

import datetime as dt

import pytest
from django.core.management import call_command

from shifts.models import Attendance, Certificate, PatrolLogEntry

pytestmark = pytest.mark.django_db


def test_seed_demo_shows_attendance_a_log_entry_and_a_certificate():
    args = ["--communities", "1", "--members-min", "30", "--members-max", "30", "--households", "2"]
    call_command("seed_demo", *args)
    counts = (Attendance.objects.count(), Attendance.objects.filter(served=True).count(),
              PatrolLogEntry.objects.count(), Certificate.objects.count())
    # Patrol notes: the one shifts.demo_delivered writes, and those shifts.demo_report adds for the monthly report.
    assert counts[0] > counts[1] > 0 and counts[2] > 1 and counts[3] == 1
    call_command("seed_demo", *args)
    assert (Attendance.objects.count(), Attendance.objects.filter(served=True).count(),
            PatrolLogEntry.objects.count(), Certificate.objects.count()) == counts


def test_seed_demo_shows_a_welfare_ladder_that_ran_its_course_on_the_dashboard(client):
    """The demo's ladder (shifts.demo_delivered) has called everyone on its steps at its patrol's own times and
    ended unreachable, so a fresh deployment calls nobody for it; within the dashboard's window the secretary sees
    it with the calls made (seeding twice keeps one)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from django.utils import timezone

    from shifts.models import WelfareLadder

    args = ["--communities", "1", "--members-min", "30", "--members-max", "30", "--households", "2"]
    call_command("seed_demo", *args)
    call_command("seed_demo", *args)
    ladder = WelfareLadder.objects.get()
    assert not ladder.is_open and ladder.outcome == WelfareLadder.Outcome.UNREACHABLE
    assert ladder.step == len(settings.WELFARE_LADDER_STEPS) and ladder.no_show.member == ladder.member
    assert not Attendance.objects.filter(shift=ladder.shift, member=ladder.member).exists()
    if ladder.due_at >= timezone.now() - dt.timedelta(days=3):  # the dashboard's window
        secretary = get_user_model().objects.filter(staff_profile__communities=ladder.shift.community).first()
        client.force_login(secretary)
        page = client.get(reverse("dashboard")).content.decode()
        assert f'id="ladder-{ladder.pk}"' in page and ladder.member.name in page

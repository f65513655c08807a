"""The daily retention job as a django-q2 Schedule, keyed by a unique name (update_or_create: idempotent)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone

NAME = "yure.retention"
FUNC = "volunteers.tasks.retention_daily"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    # First run at the next 03:00 local time, then every day.
    now = timezone.localtime()
    first = now.replace(hour=3, minute=0, second=0, microsecond=0)
    if first <= now:
        first += dt.timedelta(days=1)
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": FUNC, "schedule_type": "D", "repeats": -1},
        create_defaults={"func": FUNC, "schedule_type": "D", "repeats": -1, "next_run": first},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0002_feed_version"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

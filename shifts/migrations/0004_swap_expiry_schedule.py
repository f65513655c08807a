"""The swap-expiry job as a django-q2 Schedule, keyed by a unique name (update_or_create: idempotent)."""

from django.db import migrations
from django.utils import timezone

NAME = "yure.swaps_expire"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": "shifts.tasks.swaps_expire_due", "schedule_type": "I", "minutes": 15,
                  "repeats": -1},
        create_defaults={"func": "shifts.tasks.swaps_expire_due", "schedule_type": "I", "minutes": 15,
                         "repeats": -1, "next_run": timezone.now()},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("shifts", "0003_schedules")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

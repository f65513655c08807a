"""The cover call-down's periodic job (start call-downs for short shifts, advance waves) as a django-q2 Schedule,
keyed by a unique name (update_or_create: idempotent)."""

from django.db import migrations
from django.utils import timezone

NAME = "yure.cover_calls_advance"
FUNC = "shifts.tasks.cover_calls_advance"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": FUNC, "schedule_type": "I", "minutes": 2, "repeats": -1},
        create_defaults={"func": FUNC, "schedule_type": "I", "minutes": 2, "repeats": -1,
                         "next_run": timezone.now()},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("shifts", "0011_cover_calldown")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

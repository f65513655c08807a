"""The catch-up of roster messages that could not be queued (broker down) as a django-q2 Schedule."""

from django.db import migrations
from django.utils import timezone

NAME = "yure.roster_messages_catch_up"
FUNC = "shifts.tasks.roster_messages_catch_up"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": FUNC, "schedule_type": "I", "minutes": 5, "repeats": -1},
        create_defaults={"func": FUNC, "schedule_type": "I", "minutes": 5, "repeats": -1, "next_run": timezone.now()},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("shifts", "0005_template_on_holidays")]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

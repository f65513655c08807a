"""The check that no import job stays running past its task's timeout, as a django-q2 Schedule keyed by a
unique name (update_or_create: idempotent)."""

from django.db import migrations
from django.utils import timezone

NAME = "yure.import_jobs_expire"
FUNC = "volunteers.tasks.import_jobs_expire"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=NAME,
        defaults={"func": FUNC, "schedule_type": "I", "minutes": 2, "repeats": -1},
        create_defaults={"func": FUNC, "schedule_type": "I", "minutes": 2, "repeats": -1, "next_run": timezone.now()},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0006_imports_job_sheet"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]

"""Messages owed by events (swaps, publishes), recorded with them, and their catch-up as a django-q2 Schedule."""

from django.db import migrations, models
from django.utils import timezone

NAME = "yure.message_jobs_catch_up"
FUNC = "shifts.tasks.message_jobs_catch_up"


def create_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={"func": FUNC, "schedule_type": "I", "minutes": 5, "repeats": -1},
        create_defaults={"func": FUNC, "schedule_type": "I", "minutes": 5, "repeats": -1, "next_run": timezone.now()},
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('shifts', '0005_attendance_hours_certificates_patrol_log'),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name='MessageJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, unique=True)),
                ('task', models.CharField(max_length=100)),
                ('args', models.JSONField(blank=True, default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('attempts', models.PositiveSmallIntegerField(default=0)),
                ('done_at', models.DateTimeField(blank=True, null=True)),
                ('error', models.CharField(blank=True, max_length=300)),
            ],
            options={
                'indexes': [models.Index(fields=['done_at', 'created_at'], name='message_job_pending_idx')],
            },
        ),
        migrations.RunPython(create_schedule, remove_schedule),
    ]

"""The lifecycle's periodic jobs as django-q2 Schedules, keyed by a unique name (update_or_create: idempotent).

Each job decides per community what is due, so one schedule serves every community's own settings
(draft_weekday/draft_time, reminder_hour).
"""

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import migrations

SCHEDULES = [
    # name, function, type, minutes, first local run time (None: now)
    ("yure.weekly_drafts", "shifts.tasks.weekly_drafts_due", "I", 15, None),
    ("yure.shift_reminders", "shifts.tasks.shift_reminders_send", "I", 30, None),
    ("yure.unfilled_alerts", "shifts.tasks.unfilled_alerts_send", "D", None, dt.time(8, 0)),
    ("yure.study_sessions", "shifts.tasks.study_sessions_make", "D", None, dt.time(2, 0)),
    ("yure.solve_recover", "shifts.tasks.solve_runs_recover", "I", 1, None),
]


def _first_run(at):
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    now = dt.datetime.now(zone)
    if at is None:
        return now
    first = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return first if first > now else first + dt.timedelta(days=1)


def create_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, func, kind, minutes, at in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": kind, "minutes": minutes, "repeats": -1},
            create_defaults={"func": func, "schedule_type": kind, "minutes": minutes, "repeats": -1,
                             "next_run": _first_run(at)},
        )


def remove_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.filter(name__in=[s[0] for s in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shifts", "0002_feeds"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]

"""The demo's organisational life and follow-up for the monthly report: who came to each past study session,
the calls after the no-shows of the past weeks (shifts.demo_history leaves about one place in sixteen without
attendance), and patrol notes, most of them handed to the grid worker. Seeded, so every run writes the same;
idempotent: a community that has any of these already is left alone for that kind."""

import datetime as dt
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shifts.delivered.attendance import counts_as_served, present_minutes
from shifts.models import Assignment, Attendance, NoShowCheck, PatrolLogEntry, Roster, Shift
from shifts.models.patrol import PatrolTag
from volunteers.selectors import members_serving

NOTES = ("楼道灯不亮，夜里容易绊倒。", "垃圾房门口堆了装修垃圾。", "一名陌生人在车棚附近徘徊，已提醒门卫。",
         "小区东门的井盖松动。", "3号楼外墙有瓷砖脱落的危险。", "健身器材的螺丝松了。")
OUTCOMES = [NoShowCheck.Outcome.REACHED] * 4 + [NoShowCheck.Outcome.FORGOT] * 3 + [NoShowCheck.Outcome.ILL] * 2 + [
    NoShowCheck.Outcome.NO_ANSWER, ""]


def seed_report_history(communities, *, seed: int = 2026) -> None:
    now = timezone.now()
    for community in communities:
        rng = random.Random(f"{seed}:report:{community.pk}")
        with transaction.atomic():
            _study_attendance(community, now, rng)
            _no_show_calls(community, now, rng)
            _patrol_notes(community, now, rng)


def _study_attendance(community, now, rng) -> None:
    sessions = list(Shift.objects.filter(community=community, duty__code__in=settings.UNROSTERED_DUTIES, end__lte=now))
    if not sessions or Attendance.objects.filter(shift__in=sessions).exists():
        return
    members = list(members_serving(community).order_by("pk"))
    stay_away = {member.pk for member in members if rng.random() < 0.08}  # a few never come: the report names them
    rows = []
    for session in sessions:
        for member in members:
            if member.pk not in stay_away and rng.random() < 0.85:  # the secretary types up the sign-in book
                minutes = present_minutes(session, session.start, session.end)
                served = counts_as_served(session, minutes)
                rows.append(Attendance(shift=session, member=member, check_in=session.start, check_out=session.end,
                                       present_minutes=minutes, served=served,
                                       served_minutes=minutes if served else 0, source=Attendance.Source.BACKFILL))
    Attendance.objects.bulk_create(rows)


def _no_show_calls(community, now, rng) -> None:
    if NoShowCheck.objects.filter(shift__community=community).exists():
        return
    missing = (Assignment.objects.filter(roster__community=community, roster__status=Roster.Status.PUBLISHED,
                                         shift__end__lte=now).order_by("shift__start", "pk"))
    attended = set(Attendance.objects.filter(shift__community=community).values_list("shift_id", "member_id"))
    checks = []
    for assignment in missing.values("shift_id", "member_id", "shift__start"):
        if (assignment["shift_id"], assignment["member_id"]) in attended:
            continue
        outcome = rng.choice(OUTCOMES)
        checks.append(NoShowCheck(shift_id=assignment["shift_id"], member_id=assignment["member_id"],
                                  outcome=outcome,
                                  outcome_at=assignment["shift__start"] + dt.timedelta(hours=2) if outcome else None))
    NoShowCheck.objects.bulk_create(checks, ignore_conflicts=True)


def _patrol_notes(community, now, rng) -> None:
    if PatrolLogEntry.objects.filter(community=community, note__in=NOTES).exists():
        return  # (shifts.demo_delivered writes one note of its own in the first community)
    patrols = (Attendance.objects.filter(shift__community=community, shift__duty__code=settings.PATROL_DUTY_CODE,
                                         served=True, shift__end__lte=now)
               .order_by("shift_id", "member_id").distinct())
    seen = set()
    for record in patrols.select_related("shift"):
        if record.shift_id in seen or rng.random() > 0.15:
            continue
        seen.add(record.shift_id)
        tags = rng.sample(PatrolTag.values, rng.choice([1, 1, 2]))
        entry = PatrolLogEntry(community=community, shift=record.shift, author_id=record.member_id,
                               note=rng.choice(NOTES), tags=tags)
        if rng.random() < 0.7:
            entry.handed_over_at = record.shift.end + dt.timedelta(hours=20)
        entry.full_clean(exclude=["author", "shift", "community"])
        entry.save()

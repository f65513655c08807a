import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from shifts.models import Duty, ShiftTemplate
from volunteers.models import CaregivingWindow, Community, Member, StaffProfile, VisitTarget

pytestmark = pytest.mark.django_db

SMALL = ["--communities", "2", "--members-min", "60", "--members-max", "70", "--households", "4"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo district seeded once for the tests that read it (a seed costs 3 s idle, 11-14 s on the loaded CI
    machine), as Django's TestCase.setUpTestData does: inside a transaction that stays open for this module and is
    rolled back after it; each test runs in its own savepoint inside it, so what a test changes goes with it.
    Seeded with what tests/conftest.py's autouse fixtures set for a test (fast hasher, queued work run at once,
    short solver limits, the cover call-down off), as the tests' own seeds were."""
    from django_q.conf import Conf

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with pytest.MonkeyPatch.context() as patch, override_settings(
                    PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], COVER_CALL_HOURS=0,
                    SOLVER_TIME_LIMIT=3, REPAIR_TIME_LIMIT=2, SOLVER_WORKERS=1):
                patch.setattr(Conf, "SYNC", True)
                call_command("seed_demo", *SMALL)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


def counts():
    return {model.__name__: model.objects.count() for model in
            (Community, Member, CaregivingWindow, VisitTarget, ShiftTemplate, Duty, StaffProfile)}


def test_seed_demo_twice_creates_nothing_the_second_time(demo, capsys):
    first = counts()
    assert first["Community"] == 2 and first["Member"] >= 120
    capsys.readouterr()
    call_command("seed_demo", *SMALL)
    assert counts() == first
    assert "(0 new)" in capsys.readouterr().out


def test_seed_demo_follows_the_district_figures(demo):
    today = timezone.localdate()
    members = list(Member.objects.prefetch_related("caregiving", "skills"))
    ages = [m.age_on(today) for m in members]
    assert all(58 <= age <= 91 for age in ages)
    assert 66 <= sum(ages) / len(ages) <= 74
    under_72 = [m for m in members if m.age_on(today) < 72]
    school_runs = [m for m in under_72 if m.caregiving.all()]
    assert 0.30 <= len(school_runs) / len(under_72) <= 0.60
    assert all({(w.start, w.end) for w in m.caregiving.all()} ==
               {(dt.time(7), dt.time(8, 30)), (dt.time(16), dt.time(17, 30))} for m in school_runs)
    assert {m.health for m in members} == {"good", "limited", "frail"}
    assert any(s.code == "first_aid" for m in members for s in m.skills.all())
    assert Member.objects.filter(extra_communities__isnull=False).exists()
    assert StaffProfile.objects.filter(role="secretary").count() == 2


def test_seed_demo_sets_up_the_standard_duties(demo):
    patrol = Duty.objects.get(code="patrol")
    assert patrol.lead_skill.code == "first_aid"
    rounds = set(ShiftTemplate.objects.filter(duty=patrol).values_list("start", "end", "min_staff", "max_staff"))
    assert rounds == {(dt.time(9), dt.time(11), 2, 3), (dt.time(15), dt.time(17), 2, 3),
                      (dt.time(19), dt.time(21), 2, 3)}
    mediation = Duty.objects.get(code="mediation")
    assert [s.code for s in mediation.required_skills.all()] == ["mediation"]
    assert all(t.start.hour >= 12 for t in ShiftTemplate.objects.filter(duty=mediation))
    visits = ShiftTemplate.objects.filter(duty__code="visiting")
    assert visits.count() == VisitTarget.objects.count()
    assert Duty.objects.filter(code="study").exists()


def test_seed_demo_rejects_bad_sizes():
    from django.core.management.base import CommandError
    with pytest.raises(CommandError, match="--communities"):
        call_command("seed_demo", "--communities", "0")


def _school_runs(tmp_path, week: str) -> dict[str, list[list[str]]]:
    import json

    community = Community.objects.order_by("pk").first()
    path = tmp_path / f"{week}.json"
    call_command("roster", "export", "--community", str(community.pk), "--week", week, "--problem", str(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    return {m["id"]: [w["days"] for w in m.get("caregiving", []) if w["start"] in ("07:00", "16:00")]
            for m in document["members"]}


def test_seed_demo_knows_the_school_year_and_holidays(demo, tmp_path):
    with_runs = {f"m{pk}" for pk in CaregivingWindow.objects.filter(label="接送孙辈").values_list("member_id",
                                                                                               flat=True)}
    assert with_runs
    # New Year's Day 2027 is a Friday: school runs Monday to Thursday only.
    new_year = _school_runs(tmp_path, "2026-12-28")
    assert all(new_year[m] == [["mon", "tue", "wed", "thu"]] * 2 for m in with_runs if m in new_year)
    assert with_runs & set(new_year)
    # The winter holidays: no school runs at all.
    winter = _school_runs(tmp_path, "2027-02-01")
    assert set(winter) & with_runs and all(days == [] for days in winter.values())


def test_a_freshly_seeded_demo_has_no_welfare_call_due_at_once():
    """The demo's welfare ladder (shifts.demo_delivered) is on the secretary's dashboard with the calls it made at
    its patrol's own times, and nothing is left due: the first pass of yure.welfare_ladder right after seeding
    calls nobody for it."""
    from django.conf import settings

    from shifts.delivered.selectors import welfare_ladders_open
    from shifts.delivered.welfare_ladder import welfare_ladders_advance
    from shifts.delivered.welfare_run import welfare_ladders_run
    from shifts.models import WelfareLadder

    call_command("seed_demo", *SMALL)
    now = timezone.now()
    ladders = list(WelfareLadder.objects.select_related("shift"))
    assert len(ladders) == 1
    ladder = ladders[0]
    assert not ladder.is_open and ladder.next_at is None
    assert ladder.shift.end <= now
    assert ladder.due_at == ladder.shift.start + dt.timedelta(minutes=settings.NO_SHOW_AFTER_MINUTES)
    assert [c["step"] for c in ladder.calls] == list(range(1, len(settings.WELFARE_LADDER_STEPS) + 1))
    assert all(dt.datetime.fromisoformat(c["at"]) < now for c in ladder.calls)
    assert not WelfareLadder.objects.filter(outcome="", next_at__lte=now + dt.timedelta(hours=1)).exists()
    assert welfare_ladders_advance(now) == (0, 0)
    # Nor does the whole first pass (flagging no-shows of rounds the demo's book has not reached yet) call anyone.
    assert welfare_ladders_run(now)["calls"] == 0
    community = ladder.shift.community
    if ladder.due_at >= now - dt.timedelta(days=3):  # the dashboard's window
        assert [x.pk for x in welfare_ladders_open([community])] == [ladder.pk]

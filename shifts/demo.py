"""The demo district: realistic communities, members, duties and templates, built idempotently.

Figures follow the people Yure serves: 60–120 retired members per community, ages mostly 58–90 centred near 70,
about 45% of those under 72 doing weekday school runs (07:00–08:30 and 16:00–17:30), health worsening with age,
some mediators and first-aiders. Every row is found by a natural key before it is created, and the random
generator is seeded, so running the seed twice changes nothing.
"""

import dataclasses
import datetime as dt
import logging
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from shifts.demo_cover import seed_cover
from shifts.demo_delivered import seed_delivered, settle_recent_no_shows
from shifts.demo_history import seed_history
from shifts.demo_report import seed_report_history
from shifts.demo_voice import seed_voice
from shifts.models import Duty, ShiftTemplate
from volunteers.models import (
    CaregivingWindow,
    Community,
    HealthLevel,
    Member,
    SchoolTerm,
    Skill,
    StaffProfile,
    VisitTarget,
)
from volunteers.services.calendars import calendar_year_seed

logger = logging.getLogger(__name__)

DEMO_PASSWORD = "yure-demo-2026"
DISTRICT = "示范街道"
COMMUNITY_NAMES = ["幸福里社区", "和平社区", "长青社区", "梧桐社区", "向阳社区", "滨河社区", "翠苑社区", "东风社区",
                   "红旗社区", "光明社区", "春晖社区", "桃源社区"]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蔡蒋余"
            "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
            "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
GIVEN = ["建国", "秀英", "桂英", "玉兰", "淑珍", "国华", "志强", "凤英", "德明", "文华", "丽华", "振华", "爱华",
         "红梅", "春生", "秋菊", "金凤", "永福", "宝珍", "明亮", "淑芬", "国庆", "建华", "素琴", "海燕", "兰英",
         "培德", "瑞芳", "美玲", "福生", "冬梅", "立新", "卫东", "桂兰", "玉珍", "世杰", "家明", "翠萍", "长顺", "守义"]
# The district's 2026–27 school year: the winter holidays run from 2027-01-23 to 2027-02-21.
SCHOOL_TERMS = [("2026–27 秋季学期", dt.date(2026, 9, 1), dt.date(2027, 1, 22)),
                ("2026–27 春季学期", dt.date(2027, 2, 22), dt.date(2027, 7, 9))]
STREETS = ["幸福路", "和平街", "长青里", "梧桐巷", "向阳路", "滨河大道", "翠苑路", "东风街"]


@dataclasses.dataclass(frozen=True)
class DemoSize:
    communities: int = 6
    members_min: int = 60
    members_max: int = 120
    households: int = 12


@dataclasses.dataclass
class DemoSummary:
    communities: int = 0
    members: int = 0
    created_members: int = 0
    logins: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)  # (username, password, role)


def seed_demo(*, size: DemoSize = DemoSize(), seed: int = 2026, today: dt.date) -> DemoSummary:
    """Create or complete the demo district. Safe to run any number of times."""
    summary = DemoSummary()
    with transaction.atomic():
        skills = _skills()
        duties = _duties(skills)
        communities = [_community(index) for index in range(size.communities)]
        for index, community in enumerate(communities):
            # One generator per community, and every draw made whether or not the row exists yet,
            # so a second run walks exactly the same sequence and finds every row.
            rng = random.Random(f"{seed}:{index}")
            members, created = _members(community, rng, size, skills, today)
            summary.created_members += created
            summary.members += len(members)
            _guests(community, communities, index, rng)
            _templates(community, duties)
            _households(community, members, rng, size, duties, today)
            summary.logins.append(_secretary(index, community))
        summary.logins.insert(0, _district_admin())
        _calendars(today)
        summary.communities = len(communities)
        # Eight past weeks published and attended in every community (fairness and hours are real figures),
        # then a patrol note and a certificate in the first community (shifts.demo_delivered).
        seed_history(communities, today=today, seed=seed)
        seed_delivered(communities[0], today=today,
                       secretary=StaffProfile.objects.get(user__username="secretary1").user)
        # Study-day attendance, no-show calls and patrol notes: the monthly report has every section to show.
        seed_report_history(communities, seed=seed)
        # A member who prefers voice calls, and a call to them in the outbox (shifts.demo_voice).
        seed_voice(communities[0], week_start=today + dt.timedelta(days=7 - today.weekday()))
        # A call-down in progress for a shift within two days (shifts.demo_cover).
        seed_cover(communities[0])
        # The book ends now, after every step that books anyone: a round underway or just ended is not left for
        # the first welfare pass to call (shifts.demo_delivered).
        settle_recent_no_shows(communities)
    return summary


def _skills() -> dict[str, Skill]:
    names = {"first_aid": "急救", "mediation": "调解"}
    return {code: Skill.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in names.items()}


def _duties(skills: dict[str, Skill]) -> dict[str, Duty]:
    specs = {
        # Patrol walks the estate: not for the frail; the 19–21 round counts as night and has a stricter age bound.
        "patrol": dict(name="巡逻", name_en="Patrol", min_age=55, max_age=85, night_max_age=75,
                       min_health=HealthLevel.LIMITED, lead_skill=skills["first_aid"], max_per_member=4),
        "mediation": dict(name="调解", name_en="Mediation", min_age=55, max_age=88, min_health=HealthLevel.FRAIL),
        "visiting": dict(name="探访", name_en="Home visit", min_age=55, max_age=85, min_health=HealthLevel.LIMITED),
        "study": dict(name="学习日", name_en="Study day", min_health=HealthLevel.FRAIL),
    }
    duties = {}
    for code, fields in specs.items():
        duty, _created = Duty.objects.get_or_create(code=code, defaults=fields)
        duties[code] = duty
    duties["mediation"].required_skills.add(skills["mediation"])
    return duties


def _community(index: int) -> Community:
    name = COMMUNITY_NAMES[index % len(COMMUNITY_NAMES)] + ("" if index < len(COMMUNITY_NAMES) else str(index))
    community, _created = Community.objects.get_or_create(name=name, defaults={"district": DISTRICT})
    return community


def _age(rng: random.Random) -> int:
    return max(58, min(90, round(rng.gauss(70, 6.5))))


def _health(rng: random.Random, age: int) -> str:
    frail = 0.03 + max(0, age - 70) * 0.025
    limited = 0.15 + max(0, age - 65) * 0.02
    roll = rng.random()
    if roll < frail:
        return HealthLevel.FRAIL
    return HealthLevel.LIMITED if roll < frail + limited else HealthLevel.GOOD


def _members(community: Community, rng: random.Random, size: DemoSize, skills, today: dt.date):
    count = rng.randint(size.members_min, size.members_max)
    members, created_count, used = [], 0, set()
    for number in range(count):
        name = _unique_name(rng, used)
        age = _age(rng)
        birth = today.replace(year=today.year - age, month=1, day=1) - dt.timedelta(days=rng.randint(0, 364))
        defaults = dict(
            phone=f"139{community.pk:03d}{number:05d}"[:11], birth_date=birth, health=_health(rng, age),
            max_shifts_per_week=rng.choice([2, 3, 3, 4]), max_minutes_per_week=rng.choice([240, 360, 480]),
            max_consecutive_days=rng.choice([None, 3, 4]), min_rest_minutes=rng.choice([0, 0, 60, 120]),
            duty_preferences=rng.choice([{}, {}, {"patrol": -3}, {"visiting": -4}, {"patrol": 4}]),
            weekday_preferences=rng.choice([{}, {}, {"sun": 6}, {"sat": 3, "sun": 3}, {"mon": -2}]),
        )
        member, created = Member.objects.get_or_create(community=community, name=name, defaults=defaults)
        caregiving = age < 72 and rng.random() < 0.45
        roll_aid, roll_med = rng.random(), rng.random()
        if created:
            created_count += 1
            member.full_clean()
            if roll_aid < 0.25:
                member.skills.add(skills["first_aid"])
            if roll_med < 0.15:
                member.skills.add(skills["mediation"])
            if caregiving:
                for start, end in ((dt.time(7, 0), dt.time(8, 30)), (dt.time(16, 0), dt.time(17, 30))):
                    CaregivingWindow.objects.create(member=member, weekdays="mon,tue,wed,thu,fri",
                                                    start=start, end=end, label="接送孙辈",
                                                    applies=CaregivingWindow.Applies.SCHOOL_DAYS)
        members.append(member)
    return members, created_count


def _unique_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if name not in used:
            used.add(name)
            return name


def _guests(community: Community, communities: list[Community], index: int, rng: random.Random) -> None:
    """About one in ten members also serves the next community along the street."""
    if len(communities) < 2:
        return
    neighbour = communities[(index + 1) % len(communities)]
    home = list(Member.objects.filter(community=community).order_by("pk"))
    for member in rng.sample(home, k=len(home) // 10):
        member.extra_communities.add(neighbour)


def _templates(community: Community, duties: dict[str, Duty]) -> None:
    patrol_rounds = [(dt.time(9, 0), dt.time(11, 0)), (dt.time(15, 0), dt.time(17, 0)),
                     (dt.time(19, 0), dt.time(21, 0))]
    for weekday in range(7):
        for start, end in patrol_rounds:
            ShiftTemplate.objects.get_or_create(
                community=community, duty=duties["patrol"], weekday=weekday, start=start,
                defaults=dict(end=end, min_staff=2, max_staff=3, location=f"{community.name}居委会门口",
                              name="红袖章巡逻"))
        if weekday < 5:
            ShiftTemplate.objects.get_or_create(
                community=community, duty=duties["mediation"], weekday=weekday, start=dt.time(14, 0),
                defaults=dict(end=dt.time(17, 0), min_staff=1, max_staff=1, location=f"{community.name}调解室",
                              name="调解值班"))


def _households(community: Community, members: list[Member], rng: random.Random, size: DemoSize, duties,
                today: dt.date) -> None:
    circumstances = [VisitTarget.Circumstance.ALONE, VisitTarget.Circumstance.EMPTY_NEST,
                     VisitTarget.Circumstance.BEDRIDDEN]
    visitors = [m for m in members if m.health != HealthLevel.FRAIL and m.age_on(today) <= 85]
    street = STREETS[community.pk % len(STREETS)]
    for number in range(size.households):
        household = f"{rng.choice(SURNAMES)}家（{street}{number + 1}号）"
        target, created = VisitTarget.objects.get_or_create(
            community=community, household=household,
            defaults=dict(address=f"{street}{number + 1}号{rng.randint(1, 6)}单元"
                                  f"{rng.randint(1, 6)}0{rng.randint(1, 4)}",
                          circumstances=rng.choice(circumstances), visit_weekday=number % 6,
                          visit_start=rng.choice([dt.time(9, 30), dt.time(10, 0), dt.time(14, 30)]),
                          visit_minutes=60))
        usual = rng.sample(visitors, k=min(2, len(visitors)))
        if created:
            target.preferred_visitors.set(usual)
        start = target.visit_start
        end = (dt.datetime.combine(today, start) + dt.timedelta(minutes=target.visit_minutes)).time()
        ShiftTemplate.objects.get_or_create(
            community=community, duty=duties["visiting"], visit_target=target,
            defaults=dict(weekday=target.visit_weekday, start=start, end=end, min_staff=1, max_staff=1,
                          location=street, name=f"探访{target.household}"))


def _calendars(today: dt.date) -> None:
    """Public holidays of the school year and this year and next, and the district's terms."""
    for year in sorted({2026, 2027, today.year, today.year + 1}):
        calendar_year_seed(year=year)
    for name, start, end in SCHOOL_TERMS:
        SchoolTerm.objects.get_or_create(district=DISTRICT, name=name, defaults={"start": start, "end": end})


def _login(username: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    return user


def _secretary(index: int, community: Community) -> tuple[str, str, str]:
    username = f"secretary{index + 1}"
    user = _login(username)
    profile, _created = StaffProfile.objects.get_or_create(user=user, defaults={"role": StaffProfile.Role.SECRETARY})
    profile.communities.add(community)
    return username, DEMO_PASSWORD, f"secretary of {community.name}"


def _district_admin() -> tuple[str, str, str]:
    user = _login("district")
    StaffProfile.objects.get_or_create(user=user, defaults={"role": StaffProfile.Role.DISTRICT_ADMIN})
    return "district", DEMO_PASSWORD, "district administrator"

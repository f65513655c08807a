"""Small builders for test data. Each returns saved, validated rows; keyword arguments override defaults."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model
from django.utils import timezone

from shifts.models import Duty, Shift, ShiftTemplate
from volunteers.models import CaregivingWindow, Community, Member, Skill, StaffProfile, VisitTarget, applies_for_label

_counter = itertools.count(1)


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def community(**fields) -> Community:
    fields.setdefault("name", f"社区{next(_counter)}")
    fields.setdefault("district", "示范街道")
    return _save(Community(**fields))


def skill(code: str, name: str | None = None) -> Skill:
    obj, _created = Skill.objects.get_or_create(code=code, defaults={"name": name or code})
    return obj


def member(community: Community, *, age: int = 68, skills: tuple[str, ...] = (), extra=(), **fields) -> Member:
    today = timezone.localdate()
    fields.setdefault("name", f"成员{next(_counter)}")
    fields.setdefault("birth_date", today.replace(year=today.year - age) - dt.timedelta(days=30))
    obj = _save(Member(community=community, **fields))
    if skills:
        obj.skills.set([skill(code) for code in skills])
    if extra:
        obj.extra_communities.set(extra)
    return obj


def caregiving(member: Member, weekdays="mon,tue,wed,thu,fri", start=dt.time(7, 0), end=dt.time(8, 30),
               label="接送孙辈", applies=None) -> CaregivingWindow:
    return _save(CaregivingWindow(member=member, weekdays=weekdays, start=start, end=end, label=label,
                                  applies=applies or applies_for_label(label)))


def duty(code: str = "patrol", **fields) -> Duty:
    fields.setdefault("name", {"patrol": "巡逻", "mediation": "调解", "visiting": "探访"}.get(code, code))
    lead = fields.pop("lead_skill", None)
    required = fields.pop("required_skills", ())
    obj, _created = Duty.objects.get_or_create(code=code, defaults=fields)
    if lead:
        obj.lead_skill = skill(lead)
        obj.save()
    if required:
        obj.required_skills.set([skill(code) for code in required])
    return obj


def shift(community: Community, duty: Duty, start: dt.datetime, minutes: int = 120, **fields) -> Shift:
    if timezone.is_naive(start):
        start = timezone.make_aware(start)
    fields.setdefault("min_staff", 2)
    fields.setdefault("max_staff", max(fields["min_staff"], 1))
    return _save(Shift(community=community, duty=duty, start=start, end=start + dt.timedelta(minutes=minutes),
                       **fields))


def template(community: Community, duty: Duty, weekday: int, start=dt.time(9, 0), end=dt.time(11, 0),
             **fields) -> ShiftTemplate:
    fields.setdefault("min_staff", 2)
    fields.setdefault("max_staff", 3)
    return _save(ShiftTemplate(community=community, duty=duty, weekday=weekday, start=start, end=end, **fields))


def visit_target(community: Community, **fields) -> VisitTarget:
    fields.setdefault("household", f"住户{next(_counter)}")
    fields.setdefault("address", "幸福里3号楼2单元501")
    fields.setdefault("circumstances", VisitTarget.Circumstance.ALONE)
    return _save(VisitTarget(community=community, **fields))


def user(username: str | None = None, password: str = "correct horse battery", **fields):
    User = get_user_model()
    return User.objects.create_user(username=username or f"user{next(_counter)}", password=password, **fields)


def secretary(*communities: Community, username: str | None = None):
    login = user(username)
    profile = StaffProfile.objects.create(user=login, role=StaffProfile.Role.SECRETARY)
    profile.communities.set(communities)
    return login


def district_admin(username: str | None = None):
    login = user(username)
    StaffProfile.objects.create(user=login, role=StaffProfile.Role.DISTRICT_ADMIN)
    return login


def member_login(member: Member):
    login = user(f"member-{member.pk}")
    member.user = login
    member.save(update_fields=["user"])
    return login


# ------------------------------------------------------------------ rosters, through the real services

def draft_roster(community: Community, week_start: dt.date, assignments=None, *, by=None,
                 override_reason: str = ""):
    """An open draft of the community-week holding `assignments` ({shift: [members]}), each added through the
    secretary's review service (shifts.rostering.review.assignment_add), so every rule check and audit entry of a
    hand edit happens. The draft row itself is the empty one a solve that placed nobody writes
    (shifts.rostering.solving._write_draft): the solver is the only service that makes drafts, and these tests
    are not about it. A pair that breaks a rule needs `override_reason`, as it does for the secretary."""
    from shifts.models import Roster
    from shifts.rostering.review import assignment_add

    draft = _save(Roster(community=community, week_start=week_start, status=Roster.Status.DRAFT))
    for shift, members in (assignments or {}).items():
        for person in members:
            assignment_add(roster=draft, shift=shift, member=person, by=by, override_reason=override_reason,
                           pinned=False)
    return draft


def published_roster(community: Community, week_start: dt.date, assignments=None, *, by=None,
                     override_reason: str = "", keep_published: bool = True, messages: bool = True):
    """Publish a version of the community-week with `assignments` ({shift: [members]}) the way the secretary does:
    a draft filled through review.assignment_add (see draft_roster), then shifts.rostering.rosters.roster_publish.

    Publishing again adds to the week: with `keep_published` the new version keeps the pairs of the version it
    supersedes (as a re-solve keeps what was published), so it can be called once per pair a test needs.
    The after-commit work of the publish runs as it would in production (feeds told, members' messages sent
    through the queue, which runs inline in tests). With `messages=False` it does not run: the publish is
    committed and its message job recorded, but nothing has been sent or confirmed yet, the moment between the
    secretary's click and the queue's worker (for tests of what a member sees before any message).
    `override_reason` is the secretary's reason for pairs or a roster that break a rule (a shift left short of
    its minimum, say) and is also recorded on the publish."""
    from django.test import TestCase

    from shifts.models import Roster
    from shifts.rostering.rosters import roster_publish

    wanted = {shift: list(members) for shift, members in (assignments or {}).items()}
    previous = Roster.objects.filter(community=community, week_start=week_start,
                                     status=Roster.Status.PUBLISHED).first()
    if previous is not None and keep_published:
        for a in previous.assignments.select_related("shift", "member"):
            members = wanted.setdefault(a.shift, [])
            if a.member not in members:
                members.insert(0, a.member)
    draft = draft_roster(community, week_start, wanted, by=by, override_reason=override_reason)
    with TestCase.captureOnCommitCallbacks(execute=messages):
        return roster_publish(roster=draft, by=by, override_reason=override_reason)


def publish_pairs(*pairs, by=None, override_reason: str = "", messages: bool = True):
    """Put each (shift, member) in its community-week's published roster (published_roster, one new version per
    community-week touched); returns the published Assignment rows of these pairs, in order."""
    from django.utils import timezone

    from shifts.models import Assignment
    from shifts.weeks import week_start_of

    weeks: dict = {}
    for shift, person in pairs:
        key = (shift.community, week_start_of(timezone.localtime(shift.start).date()))
        weeks.setdefault(key, {}).setdefault(shift, []).append(person)
    rosters = {key: published_roster(key[0], key[1], wanted, by=by, override_reason=override_reason,
                                     messages=messages)
               for key, wanted in weeks.items()}
    return [Assignment.objects.get(roster=rosters[(shift.community, week_start_of(
        timezone.localtime(shift.start).date()))], shift=shift, member=person) for shift, person in pairs]

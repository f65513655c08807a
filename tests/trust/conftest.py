"""Two communities, each with a secretary, a member with a login, a visit household and a published shift;
plus a district administrator. Tests act from community A and probe objects of community B."""

import datetime as dt
from types import SimpleNamespace

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2 at production strength costs seconds per login on a shared CI machine.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def skills(db):
    return [factories.skill("first_aid", "急救"), factories.skill("mediation", "调解")]


def _side(label: str, week_start: dt.date):
    community = factories.community(name=f"{label}社区")
    secretary = factories.secretary(community, username=f"sec-{label}")
    member = factories.member(community, name=f"{label}成员甲", phone="13800000001" if label == "A" else "13900000001")
    factories.caregiving(member)
    mate = factories.member(community, name=f"{label}队友乙", health="limited")
    member_user = factories.member_login(member)
    target = factories.visit_target(community, household=f"{label}独居老人", address=f"{label}幸福里9号")
    duty = factories.duty("patrol")
    shift = factories.shift(community, duty, dt.datetime.combine(week_start, dt.time(9, 0)))
    roster = factories.published_roster(community, week_start, {shift: [member, mate]}, by=secretary,
                                        override_reason="set up by a test", messages=False)
    draft = factories.draft_roster(community, week_start, {shift: [member]}, by=secretary)
    assignment = draft.assignments.get()
    return SimpleNamespace(community=community, secretary=secretary, member=member, mate=mate,
                           member_user=member_user, target=target, duty=duty, shift=shift, roster=roster,
                           draft=draft, assignment=assignment)


@pytest.fixture
def world(db, week_start):
    a = _side("A", week_start)
    b = _side("B", week_start)
    admin = factories.district_admin("district")
    return SimpleNamespace(a=a, b=b, admin=admin)

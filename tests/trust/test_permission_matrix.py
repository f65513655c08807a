"""Every URL × every role × objects out of the role's scope → 404/403/405 or a login redirect, never data."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from shifts.models import Assignment, Certificate, NoShowCheck, PatrolLogEntry, SolveRun, SwapRequest
from tests import factories
from volunteers.models import Unavailability

from .matrix import Probe, iter_routes, matrix_failures


def _extras(side, week_start, *, label):
    window = factories.caregiving(side.mate, weekdays="sat", start=dt.time(9), end=dt.time(10),
                                  label=f"{label}队友秘密照护")
    start = timezone.make_aware(dt.datetime.combine(week_start, dt.time(0)))
    absence = Unavailability.objects.create(member=side.mate, start=start, end=start + dt.timedelta(days=1),
                                            note=f"{label}住院")
    run = SolveRun.objects.create(community=side.community, week_start=week_start)
    template = factories.template(side.community, side.duty, 2)
    other_shift = factories.shift(side.community, side.duty, dt.datetime.combine(week_start, dt.time(14)))
    mate_assignment = Assignment.objects.get(roster=side.roster, member=side.mate)
    # A teammate asking chosen colleagues (not this member) for cover: not the member's business. (A give-away
    # offer, by contrast, is open to everyone in the community.)
    swap = SwapRequest.objects.create(kind=SwapRequest.Kind.COVER, requester=side.mate,
                                      assignment=mate_assignment, expires_at=start + dt.timedelta(days=2))
    certificate = Certificate.objects.create(
        community=side.community, member=side.mate, year=2026, serial=1, number=f"{label}-2026-0001",
        period_start=week_start, period_end=week_start, served_minutes=120, content="巡逻 1 次",
        member_name=side.mate.name, issuer=side.community.name, person_in_charge="负责人", handled_by="经办人",
        contact="021-0000", verify_token=f"{label}-token", issued_on=week_start)
    no_show = NoShowCheck.objects.create(shift=side.shift, member=side.mate)
    patrol_entry = PatrolLogEntry.objects.create(community=side.community, shift=side.shift, author=side.mate,
                                                 note=f"{label}队友秘密照护", tags=["hazard"])
    return dict(window=window, absence=absence, run=run, template=template, other_shift=other_shift,
                mate_assignment=mate_assignment, swap=swap, certificate=certificate, no_show=no_show,
                patrol_entry=patrol_entry)


def _objects(side, extra, *, as_member: bool):
    """What a probe passes: for staff probes the other community's own objects; for a member probe, objects
    of their own community that are not theirs (a teammate, drafts, staff-only things)."""
    return {
        "member": side.mate if as_member else side.member, "community": side.community,
        "assignment": extra["mate_assignment"], "roster": side.draft,
        "shift": extra["other_shift"] if as_member else side.shift, "run": extra["run"],
        "window": extra["window"], "absence": extra["absence"], "swap": extra["swap"], "target": side.target,
        "template": extra["template"], "certificate": extra["certificate"], "no_show": extra["no_show"],
        "patrol_entry": extra["patrol_entry"],
    }


B_SECRETS = ["B成员甲", "B队友乙", "B独居老人", "B幸福里9号", "13900000001", "B队友秘密照护", "B住院"]


@pytest.fixture
def probes(world, week_start):
    a_extra = _extras(world.a, week_start, label="A")
    b_extra = _extras(world.b, week_start, label="B")
    week = week_start.isoformat()
    b_objects = _objects(world.b, b_extra, as_member=False)
    return [
        Probe("secretary-A→B", world.a.secretary, b_objects, week, B_SECRETS),
        Probe("member-A→B", world.a.member_user, b_objects, week, B_SECRETS),
        Probe("member-A→A-others", world.a.member_user, _objects(world.a, a_extra, as_member=True), week,
              ["A幸福里9号", "A队友秘密照护", "A住院"]),
        Probe("anonymous→B", None, b_objects, week, B_SECRETS),
    ]


def test_every_url_refuses_out_of_scope_objects(probes):
    failures = matrix_failures(probes)
    assert not failures, "\n".join(failures)


def test_matrix_covers_the_app_urls():
    names = {r.name for r in iter_routes()}
    # A canary: if the walk stopped finding views, the main test would pass vacuously.
    assert {"member_login_link_issue", "member_import", "member_export"} <= names
    assert sum(1 for r in iter_routes() if r.params and not r.name.startswith("admin:")) >= 5


@override_settings(ROOT_URLCONF="tests.trust.leaky_urls")
def test_matrix_catches_an_unscoped_view(probes):
    failures = matrix_failures(probes)
    text = "\n".join(failures)
    assert "leaky_member" in text and "→ 200" in text
    assert "mystery_id" in text  # an unknown parameter is a failure, not a pass
    assert "leaky_list" in text and "B成员甲" in text
    assert "scoped_member" not in text

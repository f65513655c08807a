"""Every URL × every role × objects out of the role's scope → 404/403/405 or a login redirect, never data."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from shifts.models import (
    Assignment,
    Certificate,
    CoverAsk,
    CoverCall,
    MemberNotice,
    NoShowCheck,
    Notification,
    OutboxMessage,
    PatrolLogEntry,
    SolveRun,
    SwapRequest,
    WeekConfirmation,
    WelfareLadder,
)
from tests import factories
from volunteers.models import (
    AuditEntry,
    CalendarDay,
    MemberImportJob,
    MemberLoginToken,
    MemberProxy,
    SchoolTerm,
    Unavailability,
)
from volunteers.services.logins import login_token_issue

from .matrix import Probe, content_failures, iter_routes, matrix_failures


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
    # The district's calendar is the district administrator's alone.
    calendar_day, _created = CalendarDay.objects.get_or_create(
        date=dt.date(2027, 2, 20), defaults={"kind": CalendarDay.Kind.WORKDAY, "replaces_weekday": 4})
    school_term = SchoolTerm.objects.create(district=side.community.district or "示范街道", name=f"{label}学期",
                                            start=dt.date(2027, 2, 22), end=dt.date(2027, 7, 9))
    import_job = MemberImportJob.objects.create(community=side.community, created_by=side.secretary,
                                                file_id="0" * 32, file_sha256="0" * 64)
    # A teammate's relative, notice and confirmation: neither another member nor another community sees them.
    proxy = MemberProxy.objects.create(member=side.mate, name=f"{label}亲属", phone="13700000009",
                                       consent_at=start, consent_note="同意")
    notice = MemberNotice.objects.create(member=side.mate, kind="confirm", text="t", url="/me/",
                                         dedupe_key=f"matrix:{label}")
    confirmation = WeekConfirmation.objects.create(member=side.mate, community=side.community,
                                                   week_start=week_start, first_start=start + dt.timedelta(days=3))
    certificate = Certificate.objects.create(
        community=side.community, member=side.mate, year=2026, serial=1, number=f"{label}-2026-0001",
        period_start=week_start, period_end=week_start, served_minutes=120, content="巡逻 1 次",
        member_name=side.mate.name, issuer=side.community.name, person_in_charge="负责人", handled_by="经办人",
        contact="021-0000", verify_token=f"{label}-token", issued_on=week_start)
    no_show = NoShowCheck.objects.create(shift=side.shift, member=side.mate)
    welfare_ladder = WelfareLadder.objects.create(shift=side.shift, member=side.mate, no_show=no_show,
                                                  trigger=WelfareLadder.Trigger.NO_SHOW, due_at=side.shift.start)
    login_token_issue(member=side.member, by=side.secretary)
    phone = str(side.member.phone)
    sms_notification = Notification.objects.create(
        dedupe_key=f"matrix-sms:{label}", kind="login_code", member=side.member, channel=Notification.Channel.SMS,
        subject=f"{label}登录码73519264", body=f"{label}登录码73519264", address=phone)
    OutboxMessage.objects.create(notification=sms_notification, phone=phone, sign_name="余热志愿",
                                 template="T", params=[f"{label}登录码73519264"], text=f"{label}登录码73519264")
    audit = AuditEntry.objects.create(action="volunteers.member.absence_recorded", actor=side.secretary,
                                      community=side.community, reason=f"{label}缺席原因",
                                      data={"household": f"{label}独居老人", "note": f"{label}住院"})
    patrol_entry = PatrolLogEntry.objects.create(community=side.community, shift=side.shift, author=side.mate,
                                                 note=f"{label}队友秘密照护", tags=["hazard"])
    cover_call = CoverCall.objects.create(shift=side.shift, community=side.community, started_at=start)
    cover_ask = CoverAsk.objects.create(call=cover_call, member=side.mate, wave=1, asked_at=start)
    return dict(cover_call=cover_call, cover_ask=cover_ask, window=window, absence=absence, run=run, template=template,
                other_shift=other_shift,
                mate_assignment=mate_assignment, swap=swap, calendar_day=calendar_day, school_term=school_term,
                import_job=import_job, proxy=proxy, notice=notice, confirmation=confirmation, certificate=certificate,
                no_show=no_show, welfare_ladder=welfare_ladder, patrol_entry=patrol_entry,
                sms_notification=sms_notification, audit=audit,
                login_token=MemberLoginToken.objects.get(member=side.member))


def _objects(side, extra, *, as_member: bool):
    """What a probe passes: for staff probes the other community's own objects; for a member probe, objects
    of their own community that are not theirs (a teammate, drafts, staff-only things)."""
    return {
        "member": side.mate if as_member else side.member, "community": side.community,
        "assignment": extra["mate_assignment"], "roster": side.draft,
        "shift": extra["other_shift"] if as_member else side.shift, "run": extra["run"],
        "window": extra["window"], "absence": extra["absence"], "swap": extra["swap"], "target": side.target,
        "template": extra["template"], "calendar_day": extra["calendar_day"], "school_term": extra["school_term"],
        "import_job": extra["import_job"], "proxy": extra["proxy"], "notice": extra["notice"],
        "confirmation": extra["confirmation"], "certificate": extra["certificate"], "no_show": extra["no_show"],
        "welfare_ladder": extra["welfare_ladder"],
        "patrol_entry": extra["patrol_entry"], "sms_notification": extra["sms_notification"],
        "audit": extra["audit"], "login_token": extra["login_token"], "staff_profile": side.secretary.staff_profile,
        # A duty its community uses: staff of another community may not change it (duties are shared).
        "duty": side.duty, "cover_call": extra["cover_call"], "cover_ask": extra["cover_ask"],
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



# --------------------------------------------------------------------------- what the pages say (issue 16)

def _visit(side, week_start, *, label):
    """A published home visit named after its household, whose visitor is the teammate (not the member)."""
    shift = factories.shift(side.community, factories.duty("visiting"),
                            dt.datetime.combine(week_start + dt.timedelta(days=3), dt.time(10)), 60,
                            min_staff=1, max_staff=1, visit_target=side.target, name=f"探访{label}谢家")
    for roster in (side.roster, side.draft):
        Assignment.objects.create(roster=roster, shift=shift, member=side.mate)
    return shift


def _guest(world, week_start):
    """A member of B who also serves A, with caregiving (during A's Monday patrol) and an absence only B's staff
    may read about."""
    guest = factories.member(world.b.community, name="B客串丙", extra=[world.a.community])
    factories.caregiving(guest, weekdays="mon", start=dt.time(9), end=dt.time(10), label="B客串照护")
    start = timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=4), dt.time(0)))
    Unavailability.objects.create(member=guest, start=start, end=start + dt.timedelta(days=1),
                                  reason=Unavailability.Reason.HOSPITAL, note="B客串住院")
    return guest


def _own_details(side, week_start, *, label):
    """Caregiving during the side's Monday patrol and an absence with a note, on the member the probes open."""
    factories.caregiving(side.member, weekdays="mon", start=dt.time(9), end=dt.time(10), label=f"{label}本人照护")
    start = timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=5), dt.time(0)))
    Unavailability.objects.create(member=side.member, start=start, end=start + dt.timedelta(days=1),
                                  reason=Unavailability.Reason.HOSPITAL, note=f"{label}本人住院")


# The reasons 谁能接？ gives when health, family care or an absence rules someone out (zh-hans).
SENSITIVE_REASONS = ["那个时间要照顾家人", "健康状况不适合这个岗位", "已请假"]
B_SENSITIVE = ["B队友秘密照护", "B住院", "B独居老人", "B幸福里9号", "探访B谢家", "B本人照护", "B本人住院"]
A_TEAMMATES_PRIVATE = ["A队友秘密照护", "A住院", "A独居老人", "A幸福里9号", "探访A谢家"]


@pytest.fixture
def content_probes(world, week_start):
    a_extra = _extras(world.a, week_start, label="A")
    b_extra = _extras(world.b, week_start, label="B")
    _visit(world.a, week_start, label="A")
    _visit(world.b, week_start, label="B")
    _guest(world, week_start)
    _own_details(world.b, week_start, label="B")
    week = week_start.isoformat()
    return [
        # Seeing every community's rosters does not make the district administrator staff of every community.
        Probe("district-admin→B", world.admin, _objects(world.b, b_extra, as_member=False), week,
              B_SENSITIVE + SENSITIVE_REASONS),
        # A secretary's own pages (谁能接？, the grid, swaps) must not tell them about a guest from B.
        Probe("secretary-A→A", world.a.secretary, _objects(world.a, a_extra, as_member=False), week,
              ["B客串照护", "B客串住院", *B_SENSITIVE, "那个时间要照顾家人"]),  # the guest's family care
        # A member sees their teammates' names, not their health, family or the households they visit.
        Probe("member-A→A", world.a.member_user, _objects(world.a, a_extra, as_member=True), week,
              A_TEAMMATES_PRIVATE + ["B客串照护", "B客串住院"]),
        Probe("member-A→B", world.a.member_user, _objects(world.b, b_extra, as_member=False), week, B_SENSITIVE),
        Probe("anonymous→B", None, _objects(world.b, b_extra, as_member=False), week, B_SENSITIVE),
    ]


def test_no_page_shows_a_role_the_sensitive_words_or_households_it_may_not_see(content_probes):
    failures = content_failures(content_probes)
    assert not failures, "\n".join(failures)


def test_the_content_check_sees_what_the_communitys_own_staff_may_see(world, week_start):
    """The check is not vacuous: with the secret words of A, A's own secretary's pages do show them."""
    a_extra = _extras(world.a, week_start, label="A")
    _visit(world.a, week_start, label="A")
    _own_details(world.a, week_start, label="A")
    failures = "\n".join(content_failures([Probe("secretary-A→A", world.a.secretary,
                                                 _objects(world.a, a_extra, as_member=False),
                                                 week_start.isoformat(), ["A队友秘密照护", "A本人住院",
                                                                          "已请假"])]))
    assert "A队友秘密照护" in failures and "A本人住院" in failures and "已请假" in failures

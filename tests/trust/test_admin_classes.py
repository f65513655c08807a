"""Every admin class scoped like the pages once staff are given admin access (issue 28): a secretary lists and
opens only their own communities' rows, and a district administrator not assigned to a community reads no
health, household, message body, login code or reason of it, in lists, filters, searches or forms."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shifts.models import Assignment, Duty, Notification, Roster, Shift, SolveRun, SwapRequest
from tests import factories
from volunteers.models import (
    AuditEntry,
    Member,
    MemberLoginToken,
    Unavailability,
)
from volunteers.services.logins import login_token_issue

pytestmark = pytest.mark.django_db

# Planted in community B: none may reach an admin page of a login that is not B's own staff.
MARKERS = ["B秘密照护", "B住院复查", "B独居老人", "B幸福里9号", "探访B谢家", "B登录码73519264", "B缺席原因",
           "B腿伤坚持", "B换班理由", "B重排原因"]


def _admin_login(login):
    login.is_staff = True
    login.save()
    login.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["volunteers", "shifts"]))
    return login


@pytest.fixture
def planted(world, week_start):
    b = world.b
    factories.caregiving(b.mate, label="B秘密照护")
    start = timezone.make_aware(dt.datetime.combine(week_start, dt.time(0)))
    Unavailability.objects.create(member=b.mate, start=start, end=start + dt.timedelta(days=1), note="B住院复查")
    b.target.household, b.target.address = "B独居老人", "B幸福里9号"
    b.target.save()
    visit = factories.shift(b.community, factories.duty("visiting"), dt.datetime.combine(week_start, dt.time(15)),
                            visit_target=b.target, name="探访B谢家", location="B幸福里9号", min_staff=1, max_staff=1)
    template = factories.template(b.community, visit.duty, 3, name="探访B谢家", location="B幸福里9号",
                                  visit_target=b.target)
    Assignment.objects.filter(pk=b.assignment.pk).update(override_reason="B腿伤坚持")
    note = Notification.objects.create(dedupe_key="admin:code", kind="login_code", member=b.member,
                                       channel=Notification.Channel.SMS, subject="B登录码73519264",
                                       body="B登录码73519264", address="+8613900000001", sms_params=["B登录码73519264"])
    audit = AuditEntry.objects.create(action="volunteers.member.absence_recorded", actor=b.secretary,
                                      community=b.community, object_type="member", object_id=str(b.mate.pk),
                                      reason="B缺席原因", data={"household": "B独居老人", "note": "B住院复查"})
    swap = SwapRequest.objects.create(kind=SwapRequest.Kind.GIVE_AWAY, requester=b.mate,
                                      assignment=Assignment.objects.get(roster=b.roster, member=b.mate),
                                      expires_at=start + dt.timedelta(days=2), note="B换班理由")
    Roster.objects.filter(pk=b.draft.pk).update(reason="B重排原因", cause={"name": "B重排原因"})
    run = SolveRun.objects.create(community=b.community, week_start=week_start, reason="B重排原因",
                                  cause={"name": "B重排原因"})
    login_token_issue(member=b.member, by=b.secretary)
    return SimpleNamespace(visit=visit, template=template, note=note, audit=audit, swap=swap,
                           run=run, token=MemberLoginToken.objects.get(member=b.member))


# Each registered admin model → the object of community B to open (None: rows that belong to no community).
def _objects(world, planted):
    b = world.b
    return {
        "volunteers.community": b.community, "volunteers.member": b.mate, "volunteers.visittarget": b.target,
        "volunteers.auditentry": planted.audit, "volunteers.memberlogintoken": planted.token,
        "volunteers.staffprofile": b.secretary.staff_profile, "volunteers.skill": None,
        "volunteers.calendaryear": None, "volunteers.calendarday": None, "volunteers.schoolterm": None,
        "shifts.duty": None, "shifts.shifttemplate": planted.template, "shifts.shift": planted.visit,
        "shifts.roster": b.draft, "shifts.solverun": planted.run, "shifts.swaprequest": planted.swap,
        "shifts.notification": planted.note, "shifts.starlevels": None,
    }


def _registered() -> list[str]:
    return sorted(model._meta.label_lower for model in admin.site._registry
                  if model._meta.app_label in ("volunteers", "shifts"))


def test_admin_every_class_is_in_this_table(world, planted):
    """A new admin class without an entry here fails: it must be given a community-B object to probe."""
    assert sorted(_objects(world, planted)) == _registered()


# Rows the district administrator does not list at all unless assigned to their community.
HIDDEN_FROM_DISTRICT = {"volunteers.visittarget"}


def _urls(label: str, obj) -> list[str]:
    app, model = label.split(".")
    urls = [reverse(f"admin:{app}_{model}_changelist")]
    if obj is not None:
        urls.append(reverse(f"admin:{app}_{model}_change", args=[obj.pk]))
    return urls


@pytest.mark.parametrize("label", _registered())
def test_admin_class_hides_community_b_from_the_district_admin_and_secretary_a(world, planted, label):
    obj = _objects(world, planted)[label]
    district, secretary = Client(), Client()
    district.force_login(_admin_login(world.admin))
    secretary.force_login(_admin_login(world.a.secretary))
    for url in _urls(label, obj):
        response = district.get(url)
        if label in HIDDEN_FROM_DISTRICT and url.endswith("/change/"):
            assert response.status_code in (302, 404), url  # not even listed: "does not exist"
        else:
            assert response.status_code == 200, (url, response.status_code)
        body = response.content.decode()
        leaked = [m for m in MARKERS if m in body]
        assert not leaked, (url, leaked)
        response = secretary.get(url)
        if url.endswith("/change/"):
            assert response.status_code in (302, 403, 404), url
        else:
            assert response.status_code in (200, 403), url
            body = response.content.decode()
            assert not [m for m in MARKERS + ["B成员甲", "B队友乙"] if m in body], url


def test_admin_class_shows_community_b_to_its_own_secretary(world, planted):
    """The markers are there to be found: B's own secretary reads them in the admin."""
    client = Client()
    client.force_login(_admin_login(world.b.secretary))
    found = set()
    for label, obj in _objects(world, planted).items():
        for url in _urls(label, obj):
            found |= {m for m in MARKERS if m in client.get(url).content.decode()}
    assert {"B秘密照护", "B住院复查", "B独居老人", "探访B谢家", "B登录码73519264", "B缺席原因", "B腿伤坚持",
            "B换班理由", "B重排原因"} <= found


def test_admin_member_list_refuses_the_health_filter_for_the_district_admin(client, world):
    url = reverse("admin:volunteers_member_changelist")
    client.force_login(_admin_login(world.admin))
    for query in ("?health=limited", "?health__in=limited,frail", "?lives_alone=1", "?health__startswith=l"):
        assert client.get(url + query).status_code == 400, query
    client.force_login(_admin_login(world.b.secretary))
    names = [m.name for m in client.get(url + "?health=limited").context["cl"].result_list]
    assert names == ["B队友乙"]


def test_admin_member_page_hides_health_and_inlines_from_the_district_admin(client, world, planted):
    client.force_login(_admin_login(world.admin))
    page = client.get(reverse("admin:volunteers_member_change", args=[world.b.mate.pk]))
    assert "health" not in page.context["adminform"].form.fields
    assert not page.context["inline_admin_formsets"]


def test_admin_secretary_cannot_create_a_member_in_another_community(client, world):
    client.force_login(_admin_login(world.a.secretary))
    data = {"name": "冒名成员", "birth_date": "1955-01-01", "community": world.b.community.pk, "health": "good",
            "language": "zh-hans", "duty_preferences": "{}", "weekday_preferences": "{}",
            "caregiving-TOTAL_FORMS": "0", "caregiving-INITIAL_FORMS": "0",
            "unavailability_set-TOTAL_FORMS": "0", "unavailability_set-INITIAL_FORMS": "0",
            "absences-TOTAL_FORMS": "0", "absences-INITIAL_FORMS": "0"}
    response = client.post(reverse("admin:volunteers_member_add"), data)
    assert response.status_code == 200 and "community" in response.context["adminform"].form.errors
    assert not Member.objects.filter(name="冒名成员").exists()
    choices = response.context["adminform"].form.fields["community"].queryset
    assert list(choices) == [world.a.community]


def test_admin_secretary_cannot_move_a_shift_to_another_community(client, world):
    client.force_login(_admin_login(world.a.secretary))
    form = client.get(reverse("admin:shifts_shift_change", args=[world.a.shift.pk])).context["adminform"].form
    assert list(form.fields["community"].queryset) == [world.a.community]


def test_admin_shared_duty_is_editable_only_by_the_district_admin(client, world):
    shared = world.a.duty  # "patrol": both communities have patrols
    assert Shift.objects.filter(duty=shared).values("community").distinct().count() == 2
    url = reverse("admin:shifts_duty_change", args=[shared.pk])
    data = {"code": "patrol", "name": "改名巡逻", "min_age": 0, "max_age": 200, "min_health": "frail",
            "max_per_member": ""}
    client.force_login(_admin_login(world.a.secretary))
    client.post(url, data)
    shared.refresh_from_db()
    assert shared.name != "改名巡逻"
    assert client.post(reverse("admin:shifts_duty_delete", args=[shared.pk]), {"post": "yes"}).status_code == 403
    assert Duty.objects.filter(pk=shared.pk).exists()
    own = factories.duty("mediation")
    factories.shift(world.a.community, own, dt.datetime.combine(world.a.shift.start.date(), dt.time(16)))
    assert client.get(reverse("admin:shifts_duty_change", args=[own.pk])).context["has_change_permission"]
    client.force_login(_admin_login(world.admin))
    assert client.get(url).context["has_change_permission"]


def test_admin_audit_list_hides_reasons_and_details_from_the_district_admin(client, world, planted):
    url = reverse("admin:volunteers_auditentry_changelist")
    client.force_login(_admin_login(world.admin))
    page = client.get(url).content.decode()
    assert "B缺席原因" not in page and "B独居老人" not in page
    assert client.get(url + "?reason=B缺席原因").status_code == 400
    assert client.get(url + "?data__household=B独居老人").status_code == 400
    searched = client.get(url, {"q": "B缺席原因"}).context["cl"].result_list
    assert planted.audit not in list(searched)
    detail = client.get(reverse("admin:volunteers_auditentry_change", args=[planted.audit.pk])).content.decode()
    assert "B缺席原因" not in detail and "B住院复查" not in detail


def test_admin_notifications_hide_message_bodies_from_the_district_admin(client, world, planted):
    client.force_login(_admin_login(world.admin))
    page = client.get(reverse("admin:shifts_notification_change", args=[planted.note.pk])).content.decode()
    assert "73519264" not in page and "+8613900000001" not in page
    assert client.get(reverse("admin:shifts_notification_changelist"), {"q": "73519264"}).context[
        "cl"].result_count in (0, Notification.objects.count())  # the search box is gone: q filters nothing


def test_admin_visit_households_are_listed_to_their_own_staff_only(client, world, planted):
    client.force_login(_admin_login(world.admin))
    listing = client.get(reverse("admin:volunteers_visittarget_changelist")).context["cl"].result_list
    assert world.b.target not in list(listing)
    client.force_login(_admin_login(world.b.secretary))
    assert world.b.target in list(client.get(reverse("admin:volunteers_visittarget_changelist"))
                                  .context["cl"].result_list)


def test_admin_district_only_rows_are_written_by_the_district_admin_alone(client, world):
    client.force_login(_admin_login(world.a.secretary))
    for name in ("volunteers_skill", "shifts_starlevels", "volunteers_community", "volunteers_calendarday"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 403, name
    client.force_login(_admin_login(world.admin))
    for name in ("volunteers_skill", "shifts_starlevels", "volunteers_community", "volunteers_calendarday"):
        assert client.get(reverse(f"admin:{name}_add")).status_code == 200, name

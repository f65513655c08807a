"""The access matrix (issue 28): every URL pattern of the site, the admin's included, for the eight roles, with
distinctive markers planted in health notes, family care, absence reasons, households and their addresses, login
codes and message bodies, searched for by content in every answer."""


import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from shifts.models import Roster, ShiftExclusion, SwapRequest
from tests import factories
from volunteers.models import MemberProxy

from .matrix import ADMIN, DISTRICT, LOGIN, MEMBER, OWN_STAFF, PUBLIC, STAFF, Role, access_failures, unlisted_routes
from .test_permission_matrix import _extras, _guest, _objects, _own_details, _visit

pytestmark = pytest.mark.django_db

# What only community B's own staff may read (its members' private details, households, codes, messages, and
# what people and secretaries wrote about them); the names of people are not among them.
B_PRIVATE = ["B队友秘密照护", "B住院", "B独居老人", "B幸福里9号", "探访B谢家", "B本人照护", "B本人住院",
             "B登录码73519264", "B缺席原因", "B腿伤坚持", "B队友住院了", "B重排原因"]
B_NAMES = ["B成员甲", "B队友乙"]
A_PRIVATE = [m.replace("B", "A", 1) for m in B_PRIVATE if m not in ("B本人照护", "B本人住院")]
# What B's member may not read about teammates (the member's own family times and absence are theirs).
B_TEAMMATES = ["B队友秘密照护", "B住院", "B独居老人", "B幸福里9号", "探访B谢家", "B登录码73519264",
               "B缺席原因", "B队友住院了", "B重排原因"]


def _admin_access(login):
    """Staff given admin access, with every permission of the two apps: the admin must scope them itself."""
    login.is_staff = True
    login.save()
    login.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["volunteers", "shifts"]))
    return login


def _plant(side, label):
    """What a secretary typed about members: a rule overridden, someone taken off, a re-plan's reason, a weekly
    visit's name."""
    side.assignment.override_reason = f"{label}腿伤坚持"
    side.assignment.save(update_fields=["override_reason"])
    ShiftExclusion.objects.create(shift=side.shift, member=side.mate, cause=ShiftExclusion.Cause.REMOVED,
                                  reason=f"{label}队友住院了", created_by=side.secretary)
    Roster.objects.filter(pk=side.draft.pk).update(reason=f"{label}重排原因")
    # A weekly visit named after its household, as secretaries name them: the set-up pages list it.
    factories.template(side.community, factories.duty("visiting"), 4, name=f"探访{label}谢家",
                       location=f"{label}幸福里9号", visit_target=side.target, min_staff=1, max_staff=1)


def _relative(member):
    login = factories.user(f"relative-{member.pk}")
    MemberProxy.objects.create(member=member, name="女儿", phone="13700000008", consent_at=timezone.now(),
                               consent_note="电话同意", user=login)
    return login


@pytest.fixture
def roles(world, week_start):
    _extras(world.a, week_start, label="A")
    b_extra = _extras(world.b, week_start, label="B")
    for side, label in ((world.a, "A"), (world.b, "B")):
        _visit(side, week_start, label=label)
        _own_details(side, week_start, label=label)
        _plant(side, label)
    _guest(world, week_start)
    SwapRequest.objects.filter(pk=b_extra["swap"].pk).update(note="B缺席原因")
    week = week_start.isoformat()
    b_objects = _objects(world.b, b_extra, as_member=False)
    teammates = _objects(world.b, b_extra, as_member=True)
    superuser = factories.user("root", is_superuser=True, is_staff=True)
    staff_pages = {PUBLIC, LOGIN, STAFF, OWN_STAFF, ADMIN}
    district_pages = staff_pages | {DISTRICT}
    member_pages = {PUBLIC, LOGIN, MEMBER}
    return [
        Role("secretary of B (own)", _admin_access(world.b.secretary), b_objects, week, staff_pages,
             {STAFF, OWN_STAFF, ADMIN}, A_PRIVATE),
        Role("secretary of A (another)", _admin_access(world.a.secretary), b_objects, week, staff_pages, set(),
             B_PRIVATE + B_NAMES),
        Role("district administrator", _admin_access(world.admin), b_objects, week, district_pages,
             {STAFF, DISTRICT, ADMIN}, B_PRIVATE),
        Role("superuser", superuser, b_objects, week, district_pages, {STAFF, DISTRICT, ADMIN}, B_PRIVATE),
        Role("member of B", world.b.member_user, teammates, week, member_pages, set(), B_TEAMMATES),
        Role("relative of B's member", _relative(world.b.member), teammates, week, member_pages, set(), B_TEAMMATES),
        Role("member of A (another)", world.a.member_user, b_objects, week, member_pages, set(),
             B_PRIVATE + B_NAMES),
        Role("anonymous", None, b_objects, week, {PUBLIC}, set(), B_PRIVATE + B_NAMES),
    ]


def test_every_url_has_a_matrix_entry():
    """A URL added without deciding who it is for fails here (tests/trust/matrix.py ACCESS)."""
    assert not unlisted_routes(), "\n".join(unlisted_routes())


def test_access_matrix_every_url_every_role_no_marker(roles):
    failures = access_failures(roles)
    assert not failures, "\n".join(failures)


def test_access_matrix_markers_are_there_to_be_found(world, roles):
    """Not vacuous: B's own secretary, with A's markers swapped for B's, finds them on B's pages and admin."""
    own = roles[0]
    found = "\n".join(access_failures([Role(own.label, own.user, own.objects, own.week, own.reach, own.scoped,
                                            B_PRIVATE)]))
    for marker in ("B队友秘密照护", "B住院", "B独居老人", "B幸福里9号", "探访B谢家", "B登录码73519264", "B缺席原因",
                   "B腿伤坚持", "B队友住院了", "B重排原因"):
        assert marker in found, marker
    assert "admin/" in found


def test_access_matrix_catches_an_unrefused_url_and_a_leaking_page(roles, settings, monkeypatch):
    """Not vacuous either: a view that forgot its selector answers another community's secretary, and a list
    that names everyone leaks B's names; the URL with no entry is reported."""
    from . import matrix

    settings.ROOT_URLCONF = "tests.trust.leaky_urls"
    for name in ("leaky_member", "scoped_member", "leaky_list"):
        monkeypatch.setitem(matrix.ACCESS, name, STAFF)
    another = next(role for role in roles if role.label == "secretary of A (another)")
    text = "\n".join(access_failures([another]))
    assert "/leaky/" in text and "expected a refusal" in text
    assert "/everyone/" in text and "B成员甲" in text
    assert "/scoped/" not in text
    assert any("mystery" in line for line in unlisted_routes())

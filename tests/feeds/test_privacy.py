"""Check 26 over the demo district: no health or caregiving detail anywhere, addresses only to their visitor."""

import itertools

import pytest
from django.core.management import call_command
from django.utils import translation

from shifts.feeds.tokens import community_token, duty_token, member_token
from shifts.models import Assignment, Duty, Roster, Shift
from shifts.rostering.rosters import roster_publish
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_bounds
from tests.feeds.conftest import fetch
from volunteers.models import CaregivingWindow, Community, HealthLevel, Member, Unavailability, VisitTarget
from volunteers.selectors import members_serving


def _publish_demo_week(week_start, capture) -> None:
    """Every shift of the week staffed round-robin (no solver needed for a privacy check), then published."""
    for community in Community.objects.all():
        shifts_make_for_week(community=community, week_start=week_start)
        draft = Roster(community=community, week_start=week_start, status=Roster.Status.DRAFT)
        draft.full_clean()
        draft.save()
        people = itertools.cycle(list(members_serving(community).order_by("pk")))
        start, end = week_bounds(week_start)  # the demo has past weeks of its own (shifts.demo_history)
        for shift in Shift.objects.filter(community=community, start__gte=start, start__lt=end).order_by("start", "pk"):
            chosen = {next(people) for _ in range(max(shift.min_staff, 1))}
            Assignment.objects.bulk_create([Assignment(roster=draft, shift=shift, member=m) for m in chosen])
        with capture(execute=True):  # round-robin staffing breaks rules on purpose; only privacy is checked here
            roster_publish(roster=draft, by=None, override_reason="privacy check of every feed")


def _forbidden_words() -> set[str]:
    words = set(CaregivingWindow.objects.values_list("label", flat=True))
    words |= set(Unavailability.objects.exclude(note="").values_list("note", flat=True))
    for language in ("en", "zh-hans"):
        with translation.override(language):
            words |= {str(label) for value, label in HealthLevel.choices if value != HealthLevel.GOOD}
            words |= {str(label) for _value, label in VisitTarget.Circumstance.choices}
    return {w for w in words if w}


@pytest.mark.slow
def test_no_health_caregiving_or_foreign_address_in_any_demo_feed(db, client, week_start,
                                                                 django_capture_on_commit_callbacks):
    call_command("seed_demo", "--communities", "2", "--members-min", "12", "--members-max", "16",
                 "--households", "3", stdout=open("/dev/null", "w"))
    assert CaregivingWindow.objects.exists(), "the demo district should have caregiving to hide"
    _publish_demo_week(week_start, django_capture_on_commit_callbacks)
    visits = Assignment.objects.filter(roster__status=Roster.Status.PUBLISHED, shift__visit_target__isnull=False)
    assert visits.exists()
    addresses = dict(VisitTarget.objects.values_list("pk", "address"))
    # A visitor may see the address of any household they visit; this week's visits must show it. The demo's own
    # past weeks (shifts.demo_history) may be outside the feeds' window.
    visitor_of: dict[int, set[int]] = {}
    for member_id, target_id in visits.values_list("member_id", "shift__visit_target_id"):
        visitor_of.setdefault(member_id, set()).add(target_id)
    needs: dict[int, set[int]] = {}
    for member_id, target_id in visits.filter(roster__week_start=week_start).values_list("member_id",
                                                                                       "shift__visit_target_id"):
        needs.setdefault(member_id, set()).add(target_id)
    forbidden = _forbidden_words()
    assert forbidden

    feeds = {}
    for member in Member.objects.all():
        feeds[("member", member.pk)] = fetch(client, member_token(member)).content.decode()
    for community in Community.objects.all():
        feeds[("community", community.pk)] = fetch(client, community_token(community)).content.decode()
        for duty in Duty.objects.all():
            feeds[("duty", community.pk, duty.pk)] = fetch(client, duty_token(community, duty)).content.decode()
    assert all(body.startswith("BEGIN:VCALENDAR") for body in feeds.values())

    unfolded = {key: body.replace("\r\n ", "") for key, body in feeds.items()}
    shown_addresses = 0
    for key, body in unfolded.items():
        for word in forbidden:
            assert word not in body, (key, word)
        own = visitor_of.get(key[1], set()) if key[0] == "member" else set()
        needed = needs.get(key[1], set()) if key[0] == "member" else set()
        for target_id, address in addresses.items():
            if target_id in needed:
                assert address in body, (key, "the visitor needs the address")
                shown_addresses += 1
            elif target_id not in own:
                assert address not in body, (key, address)
    assert shown_addresses >= 1

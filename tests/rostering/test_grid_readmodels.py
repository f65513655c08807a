"""The read models behind the week grid, the dashboard, fairness, 谁能接？ and My shifts: directly and through the
pages, with the words a secretary reads (#13, #17)."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from shifts.delivered.attendance import attendance_set
from shifts.delivered.fairness import fairness_table
from shifts.models import Assignment, Roster, Shift, SolveRun
from shifts.rostering.readmodels.candidates import BEST, candidate_view
from shifts.rostering.readmodels.dashboard import community_summaries
from shifts.rostering.readmodels.fill import fill_rate
from shifts.rostering.readmodels.member_shifts import upcoming_assignments
from shifts.rostering.readmodels.week_grid import build_week
from shifts.rostering.selectors import roster_fill_rate
from shifts.rostering.week_making import shifts_make_for_week
from shifts.weeks import week_start_of
from tests import factories
from tests.site_week import build_site, week_url

# --------------------------------------------------------------------------- the one fill rate

def test_fill_rate_counts_each_shift_up_to_its_minimum():
    assert fill_rate([]) is None
    assert fill_rate([(0, 0)]) == 1.0
    assert fill_rate([(2, 3), (2, 0)]) == 0.5  # an over-staffed shift does not make up for a short one
    assert fill_rate([(2, 2), (1, 1)]) == 1.0


def test_grid_dashboard_and_command_share_one_fill_rate(site):
    monday, wednesday, thursday = site.shifts
    roster = site.roster(pairs=[(monday, site.members[0]), (monday, site.members[1]), (wednesday, site.members[2])])
    grid = build_week(site.community, site.week_start)
    summary = community_summaries([site.community], [site.week_start])[0].weeks[0]
    assert grid.fill_rate == summary.fill_rate == roster_fill_rate(roster) == 3 / 5


# --------------------------------------------------------------------------- the week grid's words

def test_grid_writes_capacity_in_people_and_links_the_short_shifts_to_their_reasons(staff, site):
    monday, wednesday, _thursday = site.shifts
    site.roster(pairs=[(monday, site.members[0]), (monday, site.members[1]), (wednesday, site.members[2])])
    page = staff.get(week_url(site)).content.decode()
    assert "1 人（需 2 人）" in page and "2 人（需 2 人）" in page
    assert "1/2" not in page and "2/2" not in page
    assert "已排满" not in page and "所需人手已排" in page and "60%" in page
    assert 'href="#why-short"' in page and 'id="why-short"' in page  # "2 个班次缺人" leads to the reasons
    assert "2 个班次缺人" in page
    english = staff.get(week_url(site), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 person (needs 2)" in english and "2 people (needs 2)" in english
    assert "Mediation" in english and "Patrol" in english  # duty names in English on English pages


def test_a_full_week_says_so_without_a_percentage(staff, site):
    monday, wednesday, thursday = site.shifts
    site.roster(pairs=[(monday, site.members[0]), (monday, site.members[1]), (wednesday, site.members[2]),
                       (wednesday, site.members[4]), (thursday, site.members[3])])
    page = staff.get(week_url(site)).content.decode()
    assert "每个班次都已排够人手" in page and "id=\"why-short\"" not in page


def test_capacity_shows_the_range_when_a_shift_takes_more_than_its_minimum(staff, site):
    shift = factories.shift(site.community, site.shifts[0].duty, site.shifts[0].start + dt.timedelta(hours=5),
                            min_staff=2, max_staff=3)
    roster = site.roster(pairs=[(shift, m) for m in site.members[:3]])
    gathering = factories.shift(site.community, site.shifts[0].duty, site.shifts[0].start + dt.timedelta(hours=8),
                                min_staff=0, max_staff=40)
    Assignment.objects.create(roster=roster, shift=gathering, member=site.members[4])
    page = staff.get(week_url(site)).content.decode()
    assert "3 人（需 2–3 人）" in page and "3/2" not in page
    assert "1 人（最多 40 人）" in page  # a shift nobody must staff has no "needs 0–40"


def test_visit_shifts_show_the_household_to_their_own_staff_only(client, site):
    visiting = factories.duty("visiting", name="探访", name_en="Home visit")
    target = factories.visit_target(site.community, household="谢家（和平街1号）", address="和平街1号3单元501")
    factories.shift(site.community, visiting, site.shifts[0].start + dt.timedelta(hours=1), min_staff=1,
                    max_staff=1, visit_target=target, name="探访谢家（和平街1号）", location="和平街")
    site.roster()
    client.force_login(site.secretary)
    page = client.get(week_url(site)).content.decode()
    assert "探访谢家（和平街1号）" in page and "和平街1号3单元501" not in page
    admin = factories.district_admin()
    client.force_login(admin)
    page = client.get(week_url(site)).content.decode()
    assert "谢家" not in page  # a district administrator is not this community's staff


def test_solve_progress_speaks_plainly(staff, site):
    SolveRun.objects.create(community=site.community, week_start=site.week_start, status=SolveRun.Status.RUNNING,
                            objective=-48000, bound=-49640, elapsed=8.2, time_limit=20)
    page = staff.get(week_url(site)).content.decode()
    assert "已找到可用排班，正在继续优化（8/20 秒）" in page
    assert "-49640" not in page and "理论下限" not in page


def test_solve_progress_before_a_roster_is_found(staff, site):
    SolveRun.objects.create(community=site.community, week_start=site.week_start, status=SolveRun.Status.RUNNING,
                            elapsed=3, time_limit=20)
    assert "正在寻找可用排班（3/20 秒）" in staff.get(week_url(site)).content.decode()


def test_dashboard_summary_lists_short_shifts(site):
    summaries = community_summaries([site.community], [site.week_start])
    assert summaries[0].weeks[0].fill_rate is None  # no roster yet
    site.roster(pairs=[(site.shifts[0], site.members[0])])
    week = community_summaries([site.community], [site.week_start])[0].weeks[0]
    assert [missing for _shift, missing in week.short] == [1, 2, 1]
    assert week.state == "draft" and week.fill_rate == 1 / 5


# --------------------------------------------------------------------------- 谁能接？

@pytest.fixture
def crowd(db, week_start):
    return build_site(week_start, members=14)


def test_candidates_page_shows_the_best_ten_and_finds_anyone_by_name(client, crowd):
    mediation = next(s for s in crowd.shifts if s.duty.code == "mediation")
    roster = crowd.roster()
    client.force_login(crowd.secretary)
    url = reverse("shift_candidates", args=[roster.pk, mediation.pk])
    response = client.get(url)
    view = response.context["view"]
    assert view.total == 14 and len(view.shown) == BEST
    assert [c.ok for c in view.shown[:5]] == [True] * 5  # the five mediators keep every rule and come first
    outside = [c for c in view.ranked if c not in view.shown]
    wanted = outside[-1].member
    assert wanted.name not in response.content.decode()
    page = client.get(url, {"q": wanted.name}).content.decode()
    assert wanted.name in page and "技能" in page  # with why they cannot
    found = client.get(url, {"q": wanted.name}).context["view"].shown
    assert [c.member for c in found] == [wanted] and found[0].reason == "skill"
    assert len(client.get(url, {"q": "王"}).context["view"].shown) == 14  # a part of the name finds all


def test_candidate_view_directly(crowd):
    monday = crowd.shifts[0]
    roster = crowd.roster(pairs=[(monday, crowd.members[0])])
    view = candidate_view(roster=roster, shift=monday, query="  王一  ")
    assert view.staffed == 1 and view.query == "王一"
    assert crowd.members[0] not in [c.member for c in view.ranked]  # already on the shift
    assert {c.member.name for c in view.shown} == {"王一10"}
    assert candidate_view(roster=roster, shift=monday, query="王一0").found_on_shift == [crowd.members[0]]


def test_adding_a_searched_member_from_the_candidates_page(client, crowd):
    monday = crowd.shifts[0]
    roster = crowd.roster()
    client.force_login(crowd.secretary)
    member = crowd.members[13]
    page = client.get(reverse("shift_candidates", args=[roster.pk, monday.pk]), {"q": member.name}).content.decode()
    assert f'value="{member.pk}"' in page
    response = client.post(reverse("shift_add_member", args=[roster.pk, monday.pk]),
                           {"member": member.pk, "override_reason": "", "q": member.name})
    assert response.status_code == 302 and f"#shift-{monday.pk}" in response["Location"]
    assert Assignment.objects.filter(roster=roster, shift=monday, member=member).exists()


# --------------------------------------------------------------------------- fairness in hours

def test_fairness_is_in_hours_from_attendance_and_plans(staff, site):
    last = week_start_of(timezone.localdate())
    past = last - dt.timedelta(weeks=2)
    shifts_make_for_week(community=site.community, week_start=past)
    # Rostered shifts only: in the week of the 25th the study session (a gathering, not rostered) is among them.
    shifts = list(Shift.objects.filter(community=site.community, start__date__gte=past,
                                       start__date__lt=past + dt.timedelta(days=7))
                  .exclude(duty__code__in=settings.UNROSTERED_DUTIES).order_by("start"))
    factories.published_roster(site.community, past, {shifts[0]: [site.members[0], site.members[1]],
                                                      shifts[1]: [site.members[0]]}, by=site.secretary)
    # The book says member 0 came 90 of the 120 minutes (served); member 1 came for 20 minutes (not served).
    attendance_set(shift=shifts[0], member=site.members[0], check_in=shifts[0].start,
                   check_out=shifts[0].start + dt.timedelta(minutes=90))
    attendance_set(shift=shifts[0], member=site.members[1], check_in=shifts[0].start,
                   check_out=shifts[0].start + dt.timedelta(minutes=20))
    table = fairness_table(site.community, last)
    loads = {load.member: load for load in table.loads}
    assert loads[site.members[0]].hours == 3.5  # 1.5 h served + 2 h planned where no attendance was taken
    assert loads[site.members[0]].columns[-3] == (past, 3.5)
    assert loads[site.members[1]].hours == 0
    page = staff.get(reverse("fairness", args=[site.community.pk])).content.decode()
    assert "3.5" in page and "分钟" not in page and "小时" in page


# --------------------------------------------------------------------------- My shifts

def test_upcoming_assignments_carry_teammates_and_week(site):
    monday = site.shifts[0]
    site.roster(Roster.Status.PUBLISHED, pairs=[(monday, site.members[0]), (monday, site.members[1])])
    mine, absences = upcoming_assignments(site.members[0], now=monday.start - dt.timedelta(days=1))
    assert [a.shift for a in mine] == [monday] and absences == []
    assert mine[0].teammates == [site.members[1]] and mine[0].week_start == site.week_start

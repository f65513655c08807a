"""The demo's eight past weeks give the monthly report real figures in every section."""

import datetime as dt

import pytest

from shifts.demo import DemoSize, seed_demo
from shifts.reports.periods import Month
from shifts.reports.selectors import district_report
from volunteers.models import Community

pytestmark = pytest.mark.django_db


def test_every_section_of_the_demo_report_has_figures():
    # A fixed day in the past: the demo's weeks all end before the test runs, whatever the date.
    seed_demo(size=DemoSize(communities=2, members_min=25, members_max=25, households=4),
              today=dt.date(2026, 3, 11))
    district = Community.objects.values_list("district", flat=True).first()
    report = district_report(district=district, month=Month(2026, 2))
    total = report.figures.total
    assert total.active > 0 and total.served_members > 0
    assert 0 < total.study_present < total.study_expected  # most came to the study session, not all
    assert total.service_minutes > 0 and total.places_planned >= total.places_served > 0 and total.fill_rate
    assert sum(total.no_shows.values()) > 0
    assert sum(total.visited.values()) > 0 and total.visits_familiar > 0
    assert total.rounds_walked > 0 and total.notes_handed > 0 and sum(total.handed_by_tag.values()) > 0
    assert report.figures.member_minutes and report.figures.trend[-1].minutes == total.service_minutes
    assert len(report.table_rows) == 2
    assert {section.key for section in report.sections} == {"taking-part", "service", "care", "patrols",
                                                            "fairness", "communities"}

"""A hand-built month (November 2026) in two communities of one district, so every figure of the monthly report
has a value worked out by hand. Attendance goes through the attendance service, as the secretary's back-fill
writes it; no-show checks and patrol notes are rows as their services leave them."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from shifts.delivered.attendance import attendance_set
from shifts.models import NoShowCheck, PatrolLogEntry
from shifts.rostering.week_making import study_duty, study_session_make
from tests import factories as f
from tests.delivered.conftest import publish
from volunteers.models import VisitTarget

MONTH = "2026-11"


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def served(shift, *members) -> None:
    """Each member was there for the whole shift, as the secretary types it from the book."""
    for member in members:
        attendance_set(shift=shift, member=member, check_in=shift.start, check_out=shift.end)


@pytest.fixture
def month():
    """Community A (幸福里): four active members and one who left; community B (和平): one member.

    A, week of 11-02 (published): patrol P1 Mon 09–11 wants 2 (m1 served, m2 a no-show who forgot); a visit V1
    Tue 10–11 to a household living alone, by its usual visitor m3.
    A, week of 11-09 (published): patrol P2 Mon 09–11 wants 2 (m1 and m3 served); a visit V2 Tue 10–11 to a
    bedridden household by m2, who is not its usual visitor; patrol P3 Wed wants 2, nobody came.
    A, week of 11-16 (not published): patrol P4, only planned: not counted anywhere.
    A, 11-25: the study session, m1 and m2 came (4 active members expected).
    A, an empty-nest household nobody visited; m4 last served in August (idle three months).
    A, October: m1 served one patrol (the trend). B, 11-04: n1 served a patrol (wants 1).
    Patrol log on P2: one note tagged hazard and litter, handed to the grid worker; one tagged suspicious, not.
    """
    a = f.community(name="幸福里社区")
    b = f.community(name="和平社区")
    patrol = f.duty("patrol", name="巡逻")
    visiting = f.duty("visiting", name="探访")
    m1, m2, m3, m4 = (f.member(a, name=n) for n in ("王建国", "李秀英", "张志强", "赵桂兰"))
    f.member(a, name="钱已退", active=False)
    n1 = f.member(b, name="孙和平")
    alone = f.visit_target(a, household="周奶奶家", address="幸福里3号楼2单元501",
                           circumstances=VisitTarget.Circumstance.ALONE)
    alone.preferred_visitors.set([m3])
    bedridden = f.visit_target(a, household="吴爷爷家", address="幸福里5号楼101",
                               circumstances=VisitTarget.Circumstance.BEDRIDDEN)
    bedridden.preferred_visitors.set([m1])
    f.visit_target(a, household="郑阿姨家", address="幸福里7号楼302", circumstances=VisitTarget.Circumstance.EMPTY_NEST)

    p1 = f.shift(a, patrol, at(dt.date(2026, 11, 2), 9), min_staff=2)
    v1 = f.shift(a, visiting, at(dt.date(2026, 11, 3), 10), minutes=60, min_staff=1, visit_target=alone)
    p2 = f.shift(a, patrol, at(dt.date(2026, 11, 9), 9), min_staff=2)
    v2 = f.shift(a, visiting, at(dt.date(2026, 11, 10), 10), minutes=60, min_staff=1, visit_target=bedridden)
    p3 = f.shift(a, patrol, at(dt.date(2026, 11, 11), 9), min_staff=2)
    p4 = f.shift(a, patrol, at(dt.date(2026, 11, 16), 9), min_staff=2)
    b1 = f.shift(b, patrol, at(dt.date(2026, 11, 4), 9), min_staff=1)
    october = f.shift(a, patrol, at(dt.date(2026, 10, 12), 9), min_staff=1)
    august = f.shift(a, patrol, at(dt.date(2026, 8, 17), 9), min_staff=1)
    publish((p1, m1), (p1, m2), (v1, m3), (p2, m1), (p2, m3), (v2, m2), (b1, n1), (october, m1), (august, m4))
    served(p1, m1)
    served(v1, m3)
    served(p2, m1, m3)
    served(v2, m2)
    served(b1, n1)
    served(october, m1)
    served(august, m4)
    NoShowCheck.objects.create(shift=p1, member=m2, outcome=NoShowCheck.Outcome.FORGOT)
    session, _created = study_session_make(community=a, day=dt.date(2026, 11, 25))
    served(session, m1, m2)
    PatrolLogEntry.objects.create(community=a, shift=p2, author=m1, note="楼道灯不亮", tags=["hazard", "litter"],
                                  handed_over_at=p2.end)
    PatrolLogEntry.objects.create(community=a, shift=p2, author=m3, note="有陌生人", tags=["suspicious"])
    return SimpleNamespace(a=a, b=b, m1=m1, m2=m2, m3=m3, m4=m4, n1=n1, p3=p3, p4=p4, session=session,
                           study=study_duty(), households=(alone, bedridden))

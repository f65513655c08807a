"""The no-show check on the deployed service: nobody checks in, the scheduled check puts them on 需要联系."""

import datetime as dt
import re

import pytest

from .no_show import ZONE, last_quarter, schedule_due, shift_start_move, this_monday, unstarted_shift

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

CHECK_DEADLINE = 150  # django-q2's scheduler looks every 30 s; a busy machine adds to that


def _called(secretary) -> set[str]:
    section = re.search(r'<section class="card alert" aria-labelledby="needs-contact">(.*?)</section>',
                        secretary.get("/dashboard/").html, flags=re.S)
    return set(re.findall(r"<strong>([^<]+)</strong>", section.group(1))) if section else set()


def test_members_who_do_not_check_in_are_put_on_the_call_list(deployment, secretary, admin):
    now = dt.datetime.now(ZONE)
    shift_id, people = unstarted_shift(secretary, this_monday(now))
    if shift_id is None:
        pytest.skip("every shift of this week with people on it has begun (late on Sunday)")
    assert not _called(secretary) & people
    start = last_quarter(now)
    shift_start_move(admin, shift_id, start, start + dt.timedelta(hours=2))
    schedule_due(admin, "yure.welfare_ladder", now)

    deployment.wait_until(lambda: _called(secretary) >= people, CHECK_DEADLINE,
                          f"the no-show check to list the shift's people ({', '.join(sorted(people))})",
                          interval=3, detail=lambda: f"listed: {_called(secretary)}")

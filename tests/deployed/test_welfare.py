"""The no-show check on the deployed service: nobody checks in, the scheduled check puts them on 需要联系.

Arranged by the conftest when the deployment starts (tests/deployed/no_show.py); this file runs last.
"""

import datetime as dt
import re

import pytest

from .no_show import AFTER, ZONE

pytestmark = [pytest.mark.real_queue, pytest.mark.slow]

CHECK_DEADLINE = 150  # after the check is due: django-q2's scheduler looks every 30 s, a busy machine adds


def test_members_who_do_not_check_in_are_put_on_the_call_list(deployment, secretary, no_show):
    if no_show.start is None:
        pytest.skip(no_show.reason)

    def called():
        section = re.search(r'<section class="card alert" aria-labelledby="needs-contact">(.*?)</section>',
                            secretary.get("/dashboard/").html, flags=re.S)
        return section and {name for name in no_show.people if f"<strong>{name}</strong>" in section.group(1)}

    due = (no_show.start + AFTER - dt.datetime.now(ZONE)).total_seconds()
    flagged = deployment.wait_until(called, max(due, 0) + CHECK_DEADLINE, "the no-show check to list the moved "
                                    f"shift's people ({', '.join(no_show.people)})", interval=5)
    assert flagged <= no_show.people
    assert not called() - no_show.people

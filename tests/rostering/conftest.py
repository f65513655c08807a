"""Fixtures for the roster lifecycle: tasks run synchronously through django-q2's real worker code path."""

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories as f


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run a callable and then the on_commit callbacks it registered (and those they register)."""

    def call(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(*args, **kwargs)
        return result

    return call


@pytest.fixture
def town(week_start):
    """A small community: a daily patrol (2 people, one first-aider as lead) and a mediation shift."""
    community = f.community(name="幸福里")
    patrol = f.duty("patrol", lead_skill="first_aid")
    mediation = f.duty("mediation", required_skills=("mediation",))
    templates = [f.template(community, patrol, day, start=dt.time(9, 0), end=dt.time(11, 0), min_staff=2,
                            max_staff=2) for day in range(5)]
    templates.append(f.template(community, mediation, 2, start=dt.time(14, 0), end=dt.time(16, 0), min_staff=1,
                                max_staff=1))
    members = [f.member(community, name=f"队员{i}", email=f"m{i}@example.org",
                        skills=("first_aid",) if i < 3 else (("mediation",) if i == 3 else ()),
                        max_shifts_per_week=3) for i in range(8)]
    secretary = f.secretary(community)
    secretary.email = "sec@example.org"
    secretary.save()
    return {"community": community, "members": members, "templates": templates, "secretary": secretary,
            "week_start": week_start, "patrol": patrol, "mediation": mediation}


def aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))

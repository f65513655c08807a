"""scripts/demo.sh prints only links its logins can open (issue 25): no Django admin, and the 操作记录 page opens
for a demo secretary and the district administrator."""

import re
from pathlib import Path

import pytest

from tests import factories

DEMO = Path(__file__).resolve().parents[2] / "scripts" / "demo.sh"


def _printed_paths() -> list[str]:
    printed = [line for line in DEMO.read_text().splitlines() if line.strip().startswith("echo")]
    return [path or "/" for line in printed for path in re.findall(r"http://127\.0\.0\.1:\$\{PORT\}(/[^\s)\"]*)", line)]


def test_demo_prints_no_admin_link():
    paths = _printed_paths()
    assert "/audit/" in paths
    assert not [p for p in paths if p.startswith("/admin")]


@pytest.mark.django_db
def test_every_printed_link_opens_for_the_demo_logins(client):
    community = factories.community(name="幸福里社区")
    for login in (factories.secretary(community, username="secretary1"), factories.district_admin("district")):
        client.force_login(login)
        for path in _printed_paths():
            assert client.get(path, follow=True).status_code == 200, (login, path)

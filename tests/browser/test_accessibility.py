"""axe-core on every staff and member page, at phone and desktop widths, in Chinese and English.

Fails on any serious or critical violation. The page list comes from the URLconf (tests/browser/pages.py), so a
new page is checked without editing this file. One browser and one page per combination, reused for every URL."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .conftest import DESK, PHONE, requires_chromium
from .pages import html_pages, seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}
MUST_COVER = {"dashboard", "roster_week", "roster_publish", "member_list", "member_edit", "my_shifts", "my_data",
              "absence_period", "swap_home", "cant_come", "hours_ledger", "calendar", "login",
              "certificate_verify", "certificate_print", "feeds:mine", "reports:community", "reports:district"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["375px", "1280px"])
def test_no_serious_or_critical_axe_violation_on_any_page(server, browser, viewport, language):
    seeded = seeded_site()
    if language == "en":
        seeded.member.language = "en"  # the member's stored language decides their pages
        seeded.member.save(update_fields=["language"])
    pages = html_pages(seeded)
    assert MUST_COVER <= {name for name, _path, _role in pages}, sorted(name for name, _p, _r in pages)
    axe, problems = Axe(), []
    for role in ("secretary", "district", "member"):
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.add_cookies(session_cookies(seeded, role, server.url, language))
        page = context.new_page()
        for name, path, page_role in pages:
            if page_role != role:
                continue
            page.goto(server.url + path)
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [node["target"] for node in violation["nodes"]][:3]
                    problems.append(f"{name} {path}: {violation['id']} ({violation['impact']}) "
                                    f"{violation['help']} at {targets}")
        context.close()
    assert not problems, "\n".join(problems)

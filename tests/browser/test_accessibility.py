"""axe-core on every staff and member page, at phone and desktop widths, in Chinese and English.

Fails on any serious or critical violation. The page list comes from the URLconf (tests/browser/pages.py), so a
new page is checked without editing this file. One browser and one page per combination, reused for every URL."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from scheduler_site.middleware import TEXT_SIZE_COOKIE

from .conftest import DESK, PHONE, requires_chromium
from .pages import confirmation_waiting, html_pages, seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}
MUST_COVER = {"dashboard", "roster_week", "roster_publish", "member_list", "member_edit", "my_shifts", "my_data",
              "absence_period", "swap_home", "cant_come", "hours_ledger", "calendar", "login",
              "certificate_verify", "certificate_print", "feeds:mine", "reports:community", "reports:district",
              "member_home"}


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


def _blocking(results, name, path) -> list[str]:
    return [f"{name} {path}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in BLOCKING]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_axe_violation_on_member_pages_in_elder_mode(server, browser, settings, language):
    """长辈模式 at 375 x 740 (issue #27): every member page, with a notice and the week's confirmation waiting, and the
    confirmation page the text message links to; the read-aloud controls are shown, as a phone with scripts shows
    them."""
    seeded = seeded_site()
    seeded.member.language = language
    seeded.member.save(update_fields=["language"])
    confirm_path = confirmation_waiting(seeded, settings)
    pages = [(name, path) for name, path, role in html_pages(seeded) if role == "member"]
    pages.append(("confirm_link", confirm_path))
    axe, problems = Axe(), []
    context = browser.new_context(viewport={"width": 375, "height": 740}, bypass_csp=True)
    context.add_cookies(session_cookies(seeded, "member", server.url, language)
                        + [{"name": TEXT_SIZE_COOKIE, "value": "xlarge", "url": server.url}])
    page = context.new_page()
    for name, path in pages:
        page.goto(server.url + path)
        assert page.locator("html.elder").count() == 1, name
        problems += _blocking(axe.run(page), name, path)
    context.close()
    assert not problems, "\n".join(problems)

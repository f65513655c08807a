"""The report in a real browser at 375 and 1280 px: axe finds nothing serious, the charts fit the phone's width,
and the print layout is A4 without the navigation. Screenshots go to test-artifacts/ for a person to look at."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from tests import factories as f
from tests.reports.conftest import MONTH, month  # noqa: F401, F811 (fixture: the hand-built month)

from .conftest import DESK, PHONE, requires_chromium, shot
from .pages import Seeded, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("viewport", [PHONE, DESK], ids=["375px", "1280px"])
def test_the_report_is_accessible_and_fits(server, browser, month, viewport, language):  # noqa: F811
    seeded = Seeded(month.a, None, f.secretary(month.a), f.district_admin(), month.m1, {})
    pages = [("secretary", reverse("reports:community", args=[month.a.pk, MONTH])),
             ("district", reverse("reports:district", args=["示范街道", MONTH]))]
    axe, problems = Axe(), []
    for role, path in pages:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.add_cookies(session_cookies(seeded, role, server.url, language))
        page = context.new_page()
        page.goto(server.url + path)
        assert page.locator("svg.chart").count() >= 9
        for violation in axe.run(page).response["violations"]:
            if violation["impact"] in {"serious", "critical"}:
                problems.append(f"{role} {violation['id']}: {violation['help']} "
                                f"{[n['target'] for n in violation['nodes']][:3]}")
        # Every chart fits the screen: no sideways scrolling to read one (wide tables scroll in their own box).
        widest = page.evaluate("Math.max(...[...document.querySelectorAll('svg.chart')]"
                               ".map(s => s.getBoundingClientRect().right))")
        assert widest <= viewport["width"], f"{role}: a chart reaches {widest}px"
        shot(page, f"report-{role}-{viewport['width']}-{language}")
        page.emulate_media(media="print")
        assert page.locator(".report-bar").is_hidden() and page.locator(".site-header").is_hidden()
        context.close()
    assert not problems, "\n".join(problems)

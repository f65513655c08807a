"""axe-core on every staff and member page, at phone and desktop widths, in Chinese and English, and on every
member page in 长辈模式 in both languages.

Fails on any serious or critical violation. The page list comes from the URLconf (tests/browser/pages.py), so a
new page is checked without editing this file. One test walks every mode over one seeded site (as six tests, each
built the site and listed its pages again, 2-3 s each on the idle machine, and paid its own set-up and flush);
every page is still checked once per mode, in a fresh browser context per role and mode, and every mode's findings
are reported together, each naming its mode."""

import pytest

from scheduler_site.middleware import TEXT_SIZE_COOKIE

from .axe_core import PreloadedAxe
from .conftest import DESK, PHONE, requires_chromium
from .pages import confirmation_waiting, html_pages, seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
BLOCKING = {"serious", "critical"}
MUST_COVER = {"dashboard", "roster_week", "roster_publish", "member_list", "member_edit", "my_shifts", "my_data",
              "absence_period", "swap_home", "cant_come", "hours_ledger", "calendar", "login",
              "certificate_verify", "certificate_print", "feeds:mine", "reports:community", "reports:district",
              "member_home"}
LANGUAGES = ("zh-hans", "en")
WIDTHS = (("375px", PHONE), ("1280px", DESK))
ELDER = {"width": 375, "height": 740}


def _blocking(results, name, path) -> list[str]:
    return [f"{name} {path}: {v['id']} ({v['impact']}) {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in BLOCKING]


def _sweep(axe, browser, cookies, viewport, pages, mode, check=None) -> list[str]:
    """axe-core on each (name, path) in one fresh context; findings prefixed with the mode."""
    context = axe.context(browser, viewport=viewport, bypass_csp=True)
    context.add_cookies(cookies)
    page, problems = context.new_page(), []
    for name, path in pages:
        page.goto(path)
        if check:
            check(page, name)
        problems += [f"[{mode}] {problem}" for problem in _blocking(axe.run(page), name, path)]
    context.close()
    return problems


def _member_language(seeded, language: str) -> None:
    seeded.member.language = language  # the member's stored language decides their pages
    seeded.member.save(update_fields=["language"])


def test_no_serious_or_critical_axe_violation_on_any_page_in_any_mode(server, browser, settings):
    seeded = seeded_site()
    built_language, axe, problems = seeded.member.language, PreloadedAxe(), []
    # Every page at 375 and 1280 px in both languages, as the secretary, the district administrator or the member
    # (in Chinese the member keeps the language the site was built with; in English it is theirs too).
    for language in LANGUAGES:
        _member_language(seeded, built_language if language == "zh-hans" else "en")
        pages = html_pages(seeded)
        assert MUST_COVER <= {name for name, _path, _role in pages}, sorted(name for name, _p, _r in pages)
        for role in ("secretary", "district", "member"):
            cookies = session_cookies(seeded, role, server.url, language)
            walk = [(name, server.url + path) for name, path, page_role in pages if page_role == role]
            for width, viewport in WIDTHS:
                problems += _sweep(axe, browser, cookies, viewport, walk, f"{width} {language} {role}")

    # 长辈模式 at 375 x 740 (issue #27): every member page, with a notice and the week's confirmation waiting, and
    # the confirmation page the text message links to; the read-aloud controls are shown, as a phone with scripts
    # shows them.
    confirm_path = confirmation_waiting(seeded, settings)

    def elder(page, name):
        assert page.locator("html.elder").count() == 1, name

    for language in LANGUAGES:
        _member_language(seeded, language)
        pages = [(name, server.url + path) for name, path, role in html_pages(seeded) if role == "member"]
        pages.append(("confirm_link", server.url + confirm_path))
        cookies = (session_cookies(seeded, "member", server.url, language)
                   + [{"name": TEXT_SIZE_COOKIE, "value": "xlarge", "url": server.url}])
        problems += _sweep(axe, browser, cookies, ELDER, pages, f"elder 375px {language}", check=elder)
    assert not problems, "\n".join(problems)

"""In a real browser: member A offers a shift, member B takes it on a 375 px phone screen, the secretary
approves, and both members' calendar feeds show the change."""

import os
import shutil

import pytest
from django.test import Client
from icalendar import Calendar

from shifts.feeds.tokens import member_token
from shifts.models import Assignment, Roster, SwapRequest
from shifts.rostering.rosters import roster_publish
from tests import factories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium is not installed"),
]


@pytest.fixture
def site(live_server, settings):
    """The live server, speaking plain HTTP. It is started once per session, before function-level settings
    apply, and its handlers keep the middleware they were built with; so serve this test through handlers
    built after the override, and put the old ones back afterwards."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.testcases import _MediaFilesHandler

    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_HSTS_SECONDS = 0
    server = live_server.thread.httpd
    original = server.get_app()
    server.set_app(StaticFilesHandler(_MediaFilesHandler(WSGIHandler())))
    yield live_server
    server.set_app(original)


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes between page
    # steps are ordinary synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _log_in(browser, live_server, username, **context):
    context = browser.new_context(locale="en-US", extra_http_headers={"Accept-Language": "en"}, **context)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    return page


def _feed_events(member) -> dict[str, str]:
    """The member's feed, as {event summary: status}, fetched like a calendar app would."""
    response = Client().get(f"/feeds/{member_token(member)}.ics")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    calendar = Calendar.from_ical(body)
    return {str(e.get("uid")): str(e.get("status")) for e in calendar.walk("VEVENT")}


@pytest.mark.django_db(transaction=True)
def test_offer_accept_on_a_phone_approve_and_feeds_follow(world, site, browser):
    live_server = site
    giver, taker = world.members["王秀英"], world.members["张桂兰"]
    for person in (giver, taker):
        person.user = factories.user(f"m{person.pk}", password=PASSWORD)
        person.save()
    # Publish through the lifecycle service so feeds know the week's staffing before the swap.
    Roster.objects.filter(pk=world.roster.pk).update(status=Roster.Status.DRAFT)
    world.roster.refresh_from_db()
    roster_publish(roster=world.roster, by=world.secretary)
    world.roster.refresh_from_db()
    assert world.roster.status == Roster.Status.PUBLISHED
    shift = world.shifts["tue"]
    before_giver, before_taker = _feed_events(giver), _feed_events(taker)
    uid = next(u for u, status in before_giver.items() if status == "CONFIRMED")
    assert uid not in before_taker

    page = _log_in(browser, live_server, giver.user.username)
    page.goto(f"{live_server.url}/swaps/")
    page.click(f"#assignment-{world.holder('tue', '王秀英').pk} a")
    page.click("text=Offer to anyone eligible")
    page.check("input[name=expires][value='120']")
    page.fill("textarea[name=note]", "家里有事，谢谢！")
    with page.expect_navigation():
        page.click("text=Send the request")
    assert "Your request has been sent." in page.content()
    swap = SwapRequest.objects.get()

    phone = _log_in(browser, live_server, taker.user.username, viewport={"width": 375, "height": 740},
                    is_mobile=True, has_touch=True, device_scale_factor=2)
    phone.goto(f"{live_server.url}/swaps/")
    offer = phone.locator(f"#offer-{swap.pk}")
    assert "家里有事" in offer.inner_text()
    button = offer.locator("button[name=accept]")
    box = button.bounding_box()
    assert box["height"] >= 44 and box["x"] + box["width"] <= 375  # a finger-sized target, on screen
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    with phone.expect_navigation():
        button.tap()
    assert "The secretary will confirm the swap" in phone.content()
    swap.refresh_from_db()
    assert swap.state == SwapRequest.State.ACCEPTED

    world.secretary.set_password(PASSWORD)
    world.secretary.save()
    desk = _log_in(browser, live_server, world.secretary.username)
    desk.goto(f"{live_server.url}/swaps/inbox/")
    desk.fill(f"#note-{swap.pk}", "同意")
    with desk.expect_navigation():
        desk.click(f"#swap-{swap.pk} button:has-text('Approve')")
    assert "Approved" in desk.content()
    assert f"history-{swap.pk}" in desk.content()

    swap.refresh_from_db()
    assert swap.state == SwapRequest.State.APPLIED
    assert set(Assignment.objects.filter(roster=world.roster, shift=shift).values_list("member", flat=True)) \
        == {taker.pk}
    after_giver, after_taker = _feed_events(giver), _feed_events(taker)
    assert after_taker.get(uid) == "CONFIRMED"
    assert after_giver.get(uid) == "CANCELLED"  # kept a while as cancelled, so calendars drop it

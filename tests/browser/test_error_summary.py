"""After a failed submit the errors are where the eye is: a summary at the top of the form, focused, linking to
the field (issue #13: a cover request with nobody ticked was 4,650 px down on a phone; an override without a
reason 7,450 px down on a desktop)."""

import datetime as dt

import pytest
from django.utils import timezone

from shifts.models import Assignment, Roster
from shifts.rostering.absences import absence_report

from .conftest import DESK, PHONE, requires_chromium
from .pages import seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]


def focused_summary(page):
    """The focused element is the summary, scrolled into the window, and nothing of its form comes before it."""
    state = page.evaluate("""() => {
      const summary = document.querySelector("[data-error-summary]");
      return {focused: document.activeElement === summary, top: summary.getBoundingClientRect().top,
              height: window.innerHeight, text: summary.innerText,
              first: [...summary.closest("form").querySelectorAll("input:not([type=hidden]), select, textarea, button")]
                       .every(field => summary.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING),
              links: [...summary.querySelectorAll("a")].map(a => a.getAttribute("href"))};
    }""")
    assert state["focused"], "the error summary does not have the focus"
    assert 0 <= state["top"] < state["height"] - 100, f"the summary is at {state['top']}px, out of sight"
    assert state["first"], "a field of the form comes before its error summary"
    return state


def test_a_cover_request_with_nobody_ticked_shows_the_summary_on_top_with_focus(server, browser):
    seeded = seeded_site()
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(session_cookies(seeded, "member", server.url, "zh-hans"))
    page = context.new_page()
    page.goto(f"{server.url}/swaps/new/{seeded.values['assignment_id']}/?kind=cover")
    page.click("main form[method=post] button[type=submit]")  # not the name search above it
    page.wait_for_selector("[data-error-summary]")
    state = focused_summary(page)
    assert state["links"] and state["links"][0].startswith("#id_invited")
    # The link takes the elder to the first box to tick.
    page.click("[data-error-summary] a")
    assert page.evaluate("document.activeElement.id").startswith("id_invited")
    assert page.get_attribute("#id_invited_0", "aria-invalid") == "true"
    context.close()


def test_an_override_without_a_reason_shows_the_summary_on_top_with_focus(server, browser):
    seeded = seeded_site()
    draft = Roster.objects.get(community=seeded.community, week_start=seeded.week_start,
                               status=Roster.Status.DRAFT)
    booked = Assignment.objects.filter(roster=draft).order_by("shift__start").first().member
    start = timezone.make_aware(dt.datetime.combine(seeded.week_start, dt.time(0, 0)))
    absence_report(member=booked, start=start, end=start + dt.timedelta(days=7), reason="travel")
    context = browser.new_context(viewport=DESK)
    context.add_cookies(session_cookies(seeded, "secretary", server.url, "zh-hans"))
    page = context.new_page()
    page.goto(f"{server.url}/communities/{seeded.community.pk}/weeks/{seeded.week_start.isoformat()}/publish/")
    page.click("#conflicts details summary")
    page.click("#conflicts details form button[type=submit]")
    page.wait_for_selector("[data-error-summary]")
    state = focused_summary(page)
    assert state["links"] == ["#override_reason"]
    assert Roster.objects.get(pk=draft.pk).status == Roster.Status.DRAFT
    context.close()

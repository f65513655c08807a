"""读给我听 (issue #27): the read-aloud buttons on My shifts, each notice, the week's confirmation (card and no-login
page) and the simplified home hand the visible text to the browser's speech synthesis, in Mandarin with a zh-CN
voice when the phone has one; a browser without voices, or without speech synthesis, shows a plain message.

Chromium here has no voices, so a fake `speechSynthesis` (and utterance, which only takes a real voice object) is
put in place before the page's own scripts run; it records what speak() was given."""

import json

import pytest

from scheduler_site.middleware import TEXT_SIZE_COOKIE

from .conftest import PHONE, requires_chromium
from .pages import confirmation_waiting, seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]

FAKE_SPEECH = """(voices) => {
  window.__spoken = [];
  window.SpeechSynthesisUtterance = function (text) { this.text = text; };
  const synth = {
    speaking: false,
    getVoices() { return voices; },
    speak(utterance) {
      const voice = utterance.voice && utterance.voice.name;
      window.__spoken.push({text: utterance.text, lang: utterance.lang, voice: voice});
    },
    cancel() {},
    addEventListener() {},
  };
  Object.defineProperty(window, "speechSynthesis", {value: voices === null ? undefined : synth, configurable: true});
}"""
VOICES = [{"name": "English", "lang": "en-US"}, {"name": "Cantonese", "lang": "zh-HK"},
          {"name": "Mandarin", "lang": "zh-CN"}]
NO_VOICE_MESSAGE = "这部手机不能朗读。请家人读给您听，或给书记打电话。"


def _member_page(browser, server, seeded, voices, text_size="standard"):
    context = browser.new_context(viewport=PHONE)
    context.add_cookies(session_cookies(seeded, "member", server.url, "zh-hans")
                        + [{"name": TEXT_SIZE_COOKIE, "value": text_size, "url": server.url}])
    # add_init_script takes a script, not a function: call the fake with the voices as a JSON literal.
    context.add_init_script(f"({FAKE_SPEECH})({json.dumps(voices)});")
    return context, context.new_page()


def _spoken(page):
    return page.evaluate("window.__spoken")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_read_aloud_speaks_the_visible_text_in_mandarin(server, browser, settings):
    seeded = seeded_site()
    confirm_path = confirmation_waiting(seeded, settings)
    context, page = _member_page(browser, server, seeded, VOICES)

    page.goto(server.url + "/me/")
    page.click("main > .read-aloud button")
    [whole] = _spoken(page)
    assert whole["lang"] == "zh-CN" and whole["voice"] == "Mandarin"
    spoken = _lines(whole["text"])
    # What a sighted member sees: the heading, every shift's time, the notice and the week's question ...
    for selector in ("main h1", ".shift-when", ".notices .notice", "#confirm-title"):
        for element in page.locator(selector).all():
            assert element.inner_text().strip() in spoken, (selector, spoken)
    # ... and neither the buttons' own labels nor the calendar subscription's instructions.
    assert "读给我听" not in whole["text"]
    assert page.locator("[data-read-aloud-skip]").inner_text().splitlines()[0] not in whole["text"]

    # Each notice on its own: exactly its text.
    notice = page.locator(".notices li").first
    notice.locator(".read-aloud button").click()
    assert _spoken(page)[-1]["text"] == notice.locator(".notice").inner_text().strip()

    # The week's confirmation card: the question and the two answers shown under it (能来 answers at once; 我来不了
    # opens the page that asks why).
    page.locator("#confirm .read-aloud button").click()
    shown = [page.locator("#confirm h2").inner_text().strip()]
    answers = page.locator("#confirm button[name=answer], #confirm a.button").all()
    shown += [answer.inner_text().strip() for answer in answers]
    assert _lines(_spoken(page)[-1]["text"]) == shown and "能来，确认" in shown

    # The week confirmation page the text message links to.
    page.goto(server.url + confirm_path)
    page.click(".read-aloud button")
    spoken = _spoken(page)[-1]["text"]
    assert page.locator("main h1").inner_text().strip() in spoken
    assert page.locator("main p.large").inner_text().strip() in spoken
    context.close()


def test_the_simplified_home_reads_the_next_shift_in_words(server, browser, settings):
    seeded = seeded_site()
    context, page = _member_page(browser, server, seeded, VOICES, text_size="xlarge")
    page.goto(server.url + "/")
    page.wait_for_url("**/me/home/")
    page.click(".next-shift .read-aloud button")
    [spoken] = _spoken(page)
    assert _lines(spoken["text"]) == ["您的下一次值班", page.locator(".next-shift .shift-when").inner_text().strip()]
    context.close()


@pytest.mark.parametrize("voices", [[], None], ids=["no-voices", "no-speech-synthesis"])
def test_a_browser_that_cannot_speak_gets_a_plain_message(server, browser, voices):
    seeded = seeded_site()
    context, page = _member_page(browser, server, seeded, voices)
    page.goto(server.url + "/me/")
    status = page.locator("main > .read-aloud [role=status]")
    assert status.inner_text() == ""
    page.click("main > .read-aloud button")
    assert status.inner_text() == NO_VOICE_MESSAGE
    if voices is not None:
        assert _spoken(page) == []
    context.close()


def test_without_scripts_no_read_aloud_button_shows(server, browser):
    seeded = seeded_site()
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    context.add_cookies(session_cookies(seeded, "member", server.url, "zh-hans"))
    page = context.new_page()
    page.goto(server.url + "/me/")
    assert page.locator(".read-aloud").count() >= 1 and not page.locator(".read-aloud").first.is_visible()
    context.close()

"""Every visible control and text on every page meets the age-friendly sizes (MIIT 2021, issue #13).

Controls (buttons, links that stand alone, inputs, selects, text areas, summaries) are at least 44 px tall, text
is at least 18 px, checkboxes and radios at least 24 px, and no page scrolls sideways, also at 375 px with the
extra-large text. A link inside a sentence is exempt (it is text, and WCAG 2.5.8 exempts inline targets).
Printouts are measured for their controls only: their text is sized in points for paper. The page list comes
from the URLconf (tests/browser/pages.py)."""

import pytest

from scheduler_site.middleware import TEXT_SIZE_COOKIE

from .conftest import DESK, PHONE, requires_chromium
from .pages import html_pages, seeded_site, session_cookies

pytestmark = [pytest.mark.browser, requires_chromium, pytest.mark.django_db(transaction=True)]
CONTROL_MIN, TEXT_MIN, BOX_MIN = 44, 18, 24

# Returns [kind, selector, measured] for every element below the sizes.
MEASURE = """([controlMin, textMin, boxMin]) => {
  const out = [];
  const selectorOf = (el) => {
    const parts = [];
    for (let node = el; node && node.nodeType === 1 && parts.length < 4; node = node.parentElement) {
      let part = node.tagName.toLowerCase();
      if (node.id) { parts.unshift(part + "#" + node.id); break; }
      if (node.classList.length) part += "." + [...node.classList].join(".");
      const same = node.parentElement ? [...node.parentElement.children].filter(c => c.tagName === node.tagName) : [];
      if (same.length > 1) part += `:nth-of-type(${same.indexOf(node) + 1})`;
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const visible = (el) => {
    const rect = el.getBoundingClientRect();
    if (rect.width < 2 || rect.height < 2) return false;
    if (rect.right < 0 || rect.bottom < 0) return false;  // parked off-screen (the skip link until focused)
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none" || style.opacity === "0") return false;
    if (el.closest(".visually-hidden, [hidden], details:not([open]) > :not(summary)")) return false;
    return true;
  };
  const inSentence = (link) => {
    const block = link.parentElement.closest("p, li, td, th, dd, dt, div, span, label, h1, h2, h3, legend");
    if (!block) return false;
    const own = link.innerText.trim().length, around = block.innerText.trim().length;
    return around > own + 2;
  };
  const controls = "button, a.button, [role=button], select, textarea, summary, a[href], "
    + "input:not([type=hidden]):not([type=checkbox]):not([type=radio])";
  for (const el of document.querySelectorAll(controls)) {
    if (!visible(el)) continue;
    if (el.matches("a[href]:not(.button)") && inSentence(el)) continue;
    const height = el.getBoundingClientRect().height;
    if (height < controlMin - 0.5) out.push(["control under 44px", selectorOf(el), Math.round(height * 10) / 10]);
  }
  for (const el of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
    if (!visible(el)) continue;
    const rect = el.getBoundingClientRect();
    if (Math.min(rect.width, rect.height) < boxMin - 0.5)
      out.push(["checkbox/radio under 24px", selectorOf(el), Math.round(Math.min(rect.width, rect.height) * 10) / 10]);
  }
  for (const el of document.body.querySelectorAll("*")) {
    if (el.closest(".printout main, svg, script, style")) continue;
    const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!ownText || !visible(el)) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < textMin - 0.05) out.push(["text under 18px", selectorOf(el), size]);
  }
  const wide = document.documentElement.scrollWidth;
  if (wide > window.innerWidth) out.push(["page scrolls sideways", "html", wide]);
  return out;
}"""


@pytest.mark.parametrize(("viewport", "text_size", "language"),
                         [(PHONE, "standard", "zh-hans"), (DESK, "standard", "zh-hans"), (PHONE, "xlarge", "zh-hans"),
                          (PHONE, "standard", "en")],
                         ids=["375px", "1280px", "375px-extra-large-text", "375px-en"])
def test_every_control_and_text_is_large_enough(server, browser, viewport, text_size, language):
    seeded = seeded_site()
    seeded.member.language = language
    seeded.member.save(update_fields=["language"])
    pages = html_pages(seeded)
    problems = []
    for role in ("secretary", "district", "member"):
        context = browser.new_context(viewport=viewport)
        context.add_cookies(session_cookies(seeded, role, server.url, language)
                            + [{"name": TEXT_SIZE_COOKIE, "value": text_size, "url": server.url}])
        page = context.new_page()
        for name, path, page_role in pages:
            if page_role != role:
                continue
            page.goto(server.url + path)
            for kind, selector, measured in page.evaluate(MEASURE, [CONTROL_MIN, TEXT_MIN, BOX_MIN]):
                problems.append(f"{name} {path}: {kind}: {selector} ({measured}px)")
        context.close()
    assert not problems, f"{len(problems)} elements too small:\n" + "\n".join(problems)

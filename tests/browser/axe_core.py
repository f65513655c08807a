"""axe-core loaded once per Playwright context instead of once per page.

axe_playwright_python's `Axe.run` evaluates the 570 KB axe.min.js in the page before every check: about 0.1 s a
page on the idle two-core machine, a fifth of a page sweep. `PreloadedAxe.context` registers the same script as
the context's init script, so Chromium compiles it once and each page has `axe` from its first line; `run` then
only calls `axe.run`, with the same options. A page that has no `axe` (one loaded before the context was made)
gets it injected as before, so every page is still checked with the same axe-core."""

from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe


class PreloadedAxe(Axe):
    def context(self, browser, **options):
        """A new browser context (Playwright's new_context options) whose pages load axe-core themselves."""
        context = browser.new_context(**options)
        context.add_init_script(self.axe_script)
        return context

    def run(self, page, context=None, options=DEFAULT_OPTIONS) -> AxeResults:
        if not page.evaluate("typeof window.axe !== 'undefined' && typeof window.axe.run === 'function'"):
            return super().run(page, context, options)
        arguments = self._format_script_args(context=context, options=options)
        return AxeResults(page.evaluate(f"axe.run({arguments}).then(results => {{return results;}})"))

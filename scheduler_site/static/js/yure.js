// Small behaviours that CSP keeps out of the templates: no inline scripts.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
// After a failed submit the page shows an error summary at the top of the form: bring it into view and move focus
// there, so a screen reader reads it and nobody has to hunt for an error thousands of pixels down.
(function () {
  "use strict";
  function focusSummary(root) {
    var summary = (root || document).querySelector("[data-error-summary]");
    if (summary) {
      summary.scrollIntoView({block: "start"});
      summary.focus({preventScroll: true});
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusSummary(document); });
  } else {
    focusSummary(document);
  }
  // htmx swaps a form back in with its errors.
  document.addEventListener("htmx:afterSwap", function (event) { focusSummary(event.target); });
  // A link in the summary moves focus to its field, not only the scroll position.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-summary] a[href^='#']");
    if (!link) return;
    var field = document.getElementById(link.getAttribute("href").slice(1));
    if (field) { event.preventDefault(); field.scrollIntoView({block: "center"}); field.focus(); }
  });
})();
// The search box over a long list of names (the colleagues a member asks for cover): filter as one types. Without
// scripts the same box is a plain GET search. Items beyond the first few carry data-more and stay hidden until
// searched for; hidden checkboxes are still sent.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var input = event.target.closest("[data-filter-list]");
    if (!input) return;
    var list = document.getElementById(input.getAttribute("data-filter-list"));
    if (!list) return;
    var query = input.value.trim();
    var shown = 0;
    Array.prototype.forEach.call(list.querySelectorAll("li[data-name]"), function (item) {
      var show = query ? item.getAttribute("data-name").indexOf(query) !== -1 : !item.hasAttribute("data-more");
      item.hidden = !show;
      if (show) shown += 1;
    });
    var none = document.getElementById(list.id.replace("-list", "-none"));
    if (none) none.hidden = shown > 0;
    var more = document.getElementById(list.id.replace("-list", "-more"));
    if (more) more.hidden = query !== "";
  });
})();

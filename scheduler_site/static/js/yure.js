// Small behaviours that CSP keeps out of the templates: no inline scripts.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});

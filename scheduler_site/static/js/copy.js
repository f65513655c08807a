// Copy buttons: <button data-copy-target="input-id" data-copied-text="Copied">. No inline script (CSP).
(function () {
  "use strict";
  function copied(button) {
    var original = button.textContent;
    button.textContent = button.getAttribute("data-copied-text") || original;
    setTimeout(function () { button.textContent = original; }, 2000);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    var text = field.value || field.textContent;
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); }, function () {
        field.select();
      });
    } else {
      field.select();
      try { if (document.execCommand("copy")) copied(button); } catch (e) { /* the text stays selected */ }
    }
  });
})();

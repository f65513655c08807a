// The kiosk (shifts/templates/shifts/kiosk/): an on-screen keypad for the four digits, and a page that shows a
// name goes back to the start after 30 seconds with no tap or key. Typing the digits is never timed: the start
// page has no reset, and every tap or key restarts the 30 seconds.
(function () {
  "use strict";
  const body = document.body;
  const seconds = parseInt(body.dataset.kioskReset || "0", 10);
  if (seconds > 0) {
    let timer = null;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => window.location.assign(body.dataset.kioskHome), seconds * 1000);
    };
    ["pointerdown", "keydown", "input", "touchstart", "scroll"].forEach(
      (name) => window.addEventListener(name, arm, { passive: true, capture: true }));
    arm();
  }
  const pad = document.querySelector(".keypad");
  const field = document.getElementById("id_digits");
  if (pad && field) {
    pad.hidden = false;
    pad.addEventListener("click", (event) => {
      const key = event.target.closest("button[data-digit]");
      if (!key) return;
      const digit = key.dataset.digit;
      if (digit === "clear") field.value = "";
      else if (digit === "back") field.value = field.value.slice(0, -1);
      else if (field.value.length < 4) field.value += digit;
      field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }
})();

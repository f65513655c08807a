// 读给我听: read a part of the page aloud with the browser's own speech synthesis (no outside service).
// Each control is <div data-read-aloud data-stop-label=".." data-no-voice=".."> with a button and a status line; it
// reads its data-target (a selector), else the nearest [data-read-aloud-scope] around it, else <main>. It stays hidden
// until this script runs, so a browser without scripts never shows a dead button.
(function () {
  "use strict";
  var synth = window.speechSynthesis;

  function voices() {
    return synth && typeof synth.getVoices === "function" ? synth.getVoices() || [] : [];
  }

  // Mandarin on a Chinese page (a zh-CN voice when the phone has one), the page's own language otherwise.
  function pickVoice(lang) {
    var all = voices(), base = lang.split("-")[0];
    return all.filter(function (v) { return (v.lang || "").replace("_", "-").toLowerCase() === lang.toLowerCase(); })[0]
      || all.filter(function (v) { return (v.lang || "").toLowerCase().indexOf(base) === 0; })[0] || null;
  }

  // What a sighted person sees in the target: innerText skips hidden parts; the read-aloud controls are left out.
  function visibleText(target) {
    var controls = target.querySelectorAll("[data-read-aloud], [data-read-aloud-skip]"), was = [];
    controls.forEach(function (el) { was.push(el.hidden); el.hidden = true; });
    var text = target.innerText;
    controls.forEach(function (el, i) { el.hidden = was[i]; });
    return text.split("\n").map(function (line) { return line.trim(); }).filter(Boolean).join("\n");
  }

  function read(control) {
    var button = control.querySelector("button"), status = control.querySelector("[role=status]");
    var selector = control.getAttribute("data-target");
    var target = (selector && document.querySelector(selector)) || control.closest("[data-read-aloud-scope]")
      || document.querySelector("main");
    status.textContent = "";
    if (!synth || typeof synth.speak !== "function" || voices().length === 0) {
      status.textContent = control.getAttribute("data-no-voice");
      return;
    }
    if (synth.speaking && button.getAttribute("aria-pressed") === "true") {
      synth.cancel();
      return;
    }
    synth.cancel();
    var lang = (document.documentElement.lang || "zh-CN").toLowerCase().indexOf("zh") === 0
      ? "zh-CN" : document.documentElement.lang;
    var utterance = new window.SpeechSynthesisUtterance(visibleText(target));
    utterance.lang = lang;
    var voice = pickVoice(lang);
    if (voice) { utterance.voice = voice; }
    utterance.rate = 0.9;  // a little slower than the default: the listeners are in their seventies and eighties
    var label = button.textContent;
    button.setAttribute("aria-pressed", "true");
    button.textContent = control.getAttribute("data-stop-label");
    utterance.onend = utterance.onerror = function () {
      button.setAttribute("aria-pressed", "false");
      button.textContent = label;
    };
    synth.speak(utterance);
  }

  function start() {
    voices();  // Chrome loads its voice list on the first ask; by the first tap it is usually there.
    document.querySelectorAll("[data-read-aloud]").forEach(function (control) { control.hidden = false; });
    document.addEventListener("click", function (event) {
      var button = event.target.closest("[data-read-aloud] button");
      if (button) { read(button.closest("[data-read-aloud]")); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

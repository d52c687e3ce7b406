/* SLA countdowns: tick every second and change colour when the warning share or the due
   time is reached. The server's clock is the reference: each countdown carries the server
   time it was rendered at, so a wrong clock on the user's machine does not matter. */
(function () {
  "use strict";
  function span(ms) {
    var s = Math.floor(Math.abs(ms) / 1000);
    var d = Math.floor(s / 86400); s -= d * 86400;
    var h = Math.floor(s / 3600); s -= h * 3600;
    var m = Math.floor(s / 60);
    if (d) { return d + " d " + h + " h"; }
    if (h) { return h + " h " + (m < 10 ? "0" : "") + m + " min"; }
    return m + " min";
  }
  var LABELS = { ok: "On track", breached: "Breached", waiting: "Waiting" };
  function tick() {
    var els = document.querySelectorAll(".countdown[data-due]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.sladeskOffset === undefined) {
        el.sladeskOffset = Date.parse(el.dataset.now) - Date.now();
      }
      var now = Date.now() + el.sladeskOffset;
      var due = Date.parse(el.dataset.due);
      var warn = el.dataset.warn ? Date.parse(el.dataset.warn) : null;
      var start = el.dataset.start ? Date.parse(el.dataset.start) : null;
      var band, text;
      if (now >= due) { band = "breached"; text = "overdue by " + span(now - due); }
      else if (start !== null && now < start) { band = "waiting"; text = "waiting for the opening; " + span(due - now) + " to due"; }
      else if (warn !== null && now >= warn) { band = "warning"; text = span(due - now) + " left"; }
      else { band = "ok"; text = span(due - now) + " left"; }
      el.className = "countdown band-" + band;
      var label = el.querySelector(".band-label");
      var out = el.querySelector(".countdown-text");
      if (label) { label.textContent = band === "warning" ? "Over " + el.dataset.share + "% used" : LABELS[band]; }
      if (out && out.textContent !== text) { out.textContent = text; }
    }
  }
  tick();
  window.setInterval(tick, 1000);
})();

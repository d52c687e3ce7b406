/* Keyboard shortcuts: one key, outside text fields, no modifier. Each element that has a
   shortcut says so with data-shortcut="key" (and aria-keyshortcuts): a form field gets the
   focus (its <details> is opened), a button or link is activated. "?" shows the list. */
(function () {
  "use strict";
  function typing(el) {
    if (!el) { return false; }
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) { return; }
    if (e.key === "Escape") { return; }
    var help = document.getElementById("shortcut-help");
    if (e.key === "?" && help && typeof help.showModal === "function") {
      e.preventDefault();
      if (help.open) { help.close(); } else { help.showModal(); }
      return;
    }
    var target = document.querySelector('[data-shortcut="' + (e.key === "/" ? "/" : e.key.toLowerCase()) + '"]');
    if (!target || target.disabled) { return; }
    e.preventDefault();
    var details = target.closest("details");
    if (details) { details.open = true; }
    if (typing(target)) { target.focus(); target.scrollIntoView({ block: "center" }); }
    else { target.click(); }
  });
  var close = document.querySelector("[data-close-help]");
  if (close) {
    close.addEventListener("click", function () { document.getElementById("shortcut-help").close(); });
  }
})();

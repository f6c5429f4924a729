/* Crisis Intervention Field Handbook: small page helpers (no network, no dependencies).
 * - Buttons marked data-hc-print open the browser's print dialog (pocket cards page).
 * - A link to an item anchor (#protocol-item) opens any closed <details> around it.
 * - Two theme buttons get accessible names that match what they show (WCAG 2.5.3).
 */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  function openTarget() {
    if (!location.hash) { return; }
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }
  function nameButtons() {
    // "Search Ctrl+K" is shown but the name was only "Search": name it by its text.
    var search = document.querySelectorAll(".search-button-field[aria-label]");
    for (var i = 0; i < search.length; i++) { search[i].removeAttribute("aria-label"); }
    // The colour-mode icons carry tooltips ("Light", "Dark"…) that read as visible text.
    var icons = document.querySelectorAll(".theme-switch-button .theme-switch");
    for (var j = 0; j < icons.length; j++) {
      icons[j].setAttribute("aria-hidden", "true");
      icons[j].removeAttribute("title");
      var title = icons[j].querySelector("title");
      if (title) { title.remove(); }
    }
  }
  ready(function () {
    nameButtons();
    var buttons = document.querySelectorAll("[data-hc-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
    openTarget();
    window.addEventListener("hashchange", openTarget);
  });
})();

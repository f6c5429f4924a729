/* Crisis Intervention Field Handbook: small page helpers (no network, no dependencies).
 * - Buttons marked data-hc-print open the browser's print dialog (pocket cards page).
 * - A link to an item anchor (#protocol-item) opens any closed <details> around it.
 * - Two theme buttons get accessible names that match what they show (WCAG 2.5.3).
 * - Knowledge checks (form.hc-kc-question): "Check my answer" says right or not, in words,
 *   through an aria-live line; without this script each answer is in a "Show the answer" box.
 * - Opened from the offline zip (file://), search shows titles without snippets: a browser
 *   refuses the page requests that snippets need, and would log an error for each result.
 */
(function () {
  "use strict";
  if (location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS === "object") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false; // read by Sphinx's searchtools.js per result
  }
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
  function optionOf(input) {
    for (var node = input; node; node = node.parentElement) {
      if (node.classList && node.classList.contains("hc-kc-option")) { return node; }
    }
    return null;
  }
  function labelText(form, input) {
    var label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent : input.value;
  }
  function clearMarks(form) {
    var marks = form.querySelectorAll(".hc-kc-mark");
    for (var i = 0; i < marks.length; i++) { marks[i].remove(); }
    var options = form.querySelectorAll(".hc-kc-option");
    for (var j = 0; j < options.length; j++) {
      options[j].classList.remove("hc-kc-is-right", "hc-kc-is-wrong");
    }
  }
  function mark(input, cls, text) {
    var option = optionOf(input);
    if (!option) { return; }
    option.classList.add(cls);
    var span = document.createElement("span");
    span.className = "hc-kc-mark";
    span.textContent = text;
    option.appendChild(span);
  }
  function say(feedback, verdict, text, reason, cls) {
    // Empty the live line first, so the same answer checked twice is announced again.
    feedback.textContent = "";
    feedback.className = "hc-kc-feedback " + cls;
    window.setTimeout(function () {
      var strong = document.createElement("strong");
      strong.className = "hc-kc-verdict";
      strong.textContent = verdict;
      feedback.appendChild(strong);
      if (text) { feedback.appendChild(document.createTextNode(" " + text)); }
      if (reason) {
        var why = document.createElement("span");
        why.className = "hc-kc-reason";
        why.textContent = reason;
        feedback.appendChild(why);
      }
    }, 60);
  }
  function setUpCheck(form) {
    var button = form.querySelector(".hc-kc-check");
    var feedback = form.querySelector(".hc-kc-feedback");
    var answer = form.querySelector(".hc-kc-answer");
    var right = form.querySelector('input[value="' + form.getAttribute("data-answer") + '"]');
    if (!button || !feedback || !right) { return; }
    var why = form.querySelector(".hc-kc-why");
    var reason = why ? why.textContent : "";
    button.hidden = false;
    if (answer) { answer.hidden = true; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearMarks(form);
      var chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) {
        say(feedback, "Pick an answer first.", "", "", "hc-kc-none");
        return;
      }
      if (chosen === right) {
        mark(right, "hc-kc-is-right", "Right answer");
        say(feedback, "Right.", "", reason, "hc-kc-good");
      } else {
        mark(chosen, "hc-kc-is-wrong", "Your answer");
        mark(right, "hc-kc-is-right", "Right answer");
        var text = labelText(form, right).trim();
        if (!/[.?!]$/.test(text)) { text += "."; }
        say(feedback, "Not quite.", "The right answer is: " + text, reason, "hc-kc-bad");
      }
    });
  }
  function knowledgeChecks() {
    var forms = document.querySelectorAll("form.hc-kc-question[data-answer]");
    for (var i = 0; i < forms.length; i++) { setUpCheck(forms[i]); }
  }
  ready(function () {
    nameButtons();
    knowledgeChecks();
    var buttons = document.querySelectorAll("[data-hc-print]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function () { window.print(); });
    }
    openTarget();
    window.addEventListener("hashchange", openTarget);
  });
})();

// A job aid's first screen, painted from the page's HTML before the kernel's widgets arrive
// (protocols.ui.first_screen draws it from the same widgets). The officer can type the case
// number and press the button at once; when the live aid appears this screen hands over what
// was typed, where the focus was, and a press still waiting (to the live button of the same
// name), and goes. An aid whose first screen depends on the page's query (which the kernel
// learns only later) is painted but not usable when the page has one. The live aid checks
// and saves as always: nothing here is ever shown as saved.
(() => {
  "use strict";
  const CONNECTING = "Connecting to the server. The case opens as soon as the job aid has connected.";
  const STILL_CONNECTING = "Still connecting. Nothing is saved yet. If this lasts, check the signal, "
    + "then reload the page.";
  const WAIT_FOR_IT = "One moment: the job aid is still connecting. Press the button again when it has.";
  const STILL_AFTER_MS = 15000;
  const LIVE_FIELD_WAIT_MS = 10000;

  const labelOf = (root, input) => {
    const label = input.id ? root.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
    return label ? label.textContent.trim() : "";
  };
  const buttonNamed = (root, name) => [...root.querySelectorAll("button")]
    .find((b) => b.textContent.trim() === name && b.offsetParent !== null);

  function arm(screen) {
    if (screen.querySelector("[data-hb-reads-query]") && window.location.search) {
      for (const control of screen.querySelectorAll("input, button")) control.disabled = true;
      return;  // the live aid may show something else: wait for it
    }
    const typed = new Map();       // a field's label → what was typed in it
    let focusedLabel = "";         // the field the officer was in
    let lastFocused = null;        // moved out of the page by Voila's shell: focus it again
    let pressed = "";              // the form button pressed before the kernel joined
    let stillTimer = 0;

    const status = document.createElement("p");
    status.className = "hb-aid-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const firstForm = screen.querySelector("form");
    (firstForm || screen).prepend(status);
    const say = (text, bad = false) => {
      status.textContent = text;
      status.classList.toggle("hb-bad", bad);
    };

    screen.addEventListener("input", (event) => {
      if (event.target.matches("input")) typed.set(labelOf(screen, event.target), event.target.value);
    });
    screen.addEventListener("focusin", (event) => {
      lastFocused = event.target;
      focusedLabel = event.target.matches("input") ? labelOf(screen, event.target) : "";
    });
    // Voila moving the cells blurs the field with no new target; the officer moving on has one,
    // or pressed somewhere else first.
    screen.addEventListener("focusout", (event) => { if (event.relatedTarget) lastFocused = null; });
    document.addEventListener("pointerdown", (event) => {
      if (lastFocused && event.target !== lastFocused) lastFocused = null;
    }, true);
    screen.addEventListener("submit", (event) => {
      event.preventDefault();
      const button = event.submitter || event.target.querySelector('button[type="submit"]');
      pressed = button ? button.textContent.trim() : "";
      if (button) button.setAttribute("aria-disabled", "true");
      say(CONNECTING);
      clearTimeout(stillTimer);
      stillTimer = setTimeout(() => say(STILL_CONNECTING, true), STILL_AFTER_MS);
    });
    screen.addEventListener("click", (event) => {
      if (event.target.closest('button[type="button"]')) say(WAIT_FOR_IT);
    });

    const watch = new MutationObserver(() => {
      // Voila moves the cells into its own panel, which takes the focus from a field: give it back.
      if (lastFocused && lastFocused.isConnected && document.activeElement === document.body) {
        lastFocused.focus();
      }
      const live = [...document.querySelectorAll(".hb-aid")].find((el) => !screen.contains(el));
      if (live) {
        watch.disconnect();
        handOver(live);
      }
    });
    watch.observe(document.body, { childList: true, subtree: true });

    function handOver(live) {
      const inField = screen.contains(document.activeElement)
        || (lastFocused !== null && document.activeElement === document.body);
      const hadFocus = inField ? focusedLabel : "";
      clearTimeout(stillTimer);
      screen.remove();
      const waiting = new Set(typed.keys());
      if (hadFocus) waiting.add(hadFocus);
      const apply = () => {
        for (const input of live.querySelectorAll("input[type=text]")) {
          const label = labelOf(live, input);
          if (!waiting.has(label)) continue;
          waiting.delete(label);
          const value = typed.get(label);
          if (value !== undefined && input.value === "") {
            input.value = value;
            input.dispatchEvent(new Event("input", { bubbles: true }));
            // A press is waiting: the live field takes its value first, as it does when it is left.
            if (pressed) input.dispatchEvent(new Event("change", { bubbles: true }));
          }
          if (label === hadFocus) {
            input.focus();
            input.setSelectionRange(input.value.length, input.value.length);
          }
        }
        if (pressed && ![...waiting].some((label) => typed.has(label))) {
          const button = buttonNamed(live, pressed);
          if (button) {
            button.click();  // the press the officer made, now on the live button of that name
            pressed = "";
          }
        }
        return waiting.size === 0 && !pressed;
      };
      if (apply()) return;
      const fields = new MutationObserver(() => { if (apply()) fields.disconnect(); });
      fields.observe(live, { childList: true, subtree: true });
      setTimeout(() => fields.disconnect(), LIVE_FIELD_WAIT_MS);
    }
  }

  const screens = document.querySelectorAll("[data-hb-first-screen]");
  screens.forEach(arm);
  // Voila shows the cells only once its front end has loaded the theme; the page's head has the
  // theme's styles already, so a page with a first screen shows it now (the template calls
  // window.voila_finish() next), instead of the loading message.
  if (screens.length) window.themeLoaded = true;
})();

// A job aid's first screen, painted from the page's HTML before the kernel's widgets arrive
// (protocols.ui.first_screen draws it from the same widgets). The officer can type the case
// number and press the button at once; when the live aid appears this screen hands over what
// was typed, where the focus was, and a press still waiting (to the live button of the same
// name), and goes. The live aid checks and saves as always: nothing here is shown as saved.
// An aid whose first screen depends on the page's query (which the kernel learns only later)
// is painted but not usable when the page has one. Without this script the screen stays hidden.
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
  // The live field keeps a value only once it has had a change event (as when it is left, or
  // Enter is pressed in it): a value set by a script stays in the page, not in the aid.
  const commit = (input) => input.dispatchEvent(new Event("change", { bubbles: true }));
  const commitWhenLeft = (input) => {
    const done = () => {
      input.removeEventListener("blur", done);
      input.removeEventListener("keydown", onKey);
      commit(input);
    };
    const onKey = (event) => { if (event.key === "Enter") done(); };
    input.addEventListener("blur", done);
    input.addEventListener("keydown", onKey);
  };
  const pageAsksFor = () => [...new URLSearchParams(window.location.search).keys()].some((key) => key !== "token");

  // A token in the address would sign a reload in again without asking (the idle lock's module
  // drops it too, once the live aid is there): take it out of this history entry now.
  function dropTokenFromAddress() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("token")) return;
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.toString());
  }

  function arm(screen) {
    screen.hidden = false;
    screen.setAttribute("data-armed", "");
    const usable = !(screen.querySelector("[data-hb-reads-query]") && pageAsksFor());
    if (!usable) {
      for (const control of screen.querySelectorAll("input, button")) control.disabled = true;
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
    const forgetFocus = (event) => { if (lastFocused && event.target !== lastFocused) lastFocused = null; };
    document.addEventListener("pointerdown", forgetFocus, true);
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
      document.removeEventListener("pointerdown", forgetFocus, true);
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
            // Pressed, or left: the live field takes the value now; still being typed: when left.
            if (pressed || label !== hadFocus) commit(input);
            else commitWhenLeft(input);
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
  if (screens.length) dropTokenFromAddress();
  screens.forEach(arm);
  // Voila shows the cells only once its front end has loaded the theme; the page's head has the
  // theme's styles already, so a page with a first screen shows it now (the template calls
  // window.voila_finish() next), instead of the loading message.
  if (screens.length) window.themeLoaded = true;
})();

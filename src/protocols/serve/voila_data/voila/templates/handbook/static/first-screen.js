// A job aid's first screen, painted from the page's HTML before the kernel's widgets arrive
// (protocols.ui.first_screen draws it from the same widgets). The officer can type the case
// number and press the button at once. When the live aid appears, this screen hands over what
// was typed, where the focus was and a press still waiting (or still held down: its button is
// gone before the release), and goes; while the officer is still typing in it, it waits until
// they leave the field or press. The live aid checks and
// saves as always: nothing here is ever shown as saved, and nothing starts without a press.
// Without this script the screen stays hidden and the page is the live aid alone, as before.
// It also takes a sign-in token out of the page's address, on every job-aid page.
(() => {
  "use strict";
  const STILL_CONNECTING = "Still connecting. Nothing is saved yet. If this lasts, check the signal, "
    + "then reload the page.";
  const WAIT_FOR_IT = "One moment: the job aid is still connecting. Press the button again when it has.";
  const STILL_AFTER_MS = 15000;
  const LIVE_FIELD_WAIT_MS = 30000;
  const REOPEN_KEY = "handbook-reopen:";  // kernel_link.js sets these before "Reopen the case"
  const CASE_KEY = "handbook-case:";      // reloads the page

  const connecting = (button) => `Connecting to the server. “${button}” goes through as soon as the job aid `
    + "has connected.";
  const labelOf = (root, input) => {
    const label = input.id ? root.querySelector(`label[for="${CSS.escape(input.id)}"]`) : null;
    return label ? label.textContent.trim() : "";
  };
  const buttonNamed = (root, name) => [...root.querySelectorAll("button")]
    .find((b) => b.textContent.trim() === name && b.offsetParent !== null);
  // A live field passes its value to the aid only on a change event (as when it is left, or
  // Enter is pressed in it): a value set by a script stays in the page until then.
  const commit = (input) => input.dispatchEvent(new Event("change", { bubbles: true }));
  function commitBeforeUse(input, live) {
    const done = () => {
      input.removeEventListener("blur", left);
      input.removeEventListener("keydown", onKey);
      live.removeEventListener("pointerdown", onPress, true);
      live.removeEventListener("keydown", onPress, true);
      commit(input);
    };
    const left = () => { if (document.hasFocus()) done(); };  // not when the officer switches apps
    const onKey = (event) => { if (event.key === "Enter") done(); };
    const onPress = (event) => {
      const button = event.target.closest && event.target.closest("button");
      if (button && (event.type === "pointerdown" || event.key === "Enter" || event.key === " ")) done();
    };
    input.addEventListener("blur", left);
    input.addEventListener("keydown", onKey);
    live.addEventListener("pointerdown", onPress, true);  // before the button's click goes out
    live.addEventListener("keydown", onPress, true);
  }
  const pageAsksFor = () => [...new URLSearchParams(window.location.search).keys()].some((key) => key !== "token");
  function caseToReopen() {
    try {
      const path = window.location.pathname;
      return window.sessionStorage.getItem(REOPEN_KEY + path) ? window.sessionStorage.getItem(CASE_KEY + path) : "";
    } catch (error) {
      return "";
    }
  }

  // A token in the address would sign a reload in again without asking (after the idle lock, a
  // reload must ask for it): every job-aid page takes it out of this history entry as it loads.
  // The browser's own history keeps the address it opened; no page can erase that, so agencies
  // hand out the sign-in address instead (SECURITY.md).
  function dropTokenFromAddress() {
    const url = new URL(window.location.href);
    if (!url.searchParams.has("token")) return;
    url.searchParams.delete("token");
    window.history.replaceState(window.history.state, "", url.toString());
  }

  function arm(screen) {
    screen.hidden = false;
    screen.setAttribute("data-armed", "");
    const status = document.createElement("p");
    status.className = "hb-aid-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    (screen.querySelector("form") || screen).prepend(status);
    const say = (text, bad = false) => {
      status.textContent = text;
      status.classList.toggle("hb-bad", bad);
    };
    const reopening = caseToReopen();
    if ((screen.querySelector("[data-hb-reads-query]") && pageAsksFor()) || reopening) {
      // The live aid may show something else (what the query asks for, or the case it reopens).
      for (const control of screen.querySelectorAll("input, button")) control.disabled = true;
      if (reopening) say(`Reopening case ${reopening}…`);
    }

    const typed = new Map();       // a field's label → what was typed in it
    const defaults = new Map();    // a field's label → the value it was drawn with
    for (const input of screen.querySelectorAll("input")) defaults.set(labelOf(screen, input), input.defaultValue);
    let pressed = "";              // the form button pressed before the kernel joined
    let stillTimer = 0;
    let lastFocused = null;        // the field the officer is in (Voila's move takes the focus from it)
    let waitingLive = null;        // the live aid, while the officer is still typing here
    const cells = document.getElementById("rendered_cells");
    let cellsParent = cells ? cells.parentElement : null;

    screen.addEventListener("input", (event) => {
      if (event.target.matches("input")) typed.set(labelOf(screen, event.target), event.target.value);
    });
    screen.addEventListener("focusin", (event) => { lastFocused = event.target.matches("input") ? event.target : null; });
    screen.addEventListener("focusout", (event) => {
      if (event.relatedTarget) lastFocused = null;
      if (waitingLive) {
        // Left this screen (or the page): the live aid takes over now, the value not yet sent.
        setTimeout(() => {  // (a press held on the button decides for itself: let go, or not)
          if (waitingLive && !pressing && !screen.contains(document.activeElement)) handOver(waitingLive);
        }, 0);
      }
    });
    document.addEventListener("click", forgetFocus, true);
    function forgetFocus(event) { if (lastFocused && event.target !== lastFocused) lastFocused = null; }
    screen.addEventListener("submit", (event) => {
      event.preventDefault();
      if (pressed) return;
      const button = event.submitter || event.target.querySelector('button[type="submit"]');
      pressed = button ? button.textContent.trim() : "";
      if (button) button.setAttribute("aria-disabled", "true");
      // What is pressed is what goes: the fields keep what they held.
      for (const input of event.target.querySelectorAll("input")) input.readOnly = true;
      say(connecting(pressed));
      clearTimeout(stillTimer);
      stillTimer = setTimeout(() => say(STILL_CONNECTING, true), STILL_AFTER_MS);
      if (waitingLive) handOver(waitingLive);
    });
    screen.addEventListener("click", (event) => {
      if (event.target.closest('button[type="button"]')) say(WAIT_FOR_IT);
    });
    // A press is down, then up, and the browser clicks only if both reach the same button. Two
    // things can take the button away in between: Voila moving the cells into its panel (the
    // button is taken out and put back) and the live aid arriving (the screen goes). No click
    // would come and the press would be lost, so a press under way then counts as made. Only a
    // real one: the main button of a mouse, pen or finger (or Space) on an enabled button,
    // let go on it; let go elsewhere, cancelled, or the page left, it is no press.
    let pressing = null;           // {button, id: pointerId or "Space", moved} while held
    const submitButton = (target) => (target && target.closest ? target.closest('button[type="submit"]') : null);
    const usable = (button) => Boolean(button) && !button.disabled && button.getAttribute("aria-disabled") !== "true";
    screen.addEventListener("pointerdown", (event) => {
      const button = submitButton(event.target);
      pressing = usable(button) && event.isPrimary && event.button === 0
        ? { button, id: event.pointerId, moved: false } : null;
    });
    screen.addEventListener("keydown", (event) => {  // Space presses a button when it is let go
      const button = event.key === " " && !event.repeat ? submitButton(event.target) : null;
      if (usable(button)) pressing = { button, id: "Space", moved: false };
    });
    function letGo(event) {
      const press = pressing;
      const space = event.type === "keyup";
      if (!press || (space ? event.key !== " " || press.id !== "Space" : event.pointerId !== press.id)) return;
      if (!space && !press.button.contains(event.target)) {  // taken off the button first
        dropPress();
        return;
      }
      // The click, when the browser sends one, goes out with this release; after Voila's move
      // it does not, and the press is made here.
      setTimeout(() => {
        if (pressing === press) pressing = null;
        if (press.moved && !pressed && press.button.isConnected) press.button.click();  // submits, as the officer's own click would
        settle();
      }, 0);
    }
    // A press that ended without a submit: a live aid that waited for it takes over now if the
    // officer is no longer in this screen (as when they leave a field).
    function settle() {
      if (waitingLive && !pressing && !pressed && !screen.contains(document.activeElement)) handOver(waitingLive);
    }
    function dropPress() {
      if (!pressing) return;
      pressing = null;
      settle();
    }
    const pageHidden = () => { if (document.visibilityState === "hidden") dropPress(); };
    const pressWatch = [["pointerup", letGo], ["keyup", letGo], ["pointercancel", dropPress],
      ["contextmenu", dropPress], ["visibilitychange", pageHidden]];
    for (const [name, listener] of pressWatch) document.addEventListener(name, listener, true);
    window.addEventListener("blur", dropPress);
    // No live aid for a long while (a failed widget, a lost kernel): show what Voila shows there.
    const revealTimer = setTimeout(() => {
      screen.removeAttribute("data-armed");
      if (!status.textContent || !status.classList.contains("hb-bad")) say(STILL_CONNECTING, true);
    }, STILL_AFTER_MS);

    const watch = new MutationObserver(() => {
      // Voila moves the cells into its own panel once, which takes the focus from a field: give it back.
      if (cells && cells.parentElement !== cellsParent) {
        cellsParent = cells.parentElement;
        if (pressing) pressing.moved = true;
        if (lastFocused && lastFocused.isConnected && document.activeElement === document.body) lastFocused.focus();
      }
      const live = [...document.querySelectorAll(".hb-aid")].find((el) => !screen.contains(el));
      if (!live || waitingLive) return;
      if (!pressed && lastFocused && screen.contains(document.activeElement)) {
        waitingLive = live;  // still typing: the field is not pulled away mid-number
        clearTimeout(revealTimer);
        return;
      }
      handOver(live);
    });
    watch.observe(document.body, { childList: true, subtree: true });

    function handOver(live) {
      watch.disconnect();
      waitingLive = null;
      if (!pressed && pressing) pressed = pressing.button.textContent.trim();  // its release reaches no button now
      pressing = null;
      for (const [name, listener] of pressWatch) document.removeEventListener(name, listener, true);
      window.removeEventListener("blur", dropPress);
      const focused = screen.contains(document.activeElement) && document.activeElement.matches("input")
        ? labelOf(screen, document.activeElement) : "";
      clearTimeout(stillTimer);
      clearTimeout(revealTimer);
      document.removeEventListener("click", forgetFocus, true);
      screen.remove();
      const waiting = new Set([...typed.keys()].filter((label) => typed.get(label) !== defaults.get(label)));
      if (focused) waiting.add(focused);
      let caseNumberSent = false;
      const apply = () => {
        for (const input of live.querySelectorAll("input[type=text]")) {
          const label = labelOf(live, input);
          if (!waiting.has(label)) continue;
          waiting.delete(label);
          const value = typed.get(label);
          if (value !== undefined && value !== defaults.get(label)
              && (input.value === "" || input.value === defaults.get(label))) {
            input.value = value;
            input.dispatchEvent(new Event("input", { bubbles: true }));
            if (pressed) {
              commit(input);
              // The case-number field opens the case on its new value (protocols.ui.frame.CaseForm).
              caseNumberSent = caseNumberSent || Boolean(input.closest(".hb-case-number")) && value !== "";
            } else {
              commitBeforeUse(input, live);  // sent when the officer leaves it, presses Enter or a button
            }
          }
          if (label === focused) {
            input.focus();
            input.setSelectionRange(input.value.length, input.value.length);
          }
        }
        if (pressed && ![...waiting].some((label) => typed.has(label))) {
          const button = caseNumberSent ? null : buttonNamed(live, pressed);
          if (button) button.click();  // the press the officer made, on the live button of that name
          if (button || caseNumberSent) pressed = "";
        }
        return waiting.size === 0 && !pressed;
      };
      if (apply()) return;
      const fields = new MutationObserver(() => { if (apply()) fields.disconnect(); });
      fields.observe(live, { childList: true, subtree: true });
      setTimeout(() => fields.disconnect(), LIVE_FIELD_WAIT_MS);
    }
  }

  dropTokenFromAddress();
  const screens = document.querySelectorAll("[data-hb-first-screen]");
  screens.forEach(arm);
  // Voila shows the cells only once its front end has loaded the theme; the page's head has the
  // theme's styles already, so a page with a first screen shows it now (the template calls
  // window.voila_finish() next), instead of the loading message.
  if (screens.length) window.themeLoaded = true;
})();
